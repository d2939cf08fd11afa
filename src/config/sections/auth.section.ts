import { z } from 'zod';
import { EnvBinding } from '../env-binding';

export const authSection = z.strictObject({
  /**
   * HMAC secret for access tokens (at least 32 characters). Unset: a random secret is generated once
   * and kept in <dataDir>/secrets/jwt-secret, so tokens survive restarts of a single instance.
   */
  jwtSecret: z.string().min(32).optional(),
  jwtIssuer: z.string().default('cryoprotect'),
  jwtAudience: z.string().default('cryoprotect-api'),
  accessTokenTtlSeconds: z.coerce.number().int().min(30).max(86_400).default(900),
  refreshTokenTtlSeconds: z.coerce
    .number()
    .int()
    .min(60)
    .default(30 * 86_400),
  /** First-run bootstrap: created as admin when there are no users yet. */
  adminEmail: z.string().email().optional(),
  adminPassword: z.string().min(12).optional(),
  supabase: z
    .strictObject({
      url: z.string().url().optional(),
      jwtSecret: z.string().min(32).optional(),
      jwksUrl: z.string().url().optional(),
    })
    .default({}),
});

export const authEnv: EnvBinding[] = [
  { env: 'AUTH_JWT_SECRET', path: 'auth.jwtSecret' },
  { env: 'AUTH_JWT_ISSUER', path: 'auth.jwtIssuer' },
  { env: 'AUTH_JWT_AUDIENCE', path: 'auth.jwtAudience' },
  { env: 'AUTH_ACCESS_TOKEN_TTL_SECONDS', path: 'auth.accessTokenTtlSeconds' },
  { env: 'AUTH_REFRESH_TOKEN_TTL_SECONDS', path: 'auth.refreshTokenTtlSeconds' },
  { env: 'ADMIN_EMAIL', path: 'auth.adminEmail' },
  { env: 'ADMIN_PASSWORD', path: 'auth.adminPassword' },
  { env: 'SUPABASE_URL', path: 'auth.supabase.url' },
  { env: 'SUPABASE_JWT_SECRET', path: 'auth.supabase.jwtSecret' },
  { env: 'SUPABASE_JWKS_URL', path: 'auth.supabase.jwksUrl' },
];
