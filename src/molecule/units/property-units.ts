/**
 * Units a measured or predicted property may be given in. Every unit belongs to one dimension and
 * converts to that dimension's base linearly: base = value × factor + offset.
 */
interface PropertyUnit {
  dimension: string;
  factor: number;
  offset: number;
}

export const propertyUnits = {
  '°C': { dimension: 'temperature', factor: 1, offset: 273.15 },
  K: { dimension: 'temperature', factor: 1, offset: 0 },
  '°C/min': { dimension: 'temperature rate', factor: 1, offset: 0 },
  'K/min': { dimension: 'temperature rate', factor: 1, offset: 0 },
  '%': { dimension: 'fraction', factor: 0.01, offset: 0 },
  fraction: { dimension: 'fraction', factor: 1, offset: 0 },
  M: { dimension: 'amount concentration', factor: 1, offset: 0 },
  mM: { dimension: 'amount concentration', factor: 1e-3, offset: 0 },
  µM: { dimension: 'amount concentration', factor: 1e-6, offset: 0 },
  'Osm/kg': { dimension: 'osmolality', factor: 1, offset: 0 },
  'mOsm/kg': { dimension: 'osmolality', factor: 1e-3, offset: 0 },
  min: { dimension: 'time', factor: 60, offset: 0 },
  s: { dimension: 'time', factor: 1, offset: 0 },
  h: { dimension: 'time', factor: 3600, offset: 0 },
  score: { dimension: 'score', factor: 1, offset: 0 },
} as const satisfies Record<string, PropertyUnit>;

export type PropertyUnitName = keyof typeof propertyUnits;
export const propertyUnitNames = Object.keys(propertyUnits) as PropertyUnitName[];

export function isPropertyUnit(unit: string): unit is PropertyUnitName {
  return Object.hasOwn(propertyUnits, unit);
}

export function sameDimension(a: PropertyUnitName, b: PropertyUnitName): boolean {
  return propertyUnits[a].dimension === propertyUnits[b].dimension;
}

/** Converts between two units of the same dimension (throws when they differ: a programming error). */
export function convertPropertyValue(
  value: number,
  from: PropertyUnitName,
  to: PropertyUnitName,
): number {
  if (from === to) return value;
  const source = propertyUnits[from];
  const target = propertyUnits[to];
  if (source.dimension !== target.dimension) throw new Error(`cannot convert ${from} to ${to}`);
  return (value * source.factor + source.offset - target.offset) / target.factor;
}
