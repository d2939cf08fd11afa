import { normaliseMixture } from './mixture-composition';
import { GLYCEROL } from './scenario-solutes.fixture';

// 1 mol glycerol (92.094 g) per 1000 g water: 92.094 / 1092.094 = 0.08433 of the solution by mass.
describe('1 mol/kg glycerol in water', () => {
  it('should be a mass fraction of 0.08433 with no molarity when the solution density is unknown', () => {
    const sut = normaliseMixture(
      [{ ...GLYCEROL, concentration: { value: 1, unit: 'mol/kg' } }],
      null,
    );
    expect(sut.components[0].massFraction).toBeCloseTo(0.084328, 6);
    expect(sut.components[0].molarity).toBeNull();
    expect(sut.components[0].missing).toEqual(['solution density']);
    expect(sut.solventMassFraction).toBeCloseTo(0.915672, 6);
  });
});
