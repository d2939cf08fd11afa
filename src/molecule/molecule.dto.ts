import { z } from 'zod';
import { pageQuery, pageSchema } from '../common/pagination';
import { zodDto } from '../common/zod';

/** Longest accepted SMILES: far above any small-molecule cryoprotectant, far below abuse. */
export const MAX_SMILES_LENGTH = 2_000;
export const MAX_MOLFILE_LENGTH = 200_000;

/** CAS Registry Number: digits-digits-check, the check digit being Σ(i·dᵢ) mod 10 from the right. */
export function isValidCasNumber(cas: string): boolean {
  const match = /^(\d{2,7})-(\d{2})-(\d)$/.exec(cas);
  if (!match) return false;
  const digits = (match[1] + match[2]).split('').reverse();
  const sum = digits.reduce((total, digit, index) => total + Number(digit) * (index + 1), 0);
  return sum % 10 === Number(match[3]);
}

const smiles = z.string().trim().min(1).max(MAX_SMILES_LENGTH);
const molfile = z.string().min(1).max(MAX_MOLFILE_LENGTH);
const name = z.string().trim().min(1).max(300);
const synonyms = z.array(z.string().trim().min(1).max(300)).max(100);
const casNumber = z
  .string()
  .trim()
  .regex(/^\d{2,7}-\d{2}-\d$/, 'a CAS number looks like 56-81-5')
  .refine(isValidCasNumber, 'the CAS check digit does not match');
const pubchemCid = z.number().int().min(1).max(2_147_483_647);
const densityGPerMl = z.number().gt(0).max(25);
const tgCelsius = z.number().min(-273.15).max(1_000);
const tgSource = z.string().trim().min(1).max(500);

const exactlyOneStructure = (body: { smiles?: string; molfile?: string }) =>
  (body.smiles === undefined) !== (body.molfile === undefined);
const atMostOneStructure = (body: { smiles?: string; molfile?: string }) =>
  body.smiles === undefined || body.molfile === undefined;

export const createMoleculeSchema = z
  .strictObject({
    smiles: smiles.optional(),
    molfile: molfile.optional(),
    name,
    synonyms: synonyms.optional(),
    casNumber: casNumber.optional(),
    pubchemCid: pubchemCid.optional(),
    densityGPerMl: densityGPerMl.optional(),
    tgCelsius: tgCelsius.optional(),
    tgSource: tgSource.optional(),
  })
  .refine(exactlyOneStructure, {
    message: 'give exactly one of smiles or molfile',
    path: ['smiles'],
  });
export class CreateMoleculeDto extends zodDto('CreateMolecule', createMoleculeSchema) {}
export type CreateMoleculeInput = z.infer<typeof createMoleculeSchema>;

export const updateMoleculeSchema = z
  .strictObject({
    smiles: smiles.optional(),
    molfile: molfile.optional(),
    name: name.optional(),
    synonyms: synonyms.optional(),
    casNumber: casNumber.nullable().optional(),
    pubchemCid: pubchemCid.nullable().optional(),
    densityGPerMl: densityGPerMl.nullable().optional(),
    tgCelsius: tgCelsius.nullable().optional(),
    tgSource: tgSource.nullable().optional(),
  })
  .refine(atMostOneStructure, {
    message: 'give at most one of smiles or molfile',
    path: ['smiles'],
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'nothing to change', path: [] });
export class UpdateMoleculeDto extends zodDto('UpdateMolecule', updateMoleculeSchema) {}
export type UpdateMoleculeInput = z.infer<typeof updateMoleculeSchema>;

export const moleculeIdParamsSchema = z.object({ id: z.uuid() });
export class MoleculeIdParamsDto extends zodDto('MoleculeIdParams', moleculeIdParamsSchema) {}

export const moleculeSortFields = ['name', 'molecularWeight', 'score', 'createdAt'] as const;
export type MoleculeSortField = (typeof moleculeSortFields)[number];

const bound = z.coerce.number().finite();
export const listMoleculesQuerySchema = z
  .strictObject({
    q: z.string().trim().min(1).max(200).optional(),
    molecularWeightMin: bound.optional(),
    molecularWeightMax: bound.optional(),
    logPMin: bound.optional(),
    logPMax: bound.optional(),
    tpsaMin: bound.optional(),
    tpsaMax: bound.optional(),
    hbdMin: bound.optional(),
    hbdMax: bound.optional(),
    hbaMin: bound.optional(),
    hbaMax: bound.optional(),
    scoreMin: bound.optional(),
    scoreMax: bound.optional(),
    sort: z.enum(moleculeSortFields).default('createdAt'),
    order: z.enum(['asc', 'desc']).default('asc'),
    ...pageQuery,
  })
  .refine(
    (query) =>
      (['molecularWeight', 'logP', 'tpsa', 'hbd', 'hba', 'score'] as const).every((key) => {
        const min = query[`${key}Min`];
        const max = query[`${key}Max`];
        return min === undefined || max === undefined || min <= max;
      }),
    { message: 'a minimum is above its maximum' },
  );
export class ListMoleculesQueryDto extends zodDto('ListMoleculesQuery', listMoleculesQuerySchema) {}
export type ListMoleculesQuery = z.infer<typeof listMoleculesQuerySchema>;

export const depictionQuerySchema = z.strictObject({
  width: z.coerce.number().int().min(50).max(2_000).default(300),
  height: z.coerce.number().int().min(50).max(2_000).default(200),
  highlight: z
    .string()
    .regex(/^\d{1,4}(,\d{1,4}){0,199}$/, 'comma-separated atom indices, e.g. 0,1,2')
    .transform((value) => value.split(',').map(Number))
    .optional(),
});
export class DepictionQueryDto extends zodDto('DepictionQuery', depictionQuerySchema) {}

export const transferFormats = ['csv', 'sdf'] as const;
export type TransferFormat = (typeof transferFormats)[number];
export const importQuerySchema = z.strictObject({ format: z.enum(transferFormats).optional() });
export class ImportQueryDto extends zodDto('ImportMoleculesQuery', importQuerySchema) {}
export const exportQuerySchema = z.strictObject({ format: z.enum(transferFormats).default('csv') });
export class ExportQueryDto extends zodDto('ExportMoleculesQuery', exportQuerySchema) {}

const scoreSchema = z.object({
  value: z.number(),
  label: z.string(),
  model: z.object({ name: z.string(), version: z.string() }),
  parts: z.unknown(),
});

export const moleculeSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  synonyms: z.array(z.string()),
  casNumber: z.string().nullable(),
  pubchemCid: z.number().int().nullable(),
  canonicalSmiles: z.string(),
  inchi: z.string(),
  inchikey: z.string(),
  formula: z.string(),
  descriptors: z.record(z.string(), z.number()),
  functionalGroups: z.record(z.string(), z.number()),
  rules: z.record(z.string(), z.object({ passes: z.boolean(), violations: z.array(z.string()) })),
  score: z.number(),
  scores: z
    .record(z.string(), scoreSchema)
    .describe('Heuristic estimates, each with its model name and version.'),
  scoreModelVersion: z.string(),
  densityGPerMl: z.number().nullable(),
  tgCelsius: z.number().nullable(),
  tgSource: z.string().nullable(),
  createdBy: z.uuid().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export class MoleculeDto extends zodDto('Molecule', moleculeSchema) {}
export type MoleculeView = z.infer<typeof moleculeSchema>;

export class MoleculePageDto extends zodDto('MoleculePage', pageSchema(moleculeSchema)) {}

export const importReportSchema = z.object({
  format: z.enum(transferFormats),
  records: z.number().int(),
  created: z.array(
    z.object({ record: z.number().int(), id: z.uuid(), name: z.string(), inchikey: z.string() }),
  ),
  duplicates: z.array(
    z.object({
      record: z.number().int(),
      name: z.string(),
      inchikey: z.string(),
      existingId: z.uuid(),
    }),
  ),
  errors: z.array(
    z.object({
      record: z.number().int(),
      name: z.string().nullable(),
      code: z.string(),
      message: z.string(),
    }),
  ),
});
export class ImportReportDto extends zodDto('MoleculeImportReport', importReportSchema) {}
export type ImportReport = z.infer<typeof importReportSchema>;
