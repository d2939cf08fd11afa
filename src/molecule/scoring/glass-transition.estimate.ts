import { HEURISTIC, Score, clamp, round } from './score';
import { ScoreInput } from './score-input';

export const GLASS_TRANSITION_MODEL = {
  name: 'cryoprotect-tg-estimate',
  version: '1.0.0',
} as const;

/**
 * Glass-transition temperature of the pure compound, a two-term heuristic fitted by eye to polyols
 * (methanol ≈ 103 K, glycerol ≈ 180 K, sorbitol ≈ 271 K): Tg rises with size and with hydroxyl
 * hydrogen bonding. It does not know ring rigidity, so it overestimates sucrose (lit. ≈ 335 K).
 *
 *   Tg [K]  = clamp(70 + 0.7 · MW + 13 · hydroxyl, 50, 500)
 *   value   = Tg [K] − 273.15, in °C
 */
export function glassTransitionEstimate({
  descriptors: d,
  functionalGroups: g,
}: ScoreInput): Score {
  const molecularWeightTerm = 0.7 * d.molecularWeight;
  const hydroxylTerm = 13 * g.hydroxyl;
  const kelvin = clamp(70 + molecularWeightTerm + hydroxylTerm, 50, 500);
  return {
    value: round(kelvin - 273.15, 1),
    unit: '°C',
    model: { ...GLASS_TRANSITION_MODEL },
    parts: {
      molecularWeightTerm: round(molecularWeightTerm, 2),
      hydroxylTerm,
      tgKelvin: round(kelvin, 1),
    },
    label: HEURISTIC,
  };
}
