import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { molecules } from './molecules';
import { users } from './users';

export const sampleTypes = [
  'cell_line',
  'primary_cells',
  'tissue',
  'organoid',
  'embryo',
  'other',
] as const;
export type SampleType = (typeof sampleTypes)[number];

export interface LoadingStep {
  /** Fraction of the final concentration in this step (0–1). */
  concentrationFraction: number;
  holdMinutes: number;
}

/** A named composition of molecules in a carrier (aqueous unless stated). */
export const mixtures = pgTable(
  'mixtures',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    description: text('description'),
    /** The base medium, e.g. `water`, `DMEM`; the solvent for molal concentrations. */
    carrier: text('carrier'),
    /** Whether the carrier is water-based (water joins the Fox Tg estimate). */
    aqueous: boolean('aqueous').notNull().default(true),
    /** Measured density of the whole solution, g/mL: the datum that links per-volume and per-mass units. */
    solutionDensityGPerMl: doublePrecision('solution_density_g_per_ml'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('mixtures_name_lower_idx').using('btree', sql`lower(${table.name})`),
    index('mixtures_created_at_idx').on(table.createdAt, table.id),
    index('mixtures_created_by_idx').on(table.createdBy),
    check(
      'mixtures_solution_density_check',
      sql`${table.solutionDensityGPerMl} IS NULL OR ${table.solutionDensityGPerMl} > 0`,
    ),
  ],
);

export const mixtureComponents = pgTable(
  'mixture_components',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    mixtureId: uuid('mixture_id')
      .notNull()
      .references(() => mixtures.id, { onDelete: 'cascade' }),
    moleculeId: uuid('molecule_id')
      .notNull()
      .references(() => molecules.id, { onDelete: 'restrict' }),
    /** Order as submitted. */
    position: integer('position').notNull(),
    value: doublePrecision('value').notNull(),
    unit: text('unit').notNull(),
    role: text('role'),
  },
  (table) => [
    uniqueIndex('mixture_components_mixture_molecule_key').on(table.mixtureId, table.moleculeId),
    index('mixture_components_molecule_idx').on(table.moleculeId),
    check('mixture_components_value_check', sql`${table.value} >= 0`),
    check(
      'mixture_components_unit_check',
      sql`${table.unit} in ('M', 'mM', 'mol/kg', '% w/v', '% v/v', '% w/w', 'mg/mL')`,
    ),
  ],
);

/** Measurable properties with a canonical unit; results and predictions are stored in it too. */
export const propertyTypes = pgTable(
  'property_types',
  {
    key: text('key').primaryKey(),
    name: text('name').notNull(),
    canonicalUnit: text('canonical_unit').notNull(),
    allowedUnits: text('allowed_units').array().notNull(),
    minValue: doublePrecision('min_value'),
    maxValue: doublePrecision('max_value'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    check('property_types_key_check', sql`${table.key} ~ '^[a-z][a-z0-9_]{1,62}$'`),
    check(
      'property_types_range_check',
      sql`${table.minValue} IS NULL OR ${table.maxValue} IS NULL OR ${table.minValue} <= ${table.maxValue}`,
    ),
  ],
);

export const experiments = pgTable(
  'experiments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    mixtureId: uuid('mixture_id')
      .notNull()
      .references(() => mixtures.id, { onDelete: 'restrict' }),
    title: text('title').notNull(),
    sampleType: text('sample_type').$type<SampleType>().notNull(),
    coolingRateCPerMin: doublePrecision('cooling_rate_c_per_min'),
    warmingRateCPerMin: doublePrecision('warming_rate_c_per_min'),
    storageTemperatureC: doublePrecision('storage_temperature_c'),
    loadingSteps: jsonb('loading_steps')
      .$type<LoadingStep[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    performedAt: timestamp('performed_at', { withTimezone: true }).notNull(),
    notes: text('notes'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('experiments_mixture_idx').on(table.mixtureId),
    index('experiments_performed_at_idx').on(table.performedAt, table.id),
    index('experiments_sample_type_idx').on(table.sampleType),
    check(
      'experiments_sample_type_check',
      sql`${table.sampleType} in ('cell_line', 'primary_cells', 'tissue', 'organoid', 'embryo', 'other')`,
    ),
    check(
      'experiments_storage_temperature_check',
      sql`${table.storageTemperatureC} IS NULL OR ${table.storageTemperatureC} >= -273.15`,
    ),
  ],
);

export const experimentResults = pgTable(
  'experiment_results',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    experimentId: uuid('experiment_id')
      .notNull()
      .references(() => experiments.id, { onDelete: 'cascade' }),
    propertyKey: text('property_key')
      .notNull()
      .references(() => propertyTypes.key, { onDelete: 'restrict' }),
    value: doublePrecision('value').notNull(),
    unit: text('unit').notNull(),
    /** `value` converted to the property's canonical unit at write time. */
    canonicalValue: doublePrecision('canonical_value').notNull(),
    uncertainty: doublePrecision('uncertainty'),
    n: integer('n'),
  },
  (table) => [
    index('experiment_results_experiment_property_idx').on(table.experimentId, table.propertyKey),
    index('experiment_results_property_idx').on(table.propertyKey),
    check(
      'experiment_results_uncertainty_check',
      sql`${table.uncertainty} IS NULL OR ${table.uncertainty} >= 0`,
    ),
    check('experiment_results_n_check', sql`${table.n} IS NULL OR ${table.n} >= 1`),
  ],
);

export const predictions = pgTable(
  'predictions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    mixtureId: uuid('mixture_id').references(() => mixtures.id, { onDelete: 'cascade' }),
    moleculeId: uuid('molecule_id').references(() => molecules.id, { onDelete: 'cascade' }),
    propertyKey: text('property_key')
      .notNull()
      .references(() => propertyTypes.key, { onDelete: 'restrict' }),
    value: doublePrecision('value').notNull(),
    unit: text('unit').notNull(),
    /** `value` converted to the property's canonical unit at write time. */
    canonicalValue: doublePrecision('canonical_value').notNull(),
    methodName: text('method_name').notNull(),
    methodVersion: text('method_version').notNull(),
    confidence: doublePrecision('confidence'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('predictions_mixture_property_idx').on(table.mixtureId, table.propertyKey),
    index('predictions_molecule_property_idx').on(table.moleculeId, table.propertyKey),
    index('predictions_method_idx').on(table.methodName, table.methodVersion, table.propertyKey),
    index('predictions_created_at_idx').on(table.createdAt, table.id),
    check(
      'predictions_target_check',
      sql`(${table.mixtureId} IS NULL) <> (${table.moleculeId} IS NULL)`,
    ),
    check(
      'predictions_confidence_check',
      sql`${table.confidence} IS NULL OR (${table.confidence} >= 0 AND ${table.confidence} <= 1)`,
    ),
  ],
);
