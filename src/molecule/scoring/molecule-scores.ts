import { Score } from './score';
import { ScoreInput } from './score-input';
import { cryoprotectionScore } from './cryoprotection.score';
import { glassTransitionEstimate } from './glass-transition.estimate';
import { permeabilityScore } from './permeability.score';
import { toxicityRiskScore } from './toxicity-risk.score';
import { vitrificationScore } from './vitrification.score';

/** Every heuristic score of one molecule; `composite` is the 0–100 cryoprotection score. */
export interface MoleculeScores {
  composite: Score;
  vitrification: Score;
  permeability: Score;
  toxicityRisk: Score;
  glassTransition: Score;
}

/** Pure: descriptors and functional groups in, every score with its model version out. */
export function scoreMolecule(input: ScoreInput): MoleculeScores {
  return {
    composite: cryoprotectionScore(input),
    vitrification: vitrificationScore(input),
    permeability: permeabilityScore(input),
    toxicityRisk: toxicityRiskScore(input),
    glassTransition: glassTransitionEstimate(input),
  };
}
