import { z } from 'zod';
import { zodDto } from '../common/zod';

// Field sizes here only stop absurd bodies early; the chemistry port applies the real structure
// limits and answers MOLECULE_STRUCTURE_TOO_LARGE.
export const structureInputSchema = z.strictObject({
  smiles: z
    .string()
    .max(1_000_000)
    .optional()
    .describe('SMILES; give exactly one of smiles or molfile.'),
  molfile: z.string().max(2_000_000).optional().describe('MDL molfile, V2000 or V3000.'),
});

export class StructureInputDto extends zodDto('StructureInput', structureInputSchema) {}

const scoreSchema = z.object({
  value: z.number(),
  unit: z.string().optional(),
  model: z.object({ name: z.string(), version: z.string() }),
  parts: z.record(z.string(), z.number()),
  label: z.literal('heuristic estimate'),
});

const ruleSchema = z.object({ passes: z.boolean(), violations: z.array(z.string()) });

export const propertiesSchema = z.object({
  canonicalSmiles: z.string(),
  inchi: z.string(),
  inchikey: z.string(),
  formula: z.string(),
  descriptors: z.object({
    molecularWeight: z.number(),
    exactMass: z.number(),
    logP: z.number(),
    tpsa: z.number(),
    hbd: z.number().int(),
    hba: z.number().int(),
    rotatableBonds: z.number().int(),
    rings: z.number().int(),
    aromaticRings: z.number().int(),
    heavyAtoms: z.number().int(),
    fractionCsp3: z.number(),
  }),
  functionalGroups: z.object({
    hydroxyl: z.number().int(),
    ether: z.number().int(),
    amide: z.number().int(),
    amine: z.number().int(),
    carboxylicAcid: z.number().int(),
    sulfoxide: z.number().int(),
    ester: z.number().int(),
    halide: z.number().int(),
    nitro: z.number().int(),
  }),
  rules: z.object({ lipinski: ruleSchema, veber: ruleSchema }),
  fingerprint: z.object({
    type: z.literal('morgan'),
    radius: z.literal(2),
    bits: z.literal(2048),
    base64: z.string().describe('256 bytes; bit b is byte b >> 3, bit b & 7.'),
  }),
  scores: z.object({
    composite: scoreSchema.describe('Cryoprotection score 0–100.'),
    vitrification: scoreSchema,
    permeability: scoreSchema,
    toxicityRisk: scoreSchema,
    glassTransition: scoreSchema,
  }),
  toolkit: z.string(),
});

export type PropertiesView = z.infer<typeof propertiesSchema>;

export class PropertiesDto extends zodDto('ChemistryProperties', propertiesSchema) {}
