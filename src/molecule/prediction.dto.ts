import { z } from 'zod';
import { pageQuery } from '../common/pagination';
import { zodDto } from '../common/zod';

const target = z
  .strictObject({ mixtureId: z.uuid().optional(), moleculeId: z.uuid().optional() })
  .refine((body) => (body.mixtureId === undefined) !== (body.moleculeId === undefined), {
    message: 'give exactly one of mixtureId or moleculeId',
    path: ['mixtureId'],
  });

const method = z.strictObject({
  name: z.string().trim().min(1).max(200),
  version: z.string().trim().min(1).max(100),
});

export const createPredictionSchema = z.strictObject({
  target,
  property: z.string().min(1).max(63),
  value: z.number(),
  unit: z.string().min(1).max(20),
  method,
  confidence: z.number().min(0).max(1).optional(),
});
export class CreatePredictionDto extends zodDto('CreatePrediction', createPredictionSchema) {}
export type CreatePredictionInput = z.infer<typeof createPredictionSchema>;

export const listPredictionsQuerySchema = z.strictObject({
  mixtureId: z.uuid().optional(),
  moleculeId: z.uuid().optional(),
  property: z.string().min(1).max(63).optional(),
  method: z.string().min(1).max(200).optional(),
  ...pageQuery,
});
export class ListPredictionsQueryDto extends zodDto(
  'ListPredictionsQuery',
  listPredictionsQuerySchema,
) {}
export type ListPredictionsQuery = z.infer<typeof listPredictionsQuerySchema>;

export const accuracyQuerySchema = z.strictObject({
  property: z.string().min(1).max(63).optional(),
  method: z.string().min(1).max(200).optional(),
});
export class AccuracyQueryDto extends zodDto('AccuracyQuery', accuracyQuerySchema) {}
export type AccuracyQuery = z.infer<typeof accuracyQuerySchema>;

export interface PredictionView {
  id: string;
  target: { mixtureId: string } | { moleculeId: string };
  property: string;
  value: number;
  unit: string;
  canonicalValue: number;
  method: { name: string; version: string };
  confidence: number | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ComparisonView {
  mixtureId: string;
  property: string;
  /** The unit of every canonical value, difference and of MAE-style numbers below. */
  unit: string;
  predictions: {
    prediction: PredictionView;
    measurements: {
      experimentId: string;
      resultId: string;
      value: number;
      unit: string;
      canonicalValue: number;
      uncertainty: number | null;
      n: number | null;
      /** predicted − measured, canonical unit. */
      difference: number;
      /** 100 × (predicted − measured) / |measured|; null when the measurement is zero. */
      percentError: number | null;
    }[];
  }[];
}

export interface AccuracyRow {
  method: { name: string; version: string };
  property: string;
  unit: string;
  count: number;
  mae: number;
  rmse: number;
  /** Mean of predicted − measured: positive means the method over-predicts. */
  bias: number;
}

export interface RecordedEstimates {
  recorded: PredictionView[];
  skipped: { method: string; missing: string[] }[];
}
