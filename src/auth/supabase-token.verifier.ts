import { Injectable } from '@nestjs/common';
import { createRemoteJWKSet, decodeJwt, errors as joseErrors, JWTPayload, jwtVerify } from 'jose';
import { AppConfig } from '../config/app-config';
import { UserRole, userRoles } from '../database/schema/users';
import { TokenErrors } from './token.service';

export interface SupabaseIdentity {
  subject: string;
  email: string;
  /** From `app_metadata.role` (set only by the Supabase service role), else the configured default. */
  role: UserRole;
}

type KeyInput = Parameters<typeof jwtVerify>[1];

/**
 * Verifies access tokens issued by Supabase Auth: signature (project secret → HS256, or the project's
 * JWKS → RS256/ES256, never both, so a token HS256-signed with a public key is refused), issuer
 * `<SUPABASE_URL>/auth/v1`, audience `authenticated`, expiry. Server-side verification needs no
 * Supabase client: `@supabase/supabase-js` would call the Auth server per request (`getUser`) or do
 * the same JWKS check we do here.
 */
@Injectable()
export class SupabaseTokenVerifier {
  readonly issuer?: string;
  private readonly key?: KeyInput;
  private readonly algorithms: string[] = [];
  private readonly defaultRole: UserRole;

  constructor(config: AppConfig) {
    const { url, jwtSecret, jwksUrl, defaultRole } = config.auth.supabase;
    this.defaultRole = defaultRole;
    if (!url) return;
    this.issuer = `${url.replace(/\/+$/, '')}/auth/v1`;
    if (jwtSecret) {
      this.key = new TextEncoder().encode(jwtSecret);
      this.algorithms = ['HS256'];
    } else {
      this.key = createRemoteJWKSet(new URL(jwksUrl ?? `${this.issuer}/.well-known/jwks.json`), {
        timeoutDuration: 5_000,
        cooldownDuration: 30_000,
      });
      this.algorithms = ['RS256', 'ES256'];
    }
  }

  get enabled(): boolean {
    return this.key !== undefined;
  }

  /** Whether an (unverified) token claims to come from Supabase; only picks the verifier, proves nothing. */
  claimsSupabaseIssuer(token: string): boolean {
    if (!this.enabled) return false;
    try {
      return decodeJwt(token).iss === this.issuer;
    } catch {
      return false;
    }
  }

  async verify(token: string): Promise<SupabaseIdentity> {
    if (!this.key) throw TokenErrors.invalid();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        algorithms: this.algorithms,
        issuer: this.issuer,
        audience: 'authenticated',
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw TokenErrors.expired();
      throw TokenErrors.invalid();
    }
    const email = typeof payload.email === 'string' ? payload.email.trim().toLowerCase() : '';
    if (!email) throw TokenErrors.invalid('The Supabase token carries no email.');
    return { subject: String(payload.sub), email, role: this.roleFrom(payload.app_metadata) };
  }

  private roleFrom(appMetadata: unknown): UserRole {
    const role = (appMetadata as { role?: unknown } | undefined)?.role;
    return userRoles.find((known) => known === role) ?? this.defaultRole;
  }
}
