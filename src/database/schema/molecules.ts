import { sql } from 'drizzle-orm';
import {
  check,
  customType,
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
import { users } from './users';

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => Buffer.from(value),
});

/** Registered candidate cryoprotective agents. Identity is the standard InChIKey. */
export const molecules = pgTable(
  'molecules',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    synonyms: text('synonyms')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    casNumber: text('cas_number'),
    pubchemCid: integer('pubchem_cid'),
    /** The structure as submitted (SMILES or molfile). */
    inputStructure: text('input_structure').notNull(),
    canonicalSmiles: text('canonical_smiles').notNull(),
    inchi: text('inchi').notNull(),
    inchikey: text('inchikey').notNull(),
    formula: text('formula').notNull(),
    molecularWeight: doublePrecision('molecular_weight').notNull(),
    exactMass: doublePrecision('exact_mass').notNull(),
    logp: doublePrecision('logp').notNull(),
    tpsa: doublePrecision('tpsa').notNull(),
    hbd: integer('hbd').notNull(),
    hba: integer('hba').notNull(),
    /** All computed descriptors and functional-group counts (chemistry port output). */
    descriptors: jsonb('descriptors').$type<Record<string, unknown>>().notNull(),
    /** Composite cryoprotection score 0–100 (heuristic estimate). */
    score: doublePrecision('score').notNull(),
    /** Every score with its parts and model version. */
    scores: jsonb('scores').$type<Record<string, unknown>>().notNull(),
    scoreModelVersion: text('score_model_version').notNull(),
    /** Morgan radius-2, 2048-bit fingerprint, 256 bytes. */
    fingerprint: bytea('fingerprint').notNull(),
    /** Density in g/mL at ~20–25 °C, for volume-based concentration units. */
    densityGPerMl: doublePrecision('density_g_per_ml'),
    /** Literature glass-transition temperature of the pure compound, °C. */
    tgCelsius: doublePrecision('tg_celsius'),
    tgSource: text('tg_source'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('molecules_inchikey_key').on(table.inchikey),
    index('molecules_name_lower_idx').using('btree', sql`lower(${table.name})`),
    index('molecules_molecular_weight_idx').on(table.molecularWeight),
    index('molecules_score_idx').on(table.score),
    index('molecules_created_at_idx').on(table.createdAt, table.id),
    check(
      'molecules_density_check',
      sql`${table.densityGPerMl} IS NULL OR ${table.densityGPerMl} > 0`,
    ),
  ],
);
