import { z } from 'zod';
import { EnvBinding } from '../env-binding';

const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL');

export const databaseSection = z.strictObject({
  /** Unset: embedded PGlite under dataDir. Set: PostgreSQL (or Supabase) through node-postgres. */
  url: postgresUrl.optional(),
  /** TLS for PostgreSQL: disable, require (encrypt, no certificate check) or verify-full. */
  ssl: z.enum(['disable', 'require', 'verify-full']).default('disable'),
  /** PEM file with the CA that signed the server certificate (verify-full). */
  sslCaFile: z.string().optional(),
  poolMax: z.coerce.number().int().min(1).max(200).default(10),
  statementTimeoutMs: z.coerce.number().int().min(0).default(30_000),
});

export const cacheSection = z.strictObject({
  /** Unset: in-process LRU. Set: Redis (shared by all replicas). */
  redisUrl: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  defaultTtlSeconds: z.coerce.number().int().min(1).default(300),
  lruMaxEntries: z.coerce.number().int().min(1).default(10_000),
  /** A cache call slower than this counts as a miss, so a slow Redis never slows the API. */
  operationTimeoutMs: z.coerce.number().int().min(1).default(250),
});

export const storageEnv: EnvBinding[] = [
  { env: 'DATABASE_URL', path: 'database.url' },
  { env: 'DATABASE_SSL', path: 'database.ssl' },
  { env: 'DATABASE_SSL_CA_FILE', path: 'database.sslCaFile' },
  { env: 'DATABASE_POOL_MAX', path: 'database.poolMax' },
  { env: 'DATABASE_STATEMENT_TIMEOUT_MS', path: 'database.statementTimeoutMs' },
  { env: 'REDIS_URL', path: 'cache.redisUrl' },
  { env: 'CACHE_TTL_SECONDS', path: 'cache.defaultTtlSeconds' },
  { env: 'CACHE_LRU_MAX_ENTRIES', path: 'cache.lruMaxEntries' },
];
