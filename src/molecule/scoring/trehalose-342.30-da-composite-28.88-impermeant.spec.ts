import { cryoprotectionScore } from './cryoprotection.score';
import { permeabilityScore } from './permeability.score';
import { REFERENCE } from './reference-molecules.fixture';
import { vitrificationScore } from './vitrification.score';

// α,α-Trehalose, 342.297 Da, logP −5.397, TPSA 189.53, HBD 8 + HBA 11 = 19, 23 heavy atoms, 8 hydroxyls:
//   hydrogenBonding = (24 − 19) / 12 = 0.416667        → 25 × 0.416667 = 10.416667
//   logP            = 0 (below −3.5)                    → 0
//   size            = (400 − 342.297) / 250 = 0.230812  → 15 × 0.230812 = 3.46218
//   tpsa            = 0 (above 140)                     → 0
//   groups          = 1                                 → 15
//   permeability    = clamp01((300 − 342.297) / 200) = 0 → 0
//   composite       = 28.878847 → 28.88
//   vitrification   = 0.6 × 19 / 23 + 0.4 × 1 = 0.495652 + 0.4 = 0.895652 → 0.8957
describe('cryoprotectionScore', () => {
  it('should give trehalose 28.88, permeability 0 and vitrification 0.8957 when scored', () => {
    const sut = cryoprotectionScore(REFERENCE.trehalose);

    expect(sut.value).toBe(28.88);
    expect(sut.parts.hydrogenBonding).toBe(0.4167);
    expect(sut.parts.size).toBe(0.2308);
    expect(permeabilityScore(REFERENCE.trehalose).value).toBe(0);
    expect(vitrificationScore(REFERENCE.trehalose).value).toBe(0.8957);
  });
});
