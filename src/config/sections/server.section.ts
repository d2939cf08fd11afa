import { z } from 'zod';
import { flag, list } from '../schema-helpers';
import { EnvBinding } from '../env-binding';

export const serverSection = z.strictObject({
  /** 0 picks a free port. */
  port: z.coerce.number().int().min(0).max(65535).default(3000),
  host: z.string().min(1).default('0.0.0.0'),
  /** Largest accepted request body, in bytes. */
  bodyLimitBytes: z.coerce.number().int().min(1024).default(1_048_576),
  /** Allowed CORS origins; empty disables cross-origin requests. `*` allows any origin. */
  corsOrigins: list().default([]),
  trustProxy: flag().default(false),
  rateLimit: z
    .strictObject({
      /** Requests allowed per client address per window. */
      limit: z.coerce.number().int().min(1).default(600),
      windowSeconds: z.coerce.number().int().min(1).default(60),
    })
    .default({ limit: 600, windowSeconds: 60 }),
  /** How long in-flight requests may take to finish after SIGTERM before the process exits. */
  shutdownGraceMs: z.coerce.number().int().min(0).default(10_000),
});

export const serverEnv: EnvBinding[] = [
  { env: 'PORT', path: 'server.port' },
  { env: 'HOST', path: 'server.host' },
  { env: 'BODY_LIMIT_BYTES', path: 'server.bodyLimitBytes' },
  { env: 'CORS_ORIGINS', path: 'server.corsOrigins' },
  { env: 'TRUST_PROXY', path: 'server.trustProxy' },
  { env: 'RATE_LIMIT', path: 'server.rateLimit.limit' },
  { env: 'RATE_LIMIT_WINDOW_SECONDS', path: 'server.rateLimit.windowSeconds' },
  { env: 'SHUTDOWN_GRACE_MS', path: 'server.shutdownGraceMs' },
];
