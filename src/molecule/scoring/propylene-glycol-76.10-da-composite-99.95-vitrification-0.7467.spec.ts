import { cryoprotectionScore } from './cryoprotection.score';
import { REFERENCE } from './reference-molecules.fixture';
import { vitrificationScore } from './vitrification.score';

// Propylene glycol, 76.095 Da, logP −0.641, TPSA 40.46, HBD 2 + HBA 2, 5 heavy atoms, two hydroxyls:
//   composite     = 25 + 20 + 15 + 15 + 15 + 10 × 0.9954 = 99.954 → 99.95
//   vitrification = 0.6 × (4 / 5) + 0.4 × (2 / 3) = 0.48 + 0.266667 = 0.746667 → 0.7467
describe('cryoprotectionScore', () => {
  it('should give propylene glycol 99.95 and vitrification 0.7467 when scored', () => {
    expect(cryoprotectionScore(REFERENCE.propyleneGlycol).value).toBe(99.95);
    expect(vitrificationScore(REFERENCE.propyleneGlycol).value).toBe(0.7467);
  });
});
