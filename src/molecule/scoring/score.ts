/** Which model produced a number, so stored scores can be recomputed when a model changes. */
export interface ModelRef {
  name: string;
  version: string;
}

/** A heuristic score: the value, the model that made it, and the parts it was made from. */
export interface Score {
  value: number;
  /** Unit of value when it has one (e.g. °C); dimensionless scores omit it. */
  unit?: string;
  model: ModelRef;
  parts: Record<string, number>;
  label: 'heuristic estimate';
}

export const HEURISTIC = 'heuristic estimate' as const;

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

export function clamp01(value: number): number {
  return clamp(value, 0, 1);
}

/**
 * Trapezoid membership: 0 at or below zeroLow, linear up to 1 at oneLow, 1 up to oneHigh, linear
 * down to 0 at zeroHigh, 0 above it.
 */
export function band(
  value: number,
  zeroLow: number,
  oneLow: number,
  oneHigh: number,
  zeroHigh: number,
): number {
  if (value <= zeroLow || value >= zeroHigh) return 0;
  if (value < oneLow) return (value - zeroLow) / (oneLow - zeroLow);
  if (value <= oneHigh) return 1;
  return (zeroHigh - value) / (zeroHigh - oneHigh);
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
