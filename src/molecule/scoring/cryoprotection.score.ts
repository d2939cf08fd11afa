import { HEURISTIC, Score, band, clamp01, round } from './score';
import { ScoreInput } from './score-input';
import { permeabilityScore } from './permeability.score';

export const CRYOPROTECTION_MODEL = { name: 'cryoprotect-composite', version: '1.0.0' } as const;

/** Weights of the composite score's parts; they sum to 100. */
export const CRYOPROTECTION_WEIGHTS = {
  hydrogenBonding: 25,
  logP: 20,
  size: 15,
  tpsa: 15,
  functionalGroups: 15,
  permeability: 10,
} as const;

/**
 * Composite cryoprotection score, 0–100: a transparent heuristic for "looks like a penetrating
 * cryoprotectant". Each part is clamped to 0–1, then weighted (CRYOPROTECTION_WEIGHTS).
 *
 *   hydrogenBonding  = band(HBD + HBA; 0, 2, 12, 24)       water-structuring H-bonding, not too much
 *   logP             = band(Crippen logP; −3.5, −2, 0.5, 2) hydrophilic but membrane-permeant
 *   size             = clamp01((400 − MW) / 250)           1 at MW ≤ 150 Da, 0 at MW ≥ 400 Da
 *   tpsa             = band(TPSA; 0, 15, 90, 140)          polar enough to bind water, not too polar
 *   functionalGroups = clamp01(min(1, 0.5·hydroxyl + 1·sulfoxide + 0.75·amide) − 0.5·halide − 0.5·nitro)
 *   permeability     = cryoprotect-permeability value (0–1)
 *
 *   value = 25·hydrogenBonding + 20·logP + 15·size + 15·tpsa + 15·functionalGroups + 10·permeability
 *
 * band(x; a, b, c, d) is 0 at or below a, rises linearly to 1 at b, stays 1 to c, falls to 0 at d.
 */
export function cryoprotectionScore(input: ScoreInput): Score {
  const { descriptors: d, functionalGroups: g } = input;
  const parts = {
    hydrogenBonding: band(d.hbd + d.hba, 0, 2, 12, 24),
    logP: band(d.logP, -3.5, -2, 0.5, 2),
    size: clamp01((400 - d.molecularWeight) / 250),
    tpsa: band(d.tpsa, 0, 15, 90, 140),
    functionalGroups: clamp01(
      Math.min(1, 0.5 * g.hydroxyl + 1 * g.sulfoxide + 0.75 * g.amide) -
        0.5 * g.halide -
        0.5 * g.nitro,
    ),
    permeability: permeabilityScore(input).value,
  };
  const value = (
    Object.keys(CRYOPROTECTION_WEIGHTS) as (keyof typeof CRYOPROTECTION_WEIGHTS)[]
  ).reduce((sum, part) => sum + CRYOPROTECTION_WEIGHTS[part] * parts[part], 0);
  return {
    value: round(value, 2),
    model: { ...CRYOPROTECTION_MODEL },
    parts: Object.fromEntries(Object.entries(parts).map(([part, v]) => [part, round(v, 4)])),
    label: HEURISTIC,
  };
}
