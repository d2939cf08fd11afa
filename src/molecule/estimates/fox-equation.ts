/**
 * Glass transition temperature of pure water, 136 K: Johari, Hallbrucker & Mayer, "The glass–liquid
 * transition of hyperquenched water", Nature 330, 552–553 (1987). Debated in the literature (some
 * place it near 165 K); 136 K is the conventional value used in Fox/Gordon–Taylor fits.
 */
export const WATER_TG_KELVIN = 136;
export const KELVIN_OFFSET = 273.15;

export const FOX_METHOD = { name: 'Fox equation', version: '1' } as const;

export interface FoxPart {
  name: string;
  /** Mass fraction in the whole mixture (0–1); null when not derivable. */
  massFraction: number | null;
  /** Glass transition temperature of the pure compound, °C; null when unknown. */
  tgCelsius: number | null;
}

export interface Estimate {
  method: string;
  version: string;
  estimate: true;
  value: number | null;
  unit: string;
  /** Data the method needed and did not have; `value` is null when this is not empty. */
  missing: string[];
  assumptions: string[];
}

/**
 * Fox (1956): 1/Tg = Σ wᵢ/Tgᵢ with mass fractions wᵢ and temperatures in kelvin. An ideal-mixing
 * estimate that ignores specific interactions (it usually over-estimates aqueous Tg a little).
 */
export function foxGlassTransition(parts: FoxPart[], assumptions: string[] = []): Estimate {
  const missing = parts.flatMap((part) => [
    ...(part.massFraction === null ? [`mass fraction of ${part.name}`] : []),
    ...(part.tgCelsius === null ? [`Tg of ${part.name}`] : []),
  ]);
  const present = parts.filter((part) => (part.massFraction ?? 0) > 0);
  let value: number | null = null;
  if (missing.length === 0 && present.length > 0) {
    const total = present.reduce((sum, part) => sum + part.massFraction!, 0);
    const reciprocal = present.reduce(
      (sum, part) => sum + part.massFraction! / total / (part.tgCelsius! + KELVIN_OFFSET),
      0,
    );
    value = 1 / reciprocal - KELVIN_OFFSET;
  }
  return {
    method: FOX_METHOD.name,
    version: FOX_METHOD.version,
    estimate: true,
    value,
    unit: '°C',
    missing,
    assumptions,
  };
}
