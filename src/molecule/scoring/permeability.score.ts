import { HEURISTIC, Score, clamp01, round } from './score';
import { ScoreInput } from './score-input';

export const PERMEABILITY_MODEL = { name: 'cryoprotect-permeability', version: '1.0.0' } as const;

/**
 * Membrane-permeation tendency, 0–1 (1 = permeates like DMSO or ethylene glycol).
 *
 *   sizeTerm     = clamp01((300 − MW) / 200)      1 at MW ≤ 100 Da, 0 at MW ≥ 300 Da
 *   polarityTerm = clamp01((140 − TPSA) / 100)    1 at TPSA ≤ 40 Å², 0 at TPSA ≥ 140 Å²
 *   value        = sizeTerm × polarityTerm
 *
 * Small, moderately polar molecules cross cell membranes fastest; disaccharides do not permeate.
 */
export function permeabilityScore({ descriptors }: ScoreInput): Score {
  const sizeTerm = clamp01((300 - descriptors.molecularWeight) / 200);
  const polarityTerm = clamp01((140 - descriptors.tpsa) / 100);
  return {
    value: round(sizeTerm * polarityTerm, 4),
    model: { ...PERMEABILITY_MODEL },
    parts: { sizeTerm: round(sizeTerm, 4), polarityTerm: round(polarityTerm, 4) },
    label: HEURISTIC,
  };
}
