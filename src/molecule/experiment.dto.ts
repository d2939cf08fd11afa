import { z } from 'zod';
import { pageQuery } from '../common/pagination';
import { zodDto } from '../common/zod';
import { sampleTypes } from '../database/schema/mixtures';

const rate = z.strictObject({
  value: z.number().min(0, 'give the rate as a magnitude'),
  unit: z.enum(['°C/min', 'K/min']),
});
const temperature = z.strictObject({ value: z.number(), unit: z.enum(['°C', 'K']) });
const loadingStep = z.strictObject({
  concentrationFraction: z.number().min(0).max(1),
  holdMinutes: z.number().min(0).max(10_000),
});

const protocol = z.strictObject({
  coolingRate: rate,
  warmingRate: rate,
  storageTemperature: temperature,
  loadingSteps: z.array(loadingStep).max(50).optional(),
});

export const resultSchema = z.strictObject({
  property: z.string().min(1).max(63),
  value: z.number(),
  unit: z.string().min(1).max(20),
  uncertainty: z.number().min(0).optional(),
  n: z.number().int().min(1).optional(),
});

const title = z.string().trim().min(1).max(300);
const notes = z.string().trim().max(10_000);
const performedAt = z.iso.datetime({ offset: true });

export const createExperimentSchema = z.strictObject({
  mixtureId: z.uuid(),
  title,
  sampleType: z.enum(sampleTypes),
  protocol,
  performedAt,
  results: z.array(resultSchema).max(200).default([]),
  notes: notes.optional(),
});
export class CreateExperimentDto extends zodDto('CreateExperiment', createExperimentSchema) {}
export type CreateExperimentInput = z.infer<typeof createExperimentSchema>;
export type ProtocolInput = z.infer<typeof protocol>;
export type ResultInput = z.infer<typeof resultSchema>;

export const updateExperimentSchema = z
  .strictObject({
    title: title.optional(),
    sampleType: z.enum(sampleTypes).optional(),
    protocol: protocol.optional(),
    performedAt: performedAt.optional(),
    results: z.array(resultSchema).max(200).optional(),
    notes: notes.nullable().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'nothing to change', path: [] });
export class UpdateExperimentDto extends zodDto('UpdateExperiment', updateExperimentSchema) {}
export type UpdateExperimentInput = z.infer<typeof updateExperimentSchema>;

export const listExperimentsQuerySchema = z.strictObject({
  mixtureId: z.uuid().optional(),
  sampleType: z.enum(sampleTypes).optional(),
  performedFrom: performedAt.optional(),
  performedTo: performedAt.optional(),
  property: z.string().min(1).max(63).optional(),
  ...pageQuery,
});
export class ListExperimentsQueryDto extends zodDto(
  'ListExperimentsQuery',
  listExperimentsQuerySchema,
) {}
export type ListExperimentsQuery = z.infer<typeof listExperimentsQuerySchema>;

export interface ExperimentResultView {
  id: string;
  property: string;
  value: number;
  unit: string;
  canonicalValue: number;
  uncertainty: number | null;
  n: number | null;
}

export interface ExperimentView {
  id: string;
  mixtureId: string;
  title: string;
  sampleType: string;
  protocol: {
    coolingRate: { value: number; unit: '°C/min' } | null;
    warmingRate: { value: number; unit: '°C/min' } | null;
    storageTemperature: { value: number; unit: '°C' } | null;
    loadingSteps: { concentrationFraction: number; holdMinutes: number }[];
  };
  performedAt: string;
  notes: string | null;
  results: ExperimentResultView[];
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}
