import { REFERENCE } from './reference-molecules.fixture';
import { toxicityRiskScore } from './toxicity-risk.score';

// Nitrobenzene, logP 1.595, one nitro group:
//   0.1 + 0.3 × (1.595 − 1) / 3 + 0.25 × 1 = 0.1 + 0.0595 + 0.25 = 0.4095; glycerol stays at the base 0.1
describe('toxicityRiskScore', () => {
  it('should give nitrobenzene 0.4095 and glycerol the base 0.1 when scored', () => {
    expect(toxicityRiskScore(REFERENCE.nitrobenzene).value).toBe(0.4095);
    expect(toxicityRiskScore(REFERENCE.glycerol).value).toBe(0.1);
  });
});
