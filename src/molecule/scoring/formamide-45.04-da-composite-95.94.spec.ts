import { cryoprotectionScore } from './cryoprotection.score';
import { REFERENCE } from './reference-molecules.fixture';

// Formamide, 45.041 Da, logP −0.899, TPSA 43.09, HBD 1 + HBA 1, one amide:
//   25 + 20 + 15 + 15 + 15 × 0.75 (amide) + 10 × ((140 − 43.09) / 100 = 0.9691)
//   = 25 + 20 + 15 + 15 + 11.25 + 9.691 = 95.941 → 95.94
describe('cryoprotectionScore', () => {
  it('should give formamide 95.94 when it has one amide', () => {
    const sut = cryoprotectionScore(REFERENCE.formamide);

    expect(sut.value).toBe(95.94);
    expect(sut.parts.functionalGroups).toBe(0.75);
  });
});
