import { MixtureReconcileError, normaliseMixture } from './mixture-composition';
import { DMSO, GLYCEROL } from './scenario-solutes.fixture';

// 1.4079 M DMSO + 0.5429 M glycerol = 1.9508 M total solute. Both units are per volume, so no mass
// fraction without the solution density; with 1.040 g/mL: 0.110/1.040 = 0.1058, 0.050/1.040 = 0.0481.
describe('10 % v/v DMSO + 5 % w/v glycerol', () => {
  const components = [
    { ...DMSO, concentration: { value: 10, unit: '% v/v' as const } },
    { ...GLYCEROL, concentration: { value: 5, unit: '% w/v' as const } },
  ];

  it('should total 1.951 M when the solution density is unknown', () => {
    const sut = normaliseMixture(components, null);
    expect(sut.totalMolarity).toBeCloseTo(1.9508, 4);
    expect(sut.totalSoluteMassFraction).toBeNull();
  });

  it('should give mass fractions 0.1058 and 0.0481 when the solution density is 1.040 g/mL', () => {
    const sut = normaliseMixture(components, 1.04);
    expect(sut.components[0].massFraction).toBeCloseTo(0.10577, 5);
    expect(sut.components[1].massFraction).toBeCloseTo(0.048077, 5);
  });

  it('should refuse naming component 1 when a % w/w component joins without a solution density', () => {
    const mixed = [
      components[0],
      { ...GLYCEROL, concentration: { value: 5, unit: '% w/w' as const } },
    ];
    expect(() => normaliseMixture(mixed, null)).toThrow(
      expect.objectContaining({ index: 1 }) as MixtureReconcileError,
    );
  });
});
