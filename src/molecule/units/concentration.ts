/**
 * Concentration units and their conversions (pure functions, no I/O).
 *
 * Two families:
 * - volume-based (per volume of solution): `M`, `mM`, `% w/v`, `mg/mL`, `% v/v`. They interconvert
 *   exactly through the mass concentration in g per mL of solution, using the solute's molecular
 *   weight (molar units) and, for `% v/v`, the density of the pure solute.
 * - mass-based: `% w/w` (g per 100 g of solution) and `mol/kg` (molal: mol per kg of SOLVENT).
 *
 * Crossing families needs the density of the solution, which is not derivable from the components;
 * without it the conversion is refused with the missing datum named, never guessed.
 */
export const concentrationUnits = [
  'M',
  'mM',
  'mol/kg',
  '% w/v',
  '% v/v',
  '% w/w',
  'mg/mL',
] as const;
export type ConcentrationUnit = (typeof concentrationUnits)[number];

export const percentUnits: readonly ConcentrationUnit[] = ['% w/v', '% v/v', '% w/w'];

export interface Concentration {
  value: number;
  unit: ConcentrationUnit;
}

/** What a conversion may need to know about the solute. */
export interface Solute {
  name: string;
  /** g/mol */
  molecularWeight: number;
  /** g/mL of the pure compound, null when unknown. */
  densityGPerMl: number | null;
}

/** A conversion that cannot be done without a datum the caller did not have. */
export class ConversionNeedsDataError extends Error {
  constructor(
    /** The missing datum, e.g. `density of DMSO` or `solution density`. */
    readonly datum: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConversionNeedsDataError';
  }
}

export type UnitFamily = 'volume' | 'mass';

export function unitFamily(unit: ConcentrationUnit): UnitFamily {
  return unit === '% w/w' || unit === 'mol/kg' ? 'mass' : 'volume';
}

/** Mass concentration (g of solute per mL of solution) of a volume-based concentration. */
export function gramsPerMillilitre(quantity: Concentration, solute: Solute): number {
  const { value, unit } = quantity;
  switch (unit) {
    case 'M':
      return (value * solute.molecularWeight) / 1000;
    case 'mM':
      return (value * solute.molecularWeight) / 1_000_000;
    case '% w/v':
      return value / 100;
    case 'mg/mL':
      return value / 1000;
    case '% v/v':
      if (solute.densityGPerMl === null) {
        throw new ConversionNeedsDataError(
          `density of ${solute.name}`,
          `density of ${solute.name} is unknown, so % v/v cannot be converted to a mass or molar concentration`,
        );
      }
      return (value / 100) * solute.densityGPerMl;
    case '% w/w':
    case 'mol/kg':
      throw new ConversionNeedsDataError(
        'solution density',
        `solution density is needed to convert ${unit} to a per-volume concentration`,
      );
    default: {
      const unknownUnit: never = unit;
      throw new Error(`unknown unit ${String(unknownUnit)}`);
    }
  }
}

/** The volume-based quantity in `unit` for a mass concentration in g/mL of solution. */
export function fromGramsPerMillilitre(
  gPerMl: number,
  unit: ConcentrationUnit,
  solute: Solute,
): number {
  switch (unit) {
    case 'M':
      return (gPerMl * 1000) / solute.molecularWeight;
    case 'mM':
      return (gPerMl * 1_000_000) / solute.molecularWeight;
    case '% w/v':
      return gPerMl * 100;
    case 'mg/mL':
      return gPerMl * 1000;
    case '% v/v':
      if (solute.densityGPerMl === null) {
        throw new ConversionNeedsDataError(
          `density of ${solute.name}`,
          `density of ${solute.name} is unknown, so a concentration cannot be expressed in % v/v`,
        );
      }
      return (gPerMl / solute.densityGPerMl) * 100;
    case '% w/w':
    case 'mol/kg':
      throw new ConversionNeedsDataError(
        'solution density',
        `solution density is needed to convert a per-volume concentration to ${unit}`,
      );
    default: {
      const unknownUnit: never = unit;
      throw new Error(`unknown unit ${String(unknownUnit)}`);
    }
  }
}

/**
 * Converts one component's concentration to another unit. Exact within the volume family; `% w/w`
 * ↔ volume units need `solutionDensityGPerMl`; `mol/kg` involves the mass of solvent, which depends
 * on every other component, so it converts only at mixture level (see normaliseMixture).
 */
export function convertConcentration(
  quantity: Concentration,
  to: ConcentrationUnit,
  solute: Solute,
  solutionDensityGPerMl: number | null = null,
): number {
  if (quantity.unit === to) return quantity.value;
  if (quantity.unit === 'mol/kg' || to === 'mol/kg') {
    throw new ConversionNeedsDataError(
      'mixture composition',
      `converting ${quantity.unit} to ${to} needs the mass of solvent, i.e. the whole mixture's composition and the solution density`,
    );
  }
  const fromMass = unitFamily(quantity.unit) === 'mass';
  const toMass = unitFamily(to) === 'mass';
  if (fromMass && toMass) return quantity.value;
  if (fromMass || toMass) {
    if (solutionDensityGPerMl === null) {
      throw new ConversionNeedsDataError(
        'solution density',
        `solution density is needed to convert ${quantity.unit} to ${to}`,
      );
    }
    if (fromMass) {
      return fromGramsPerMillilitre((quantity.value / 100) * solutionDensityGPerMl, to, solute);
    }
    return (gramsPerMillilitre(quantity, solute) / solutionDensityGPerMl) * 100;
  }
  return fromGramsPerMillilitre(gramsPerMillilitre(quantity, solute), to, solute);
}
