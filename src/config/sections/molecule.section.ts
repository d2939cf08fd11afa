import { z } from 'zod';
import { flag } from '../schema-helpers';
import { EnvBinding } from '../env-binding';

const searchDefaults = { timeBudgetMs: 2_000, maxResults: 1_000, syncIntervalMs: 1_000 };

export const moleculeSection = z.strictObject({
  /** Load the bundled reference cryoprotectants on the first start of an empty embedded database. */
  seedOnFirstStart: flag().default(true),
  /** Largest accepted import file (CSV or SDF), in bytes. */
  importMaxBytes: z.coerce
    .number()
    .int()
    .min(1_024)
    .max(1_073_741_824)
    .default(50 * 1_048_576),
  search: z
    .strictObject({
      /** Wall-clock budget of one structure search; a search that runs out answers truncated. */
      timeBudgetMs: z.coerce
        .number()
        .int()
        .min(10)
        .max(60_000)
        .default(searchDefaults.timeBudgetMs),
      /** Upper bound of a search's `limit`. */
      maxResults: z.coerce.number().int().min(1).max(10_000).default(searchDefaults.maxResults),
      /**
       * At most this often, a search first checks the molecules table (count, max(updated_at)) and
       * applies writes made by other replicas to this replica's in-memory indexes. 0 = every search.
       */
      syncIntervalMs: z.coerce
        .number()
        .int()
        .min(0)
        .max(3_600_000)
        .default(searchDefaults.syncIntervalMs),
    })
    .default(searchDefaults),
});

export const moleculeEnv: EnvBinding[] = [
  { env: 'SEED_ON_FIRST_START', path: 'molecule.seedOnFirstStart' },
  { env: 'MOLECULE_IMPORT_MAX_BYTES', path: 'molecule.importMaxBytes' },
  { env: 'SEARCH_TIME_BUDGET_MS', path: 'molecule.search.timeBudgetMs' },
  { env: 'SEARCH_MAX_RESULTS', path: 'molecule.search.maxResults' },
  { env: 'SEARCH_SYNC_INTERVAL_MS', path: 'molecule.search.syncIntervalMs' },
];
