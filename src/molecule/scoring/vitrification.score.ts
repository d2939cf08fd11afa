import { HEURISTIC, Score, round } from './score';
import { ScoreInput } from './score-input';

export const VITRIFICATION_MODEL = { name: 'cryoprotect-vitrification', version: '1.0.0' } as const;

/**
 * Vitrification (glass-forming) tendency, 0–1. Dense hydrogen bonding and several hydroxyls frustrate
 * ice nucleation and favour an amorphous solid (polyols and sugars vitrify; DMSO alone crystallises).
 *
 *   polarFraction = min(1, (HBD + HBA) / heavy atoms)
 *   hydroxylTerm  = min(1, hydroxyl / 3)
 *   value         = 0.6 · polarFraction + 0.4 · hydroxylTerm
 */
export function vitrificationScore({ descriptors: d, functionalGroups: g }: ScoreInput): Score {
  const polarFraction = Math.min(1, (d.hbd + d.hba) / Math.max(1, d.heavyAtoms));
  const hydroxylTerm = Math.min(1, g.hydroxyl / 3);
  return {
    value: round(0.6 * polarFraction + 0.4 * hydroxylTerm, 4),
    model: { ...VITRIFICATION_MODEL },
    parts: { polarFraction: round(polarFraction, 4), hydroxylTerm: round(hydroxylTerm, 4) },
    label: HEURISTIC,
  };
}
