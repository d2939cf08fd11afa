import { z } from 'zod';
import { flag } from '../schema-helpers';
import { EnvBinding } from '../env-binding';

export const moleculeSection = z.strictObject({
  /** Load the bundled reference cryoprotectants on the first start of an empty embedded database. */
  seedOnFirstStart: flag().default(true),
  search: z
    .strictObject({
      timeBudgetMs: z.coerce.number().int().min(10).max(60_000).default(2_000),
      maxResults: z.coerce.number().int().min(1).max(10_000).default(1_000),
    })
    .default({ timeBudgetMs: 2_000, maxResults: 1_000 }),
});

export const moleculeEnv: EnvBinding[] = [
  { env: 'SEED_ON_FIRST_START', path: 'molecule.seedOnFirstStart' },
  { env: 'SEARCH_TIME_BUDGET_MS', path: 'molecule.search.timeBudgetMs' },
  { env: 'SEARCH_MAX_RESULTS', path: 'molecule.search.maxResults' },
];
