import { Estimate } from './fox-equation';

export const WEIGHTED_SCORE_METHOD = {
  name: 'molar-concentration-weighted score',
  version: '1',
} as const;

export interface ScoredPart {
  /** Amount of the solute on the mixture's common basis (mol/L or mol/kg). */
  moles: number;
  /** The molecule's composite cryoprotection score, 0–100. */
  score: number;
}

/**
 * Mean of the components' composite scores weighted by their molar amounts: a heuristic summary,
 * not a measured property (the score itself is a heuristic estimate per molecule).
 */
export function weightedCryoprotectionScore(parts: ScoredPart[]): Estimate {
  const total = parts.reduce((sum, part) => sum + part.moles, 0);
  const missing = total > 0 ? [] : ['a component with a non-zero concentration'];
  const value =
    total > 0 ? parts.reduce((sum, part) => sum + part.moles * part.score, 0) / total : null;
  return {
    method: WEIGHTED_SCORE_METHOD.name,
    version: WEIGHTED_SCORE_METHOD.version,
    estimate: true,
    value,
    unit: 'score',
    missing,
    assumptions: [],
  };
}
