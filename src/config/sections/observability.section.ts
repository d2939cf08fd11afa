import { z } from 'zod';
import { flag } from '../schema-helpers';
import { EnvBinding } from '../env-binding';

export const logSection = z.strictObject({
  level: z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']).default('info'),
  /** Also write ECS JSON lines to a size-rotated file in this folder (relative to dataDir if not absolute). */
  dir: z.string().optional(),
  maxFileBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .default(50 * 1024 * 1024),
  maxFiles: z.coerce.number().int().min(1).default(5),
  /** Log one line per HTTP request. */
  requests: flag().default(true),
  /**
   * Format request lines on a worker thread (request-line.offload.ts); false (the default) formats
   * them in batches every 5 ms on the request's thread, which measured cheaper (stop 23).
   */
  requestWorker: flag().default(false),
});

export const metricsSection = z.strictObject({
  enabled: flag().default(true),
  /** When set, /metrics requires `Authorization: Bearer <token>`. */
  bearerToken: z.string().min(16).optional(),
});

export const observabilityEnv: EnvBinding[] = [
  { env: 'LOG_LEVEL', path: 'log.level' },
  { env: 'LOG_DIR', path: 'log.dir' },
  { env: 'LOG_MAX_FILE_BYTES', path: 'log.maxFileBytes' },
  { env: 'LOG_MAX_FILES', path: 'log.maxFiles' },
  { env: 'LOG_REQUESTS', path: 'log.requests' },
  { env: 'LOG_REQUEST_WORKER', path: 'log.requestWorker' },
  { env: 'METRICS_ENABLED', path: 'metrics.enabled' },
  { env: 'METRICS_BEARER_TOKEN', path: 'metrics.bearerToken' },
];
