import { z } from 'zod';
import { pageQuery } from '../common/pagination';
import { zodDto } from '../common/zod';
import { concentrationUnits, percentUnits } from './units/concentration';

const concentration = z
  .strictObject({
    value: z.number().min(0, 'a concentration cannot be negative'),
    unit: z.enum(concentrationUnits),
  })
  .refine((quantity) => !percentUnits.includes(quantity.unit) || quantity.value <= 100, {
    message: 'a percentage cannot exceed 100',
    path: ['value'],
  });

const component = z.strictObject({
  moleculeId: z.uuid(),
  concentration,
  role: z.string().trim().min(1).max(100).optional(),
});

const components = z
  .array(component)
  .min(1)
  .max(50)
  .superRefine((list, context) => {
    const seen = new Set<string>();
    list.forEach((item, index) => {
      if (seen.has(item.moleculeId)) {
        context.addIssue({
          code: 'custom',
          path: [index, 'moleculeId'],
          message: 'this molecule is already listed',
        });
      }
      seen.add(item.moleculeId);
    });
  });

const name = z.string().trim().min(1).max(300);
const description = z.string().trim().max(5_000);
const carrier = z.string().trim().min(1).max(200);
const solutionDensityGPerMl = z.number().gt(0).max(5);

export const createMixtureSchema = z.strictObject({
  name,
  description: description.optional(),
  carrier: carrier.optional(),
  aqueous: z.boolean().optional(),
  solutionDensityGPerMl: solutionDensityGPerMl.optional(),
  components,
});
export class CreateMixtureDto extends zodDto('CreateMixture', createMixtureSchema) {}
export type CreateMixtureInput = z.infer<typeof createMixtureSchema>;
export type ComponentInput = z.infer<typeof component>;

export const updateMixtureSchema = z
  .strictObject({
    name: name.optional(),
    description: description.nullable().optional(),
    carrier: carrier.nullable().optional(),
    aqueous: z.boolean().optional(),
    solutionDensityGPerMl: solutionDensityGPerMl.nullable().optional(),
    components: components.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'nothing to change', path: [] });
export class UpdateMixtureDto extends zodDto('UpdateMixture', updateMixtureSchema) {}
export type UpdateMixtureInput = z.infer<typeof updateMixtureSchema>;

export const idParamsSchema = z.object({ id: z.uuid() });
export class IdParamsDto extends zodDto('ScientificRecordIdParams', idParamsSchema) {}

export const listMixturesQuerySchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  containsMolecule: z.uuid().optional(),
  owner: z.uuid().optional(),
  ...pageQuery,
});
export class ListMixturesQueryDto extends zodDto('ListMixturesQuery', listMixturesQuerySchema) {}
export type ListMixturesQuery = z.infer<typeof listMixturesQuerySchema>;

export const comparisonQuerySchema = z.strictObject({ property: z.string().trim().min(1).max(63) });
export class ComparisonQueryDto extends zodDto('ComparisonQuery', comparisonQuerySchema) {}

export interface EstimateView {
  method: string;
  version: string;
  estimate: true;
  value: number | null;
  unit: string;
  missing: string[];
  assumptions: string[];
}

export interface MixtureComponentView {
  moleculeId: string;
  moleculeName: string;
  role: string | null;
  given: { value: number; unit: string };
  normalised: {
    molarity: { value: number; unit: 'M' } | null;
    massFraction: number | null;
    missing: string[];
  };
}

export interface MixtureView {
  id: string;
  name: string;
  description: string | null;
  carrier: string | null;
  aqueous: boolean;
  solutionDensityGPerMl: number | null;
  components: MixtureComponentView[];
  totals: {
    soluteMolarity: { value: number; unit: 'M' } | null;
    soluteMassFraction: number | null;
    solventMassFraction: number | null;
    missing: string[];
  };
  estimates: { cryoprotectionScore: EstimateView; glassTransition: EstimateView };
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}
