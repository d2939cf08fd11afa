import { permeabilityScore } from './permeability.score';
import { REFERENCE } from './reference-molecules.fixture';
import { vitrificationScore } from './vitrification.score';

// DMSO, 78.136 Da, TPSA 17.07, HBD 0 + HBA 1, 4 heavy atoms, no hydroxyl:
//   permeability  = clamp01((300 − 78.136) / 200) × clamp01((140 − 17.07) / 100) = 1 × 1 = 1
//   vitrification = 0.6 × min(1, 1 / 4) + 0.4 × min(1, 0 / 3) = 0.15
describe('permeabilityScore', () => {
  it('should give DMSO full permeability 1 and a low vitrification tendency 0.15 when scored', () => {
    expect(permeabilityScore(REFERENCE.dmso)).toEqual({
      value: 1,
      model: { name: 'cryoprotect-permeability', version: '1.0.0' },
      parts: { sizeTerm: 1, polarityTerm: 1 },
      label: 'heuristic estimate',
    });
    expect(vitrificationScore(REFERENCE.dmso).value).toBe(0.15);
  });
});
