import { cryoprotectionScore } from './cryoprotection.score';
import { REFERENCE } from './reference-molecules.fixture';

// Acetamide, 59.068 Da, logP −0.508, TPSA 43.09, HBD 1 + HBA 1, one amide — every part as formamide:
//   25 + 20 + 15 + 15 + 11.25 + 10 × 0.9691 = 95.941 → 95.94
describe('cryoprotectionScore', () => {
  it('should give acetamide the same 95.94 as formamide when only the methyl differs', () => {
    expect(cryoprotectionScore(REFERENCE.acetamide).value).toBe(95.94);
  });
});
