import { cryoprotectionScore } from './cryoprotection.score';
import { REFERENCE } from './reference-molecules.fixture';

// Glycerol, 92.094 Da, logP −1.668, TPSA 60.69, HBD 3 + HBA 3, three hydroxyls:
//   hydrogenBonding = band(6; 0, 2, 12, 24) = 1           → 25 × 1      = 25
//   logP            = band(−1.668; −3.5, −2, 0.5, 2) = 1   → 20 × 1      = 20
//   size            = clamp01((400 − 92.094) / 250) = 1    → 15 × 1      = 15
//   tpsa            = band(60.69; 0, 15, 90, 140) = 1      → 15 × 1      = 15
//   groups          = min(1, 0.5 × 3) = 1                  → 15 × 1      = 15
//   permeability    = 1 × (140 − 60.69) / 100 = 0.7931     → 10 × 0.7931 = 7.931
//   composite       = 97.931 → 97.93
// DMSO: 25 × 0.5 (HBD+HBA = 1) + 20 + 15 + 15 + 15 (sulfoxide) + 10 × 1 = 87.5
describe('cryoprotectionScore', () => {
  it('should give glycerol 97.93 and DMSO 87.5 when both are scored with model 1.0.0', () => {
    const glycerol = cryoprotectionScore(REFERENCE.glycerol);
    const dmso = cryoprotectionScore(REFERENCE.dmso);

    expect(glycerol.value).toBe(97.93);
    expect(glycerol.parts).toEqual({
      hydrogenBonding: 1,
      logP: 1,
      size: 1,
      tpsa: 1,
      functionalGroups: 1,
      permeability: 0.7931,
    });
    expect(dmso.value).toBe(87.5);
    expect(glycerol.value).toBeGreaterThan(dmso.value);
    expect(glycerol.model).toEqual({ name: 'cryoprotect-composite', version: '1.0.0' });
    expect(glycerol.label).toBe('heuristic estimate');
  });
});
