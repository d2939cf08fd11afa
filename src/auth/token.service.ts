import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { AppError } from '../common/app-error';
import { AppConfig } from '../config/app-config';
import { UserRole } from '../database/schema/users';

export interface AccessTokenClaims {
  sub: string;
  role: UserRole;
}

export const TokenErrors = {
  invalid: (detail = 'The access token is not valid.') =>
    new AppError('AUTH_TOKEN_INVALID', 401, 'Invalid token', { detail }),
  expired: () =>
    new AppError('AUTH_TOKEN_EXPIRED', 401, 'Token expired', {
      detail: 'The access token has expired.',
    }),
};

const VERIFIED_CACHE_ENTRIES = 10_000;

/**
 * Signs and verifies the service's own access tokens (HS256, with issuer, audience, expiry and key id).
 * jose verifies through WebCrypto, which costs ~0.2 ms per token on this hardware; a client sends the
 * same token for its whole lifetime, so a token string once verified is remembered until it expires
 * (same signature, same claims: the result cannot change). The user's status and role are not part
 * of this: they are read per request (AuthService).
 */
@Injectable()
export class TokenService {
  private readonly logger = new Logger(TokenService.name);
  private readonly key: Uint8Array;
  private readonly verified = new Map<string, AccessTokenClaims & { expiresAtMs: number }>();
  readonly keyId: string;

  constructor(private readonly config: AppConfig) {
    const secret = config.auth.jwtSecret ?? this.generatedSecret();
    this.key = new TextEncoder().encode(secret);
    this.keyId = createHash('sha256').update(secret).digest('hex').slice(0, 16);
  }

  get accessTokenTtlSeconds(): number {
    return this.config.auth.accessTokenTtlSeconds;
  }

  async signAccessToken(claims: AccessTokenClaims): Promise<string> {
    const { jwtIssuer, jwtAudience, accessTokenTtlSeconds } = this.config.auth;
    return new SignJWT({ role: claims.role })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: this.keyId })
      .setSubject(claims.sub)
      .setIssuer(jwtIssuer)
      .setAudience(jwtAudience)
      .setIssuedAt()
      .setJti(randomBytes(12).toString('base64url'))
      .setExpirationTime(`${accessTokenTtlSeconds}s`)
      .sign(this.key);
  }

  /** The claims of a token verified before and not expired yet; undefined when it must be verified. */
  recallAccessToken(token: string): AccessTokenClaims | undefined {
    const known = this.verified.get(token);
    return known && known.expiresAtMs > Date.now() ? known : undefined;
  }

  /** Verifies signature (HS256 only), kid, issuer, audience and expiry. */
  async verifyAccessToken(token: string): Promise<AccessTokenClaims> {
    const known = this.verified.get(token);
    if (known) {
      if (known.expiresAtMs > Date.now()) return { sub: known.sub, role: known.role };
      this.verified.delete(token);
      throw TokenErrors.expired();
    }
    const claims = await this.verifyWithJose(token);
    // Map keeps insertion order: evict the oldest entry when full.
    if (this.verified.size >= VERIFIED_CACHE_ENTRIES)
      this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(token, claims);
    return { sub: claims.sub, role: claims.role };
  }

  private async verifyWithJose(
    token: string,
  ): Promise<AccessTokenClaims & { expiresAtMs: number }> {
    try {
      const { payload, protectedHeader } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        issuer: this.config.auth.jwtIssuer,
        audience: this.config.auth.jwtAudience,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      if (protectedHeader.kid !== this.keyId) throw TokenErrors.invalid('Unknown signing key.');
      return {
        sub: String(payload.sub),
        role: payload.role as UserRole,
        expiresAtMs: Number(payload.exp) * 1000,
      };
    } catch (error) {
      if (error instanceof AppError) throw error;
      if (error instanceof joseErrors.JWTExpired) throw TokenErrors.expired();
      throw TokenErrors.invalid();
    }
  }

  private generatedSecret(): string {
    const dir = join(this.config.dataDir, 'secrets');
    const file = join(dir, 'jwt-secret');
    if (existsSync(file)) return readFileSync(file, 'utf8').trim();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const secret = randomBytes(48).toString('base64url');
    writeFileSync(file, secret, { mode: 0o600 });
    this.logger.warn(
      `AUTH_JWT_SECRET is not set: generated one in ${file}. Set it explicitly when running more than one replica.`,
    );
    return secret;
  }
}
