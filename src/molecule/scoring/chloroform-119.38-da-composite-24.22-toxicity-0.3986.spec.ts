import { cryoprotectionScore } from './cryoprotection.score';
import { REFERENCE } from './reference-molecules.fixture';
import { toxicityRiskScore } from './toxicity-risk.score';

// Chloroform (negative control), 119.378 Da, logP 1.986, TPSA 0, no H-bonding, three halides:
//   hydrogenBonding = 0; logP = (2 − 1.986) / 1.5 = 0.009333 → 20 × 0.009333 = 0.186667
//   size = 1 → 15; tpsa = 0; groups = clamp01(0 − 1.5) = 0
//   permeability = ((300 − 119.378) / 200 = 0.90311 → 0.9031) × 1 → 10 × 0.9031 = 9.031
//   composite = 0.186667 + 15 + 9.031 = 24.217667 → 24.22
//   toxicity  = 0.1 + 0.3 × (1.986 − 1) / 3 + 0.2 × min(3, 2) / 2 = 0.1 + 0.0986 + 0.2 = 0.3986
describe('toxicityRiskScore', () => {
  it('should flag chloroform with toxicity 0.3986 and a composite of only 24.22 when scored', () => {
    expect(cryoprotectionScore(REFERENCE.chloroform).value).toBe(24.22);
    expect(toxicityRiskScore(REFERENCE.chloroform)).toEqual({
      value: 0.3986,
      model: { name: 'cryoprotect-toxicity-risk', version: '1.0.0' },
      parts: { base: 0.1, lipophilic: 0.0986, halide: 0.2, nitro: 0, amine: 0 },
      label: 'heuristic estimate',
    });
  });
});
