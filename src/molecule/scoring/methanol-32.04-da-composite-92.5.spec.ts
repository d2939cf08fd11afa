import { cryoprotectionScore } from './cryoprotection.score';
import { REFERENCE } from './reference-molecules.fixture';

// Methanol, 32.042 Da, logP −0.391, TPSA 20.23, HBD 1 + HBA 1, one hydroxyl:
//   25 × band(2) 1 + 20 × 1 + 15 × 1 + 15 × 1 + 15 × (0.5 × 1) 0.5
//   + 10 × (1 × clamp01((140 − 20.23) / 100) = 1) = 25 + 20 + 15 + 15 + 7.5 + 10 = 92.5
describe('cryoprotectionScore', () => {
  it('should give methanol 92.5 when it has one hydroxyl', () => {
    const sut = cryoprotectionScore(REFERENCE.methanol);

    expect(sut.value).toBe(92.5);
    expect(sut.parts.functionalGroups).toBe(0.5);
  });
});
