import { cryoprotectionScore } from './cryoprotection.score';
import { REFERENCE } from './reference-molecules.fixture';

// Ethylene glycol, 62.068 Da, logP −1.029, TPSA 40.46, HBD 2 + HBA 2, two hydroxyls:
//   25 × band(4) 1 + 20 × 1 + 15 × 1 + 15 × 1 + 15 × min(1, 0.5 × 2) 1
//   + 10 × (1 × (140 − 40.46) / 100 = 0.9954) = 99.954 → 99.95
describe('cryoprotectionScore', () => {
  it('should give ethylene glycol 99.95 when scored', () => {
    const sut = cryoprotectionScore(REFERENCE.ethyleneGlycol);

    expect(sut.value).toBe(99.95);
    expect(sut.parts.permeability).toBe(0.9954);
  });
});
