import {
  Concentration,
  ConversionNeedsDataError,
  gramsPerMillilitre,
  Solute,
  unitFamily,
} from './concentration';

export interface CompositionInput extends Solute {
  concentration: Concentration;
}

export interface NormalisedComponent {
  /** Molar concentration, mol/L of solution; null when not derivable. */
  molarity: number | null;
  /** Mass fraction of the whole solution (0–1); null when not derivable. */
  massFraction: number | null;
  /** The data that would make the null values derivable. */
  missing: string[];
}

export interface NormalisedMixture {
  components: NormalisedComponent[];
  /** Σ molarity of the solutes (mol/L), null unless every component's molarity is known. */
  totalMolarity: number | null;
  /** Σ mass fraction of the solutes, null unless every component's is known. */
  totalSoluteMassFraction: number | null;
  /** 1 − Σ solute mass fractions: the solvent/carrier's share, null when not derivable. */
  solventMassFraction: number | null;
  /** Amount of each solute on the mixture's common basis (mol/L, or mol/kg of solution). */
  moleWeights: number[];
}

/** The components cannot be put on one basis; `index` names the offending component. */
export class MixtureReconcileError extends Error {
  constructor(
    readonly index: number,
    readonly datum: string,
    message: string,
  ) {
    super(message);
    this.name = 'MixtureReconcileError';
  }
}

const TOLERANCE = 1e-9;

/**
 * Puts every component of a mixture on a common basis. Volume-based units give molarity exactly;
 * mass-based units give mass fractions exactly (molal through the solvent mass: with W the mass
 * fraction of the non-molal solutes and K = Σ mᵢ·MWᵢ/1000, the solvent's fraction is (1 − W)/(1 + K)).
 * Crossing between the two needs the solution density; without it a mixed-family mixture is
 * refused naming the first component that cannot be reconciled.
 */
export function normaliseMixture(
  inputs: CompositionInput[],
  solutionDensityGPerMl: number | null,
): NormalisedMixture {
  const n = inputs.length;
  const grams: (number | null)[] = new Array<number | null>(n).fill(null);
  const fractions: (number | null)[] = new Array<number | null>(n).fill(null);
  const families = inputs.map((input) => unitFamily(input.concentration.unit));

  if (solutionDensityGPerMl === null && n > 0) {
    const mixed = families.findIndex((family) => family !== families[0]);
    if (mixed >= 0) {
      const unit = inputs[mixed].concentration.unit;
      throw new MixtureReconcileError(
        mixed,
        'solution density',
        `solution density is needed to combine ${unit} (${inputs[mixed].name}) with ${inputs[0].concentration.unit} (${inputs[0].name})`,
      );
    }
  }

  let volumePercent = 0;
  inputs.forEach((input, index) => {
    const { value, unit } = input.concentration;
    if (unit === '% w/w') fractions[index] = value / 100;
    if (families[index] !== 'volume') return;
    try {
      grams[index] = gramsPerMillilitre(input.concentration, input);
    } catch (error) {
      if (error instanceof ConversionNeedsDataError)
        throw new MixtureReconcileError(index, error.datum, error.message);
      throw error;
    }
    if (unit === '% v/v') {
      volumePercent += value;
      if (volumePercent > 100 + TOLERANCE) {
        throw new MixtureReconcileError(
          index,
          'composition',
          'the % v/v components add up to more than 100 % of the volume',
        );
      }
    }
  });

  if (solutionDensityGPerMl !== null) {
    inputs.forEach((_input, index) => {
      const g = grams[index];
      if (g !== null) fractions[index] = g / solutionDensityGPerMl;
    });
  }

  const molal = inputs.map((input) => input.concentration.unit === 'mol/kg');
  if (molal.some(Boolean)) {
    const others = fractions.filter((_fraction, index) => !molal[index]);
    if (others.every((fraction) => fraction !== null)) {
      const w = others.reduce<number>((sum, fraction) => sum + fraction!, 0);
      const k = inputs.reduce(
        (sum, input, index) =>
          molal[index] ? sum + (input.concentration.value * input.molecularWeight) / 1000 : sum,
        0,
      );
      if (w >= 1) {
        throw new MixtureReconcileError(
          molal.indexOf(true),
          'composition',
          'the other components leave no solvent for a molal concentration',
        );
      }
      const solvent = (1 - w) / (1 + k);
      inputs.forEach((input, index) => {
        if (molal[index])
          fractions[index] = ((input.concentration.value * input.molecularWeight) / 1000) * solvent;
      });
    }
  }

  if (solutionDensityGPerMl !== null) {
    fractions.forEach((fraction, index) => {
      if (grams[index] === null && fraction !== null)
        grams[index] = fraction * solutionDensityGPerMl;
    });
  }

  let runningFraction = 0;
  fractions.forEach((fraction, index) => {
    if (fraction === null) return;
    runningFraction += fraction;
    if (runningFraction > 1 + TOLERANCE) {
      throw new MixtureReconcileError(
        index,
        'composition',
        'the components add up to more than 100 % of the solution by mass',
      );
    }
  });

  const components = inputs.map((input, index): NormalisedComponent => {
    const g = grams[index];
    const missing = g === null || fractions[index] === null ? ['solution density'] : [];
    return {
      molarity: g === null ? null : (g * 1000) / input.molecularWeight,
      massFraction: fractions[index],
      missing,
    };
  });
  const allMolar = components.every((component) => component.molarity !== null);
  const allMass = components.every((component) => component.massFraction !== null);
  const totalSoluteMassFraction = allMass
    ? components.reduce((sum, c) => sum + c.massFraction!, 0)
    : null;
  return {
    components,
    totalMolarity: allMolar ? components.reduce((sum, c) => sum + c.molarity!, 0) : null,
    totalSoluteMassFraction,
    solventMassFraction:
      totalSoluteMassFraction === null ? null : Math.max(0, 1 - totalSoluteMassFraction),
    moleWeights: components.map((component, index) =>
      allMolar
        ? component.molarity!
        : ((component.massFraction ?? 0) * 1000) / inputs[index].molecularWeight,
    ),
  };
}
