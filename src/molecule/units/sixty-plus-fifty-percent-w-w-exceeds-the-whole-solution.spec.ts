import { MixtureReconcileError, normaliseMixture } from './mixture-composition';
import { DMSO, GLYCEROL } from './scenario-solutes.fixture';

// 60 g + 50 g of solutes per 100 g of solution is 110 % by mass: impossible, so refused naming the
// component that crosses 100 % rather than scaled down.
describe('60 % w/w glycerol + 50 % w/w DMSO', () => {
  it('should refuse naming component 1 when the mass fractions add up to 1.10', () => {
    const components = [
      { ...GLYCEROL, concentration: { value: 60, unit: '% w/w' as const } },
      { ...DMSO, concentration: { value: 50, unit: '% w/w' as const } },
    ];

    expect(() => normaliseMixture(components, null)).toThrow(
      expect.objectContaining({ index: 1, datum: 'composition' }) as MixtureReconcileError,
    );
  });

  it('should leave a solvent fraction of 0.10 when they are 60 % and 30 %', () => {
    const sut = normaliseMixture(
      [
        { ...GLYCEROL, concentration: { value: 60, unit: '% w/w' } },
        { ...DMSO, concentration: { value: 30, unit: '% w/w' } },
      ],
      null,
    );

    expect(sut.solventMassFraction).toBeCloseTo(0.1, 12);
  });
});
