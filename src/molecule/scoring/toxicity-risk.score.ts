import { HEURISTIC, Score, clamp01, round } from './score';
import { ScoreInput } from './score-input';

export const TOXICITY_RISK_MODEL = { name: 'cryoprotect-toxicity-risk', version: '1.0.0' } as const;

/**
 * Structural toxicity-risk flag, 0–1 (higher = more concern). It sees structure alerts only, not
 * metabolism: methanol and formamide score low here although both are toxic in vivo.
 *
 *   base         = 0.1
 *   lipophilic   = 0.3  · clamp01((logP − 1) / 3)      membrane disruption rises with logP > 1
 *   halide       = 0.2  · min(halide, 2) / 2
 *   nitro        = 0.25 · min(nitro, 1)
 *   amine        = 0.15 · min(amine, 1)
 *   value        = base + lipophilic + halide + nitro + amine   (at most 1)
 */
export function toxicityRiskScore({ descriptors: d, functionalGroups: g }: ScoreInput): Score {
  const parts = {
    base: 0.1,
    lipophilic: 0.3 * clamp01((d.logP - 1) / 3),
    halide: (0.2 * Math.min(g.halide, 2)) / 2,
    nitro: 0.25 * Math.min(g.nitro, 1),
    amine: 0.15 * Math.min(g.amine, 1),
  };
  const value = Object.values(parts).reduce((sum, part) => sum + part, 0);
  return {
    value: round(clamp01(value), 4),
    model: { ...TOXICITY_RISK_MODEL },
    parts: Object.fromEntries(Object.entries(parts).map(([part, v]) => [part, round(v, 4)])),
    label: HEURISTIC,
  };
}
