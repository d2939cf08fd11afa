import { z } from 'zod';
import { zodDto } from '../common/zod';

export const createPropertyTypeSchema = z
  .strictObject({
    key: z.string().regex(/^[a-z][a-z0-9_]{1,62}$/, 'lower snake_case, 2–63 characters'),
    name: z.string().trim().min(1).max(200),
    canonicalUnit: z.string().min(1).max(20),
    allowedUnits: z.array(z.string().min(1).max(20)).min(1).max(20).optional(),
    minValue: z.number().optional(),
    maxValue: z.number().optional(),
  })
  .refine(
    (body) =>
      body.minValue === undefined || body.maxValue === undefined || body.minValue <= body.maxValue,
    {
      message: 'minValue must not exceed maxValue',
      path: ['minValue'],
    },
  );
export class CreatePropertyTypeDto extends zodDto('CreatePropertyType', createPropertyTypeSchema) {}
export type CreatePropertyTypeInput = z.infer<typeof createPropertyTypeSchema>;

export interface PropertyTypeView {
  key: string;
  name: string;
  canonicalUnit: string;
  allowedUnits: string[];
  minValue: number | null;
  maxValue: number | null;
  createdBy: string | null;
  createdAt: string;
}
