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
  /**
   * How long a replica may keep a verified caller (user, or API key and its owner) in memory. Disabling
   * a user or changing a role clears it at once on the replica that made the change; other replicas
   * see the change within this bound. 0 looks the caller up on every request.
   */
  callerCacheTtlSeconds: z.coerce.number().int().min(0).max(300).default(10),
  /** Failed logins allowed per window, per account and per client address, before answering 429. */
  loginRateLimit: z
    .strictObject({
      windowSeconds: z.coerce.number().int().min(1).default(900),
      maxFailuresPerAccount: z.coerce.number().int().min(1).default(5),
      maxFailuresPerAddress: z.coerce.number().int().min(1).default(50),
    })
    .default({ windowSeconds: 900, maxFailuresPerAccount: 5, maxFailuresPerAddress: 50 }),
  /** First-run bootstrap: created as admin when there are no users yet. */
  adminEmail: z.string().email().optional(),
  adminPassword: z.string().min(12).optional(),
  /**
   * Accept access tokens issued by Supabase Auth. `url` is the project URL (the issuer is
   * `<url>/auth/v1`); verify with the project's JWT secret (HS256) or its JWKS (RS256/ES256 signing
   * keys; defaults to `<url>/auth/v1/.well-known/jwks.json` when only the URL is given).
   */
  supabase: z
    .strictObject({
      url: z.string().url().optional(),
      jwtSecret: z.string().min(32).optional(),
      jwksUrl: z.string().url().optional(),
      /** Role given to a provisioned user whose `app_metadata.role` is missing or unknown. */
      defaultRole: z.enum(['viewer', 'researcher', 'curator', 'admin']).default('viewer'),
    })
    .default({ defaultRole: 'viewer' }),
});

export const authEnv: EnvBinding[] = [
  { env: 'AUTH_JWT_SECRET', path: 'auth.jwtSecret' },
  { env: 'AUTH_JWT_ISSUER', path: 'auth.jwtIssuer' },
  { env: 'AUTH_JWT_AUDIENCE', path: 'auth.jwtAudience' },
  { env: 'AUTH_ACCESS_TOKEN_TTL_SECONDS', path: 'auth.accessTokenTtlSeconds' },
  { env: 'AUTH_REFRESH_TOKEN_TTL_SECONDS', path: 'auth.refreshTokenTtlSeconds' },
  { env: 'AUTH_CALLER_CACHE_TTL_SECONDS', path: 'auth.callerCacheTtlSeconds' },
  { env: 'AUTH_LOGIN_WINDOW_SECONDS', path: 'auth.loginRateLimit.windowSeconds' },
  { env: 'AUTH_LOGIN_MAX_FAILURES_PER_ACCOUNT', path: 'auth.loginRateLimit.maxFailuresPerAccount' },
  { env: 'AUTH_LOGIN_MAX_FAILURES_PER_ADDRESS', path: 'auth.loginRateLimit.maxFailuresPerAddress' },
  { env: 'ADMIN_EMAIL', path: 'auth.adminEmail' },
  { env: 'ADMIN_PASSWORD', path: 'auth.adminPassword' },
  { env: 'SUPABASE_URL', path: 'auth.supabase.url' },
  { env: 'SUPABASE_JWT_SECRET', path: 'auth.supabase.jwtSecret' },
  { env: 'SUPABASE_JWKS_URL', path: 'auth.supabase.jwksUrl' },
  { env: 'SUPABASE_DEFAULT_ROLE', path: 'auth.supabase.defaultRole' },
];
