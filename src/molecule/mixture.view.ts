import {
  Estimate,
  foxGlassTransition,
  FoxPart,
  KELVIN_OFFSET,
  WATER_TG_KELVIN,
} from './estimates/fox-equation';
import { weightedCryoprotectionScore } from './estimates/weighted-score';
import { ComponentRow, MixtureRow } from './mixture.repository';
import { MixtureView } from './mixture.dto';
import { ConcentrationUnit } from './units/concentration';
import {
  MixtureReconcileError,
  NormalisedMixture,
  normaliseMixture,
} from './units/mixture-composition';

/** Normalises a mixture's components; the data were reconciled on write, so failure here means a molecule changed since. */
function normalise(
  row: MixtureRow,
  components: ComponentRow[],
): NormalisedMixture | MixtureReconcileError {
  try {
    return normaliseMixture(
      components.map((component) => ({
        name: component.name,
        molecularWeight: component.molecularWeight,
        densityGPerMl: component.densityGPerMl,
        concentration: { value: component.value, unit: component.unit as ConcentrationUnit },
      })),
      row.solutionDensityGPerMl,
    );
  } catch (error) {
    if (error instanceof MixtureReconcileError) return error;
    throw error;
  }
}

/** The read model: each component as given and normalised, totals, and labelled estimates. */
export function toMixtureView(row: MixtureRow, components: ComponentRow[]): MixtureView {
  const normalised = normalise(row, components);
  const failed = normalised instanceof MixtureReconcileError ? normalised : undefined;
  const parts = failed ? undefined : (normalised as NormalisedMixture);
  const componentMissing = failed ? [failed.message] : [];
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    carrier: row.carrier,
    aqueous: row.aqueous,
    solutionDensityGPerMl: row.solutionDensityGPerMl,
    components: components.map((component, index) => {
      const part = parts?.components[index];
      return {
        moleculeId: component.moleculeId,
        moleculeName: component.name,
        role: component.role,
        given: { value: component.value, unit: component.unit },
        normalised: {
          molarity: part?.molarity != null ? { value: part.molarity, unit: 'M' as const } : null,
          massFraction: part?.massFraction ?? null,
          missing: part?.missing ?? componentMissing,
        },
      };
    }),
    totals: {
      soluteMolarity:
        parts?.totalMolarity != null ? { value: parts.totalMolarity, unit: 'M' } : null,
      soluteMassFraction: parts?.totalSoluteMassFraction ?? null,
      solventMassFraction: parts?.solventMassFraction ?? null,
      missing: parts
        ? [...new Set(parts.components.flatMap((part) => part.missing))]
        : componentMissing,
    },
    estimates: mixtureEstimates(row, components, parts, componentMissing),
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function mixtureEstimates(
  row: MixtureRow,
  components: ComponentRow[],
  parts: NormalisedMixture | undefined,
  missing: string[],
): { cryoprotectionScore: Estimate; glassTransition: Estimate } {
  const score = parts
    ? weightedCryoprotectionScore(
        components.map((c, index) => ({ moles: parts.moleWeights[index], score: c.score })),
      )
    : { ...weightedCryoprotectionScore([]), missing };
  const carrier = row.carrier ?? 'water';
  const solventFraction = parts?.solventMassFraction ?? null;
  const foxParts: FoxPart[] = components.map((c, index) => ({
    name: c.name,
    massFraction: parts?.components[index].massFraction ?? null,
    tgCelsius: c.tgCelsius,
  }));
  const assumptions: string[] = [];
  if (solventFraction === null || solventFraction > 0) {
    if (row.aqueous) {
      foxParts.push({
        name: carrier,
        massFraction: solventFraction,
        tgCelsius: WATER_TG_KELVIN - KELVIN_OFFSET,
      });
      assumptions.push(
        `the carrier (${carrier}) is treated as water, Tg 136 K (Johari et al. 1987)`,
      );
    } else {
      foxParts.push({ name: carrier, massFraction: solventFraction, tgCelsius: null });
    }
  }
  const glassTransition = foxGlassTransition(foxParts, assumptions);
  if (!parts) glassTransition.missing.push(...missing);
  return { cryoprotectionScore: score, glassTransition };
}
