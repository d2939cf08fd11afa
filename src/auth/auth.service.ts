import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { RequestContext } from '../common/request-context';
import { AppConfig } from '../config/app-config';
import { Database, Db } from '../database/database';
import { AuditService } from '../audit/audit.service';
import { LockErrors, RefreshErrors } from './auth.errors';
import { AuthUser } from './auth-user';
import { CallerCache } from './caller-cache';
import { LoginThrottleRepository } from './login-throttle.repository';
import { PasswordHasher } from './password.hasher';
import { RefreshTokenRepository } from './refresh-token.repository';
import { hashSecret, randomSecret } from './secrets';
import { SupabaseTokenVerifier } from './supabase-token.verifier';
import { TokenErrors, TokenService } from './token.service';
import { UserRepository, UserRow } from './user.repository';
import { UserService } from './user.service';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

export const LoginErrors = {
  // One answer for unknown email and wrong password, so the endpoint does not reveal accounts.
  invalidCredentials: () =>
    new AppError('AUTH_INVALID_CREDENTIALS', 401, 'Invalid credentials', {
      detail: 'The email or password is not correct.',
    }),
  disabled: () =>
    new AppError('AUTH_USER_DISABLED', 401, 'Account disabled', {
      detail: 'This account is disabled.',
    }),
};

const REFRESH_PREFIX = 'cpr_';

type RefreshOutcome =
  | { kind: 'rotated'; pair: TokenPair }
  | { kind: 'reused'; user: UserRow | undefined }
  | { kind: 'invalid' };

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UserRepository,
    private readonly userService: UserService,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly throttles: LoginThrottleRepository,
    private readonly supabase: SupabaseTokenVerifier,
    private readonly callers: CallerCache,
    private readonly audit: AuditService,
    private readonly database: Database,
    private readonly config: AppConfig,
  ) {}

  /**
   * Password login. Failures count per account and per client address; past the limit the answer is
   * 429 until the window ends, even for the right password, so guessing cannot continue.
   */
  async login(email: string, password: string): Promise<TokenPair> {
    const keys = throttleKeys(email);
    await this.refuseWhileLocked(email, keys);
    const user = await this.users.findByEmail(email);
    if (!user?.passwordHash) {
      await this.hasher.verify(await this.hasher.decoy, password);
      return this.failLogin(email, keys, user, 'invalid_credentials');
    }
    if (!(await this.hasher.verify(user.passwordHash, password)))
      return this.failLogin(email, keys, user, 'invalid_credentials');
    if (user.status !== 'active') return this.failLogin(email, keys, user, 'disabled');
    await this.throttles.clear(keys[0]);
    return this.database.transaction(async (tx) => {
      const pair = await this.issuePair(user, randomUUID(), tx);
      await this.audit.record(
        {
          action: 'auth.login',
          entityType: 'User',
          entityId: user.id,
          actor: { id: user.id, email: user.email },
        },
        tx,
      );
      return pair;
    });
  }

  /** Rotates a refresh token. A token presented after it was rotated revokes its whole family. */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const tokenHash = hashSecret(refreshToken);
    const outcome = await this.database.transaction(async (tx): Promise<RefreshOutcome> => {
      const row = await this.refreshTokens.findByHashForUpdate(tokenHash, tx);
      if (!row || row.revokedAt || row.expiresAt.getTime() <= Date.now())
        return { kind: 'invalid' };
      const now = new Date();
      const user = await this.users.findById(row.userId, tx);
      if (row.rotatedAt) {
        await this.refreshTokens.revokeFamily(row.familyId, now, tx);
        await this.audit.record(
          {
            action: 'auth.refresh_reuse',
            entityType: 'User',
            entityId: row.userId,
            actor: user ? { id: user.id, email: user.email } : null,
            after: { familyId: row.familyId },
          },
          tx,
        );
        return { kind: 'reused', user };
      }
      if (!user || user.status !== 'active') return { kind: 'invalid' };
      await this.refreshTokens.markRotated(row.id, now, tx);
      return { kind: 'rotated', pair: await this.issuePair(user, row.familyId, tx) };
    });
    if (outcome.kind === 'reused') throw RefreshErrors.reused();
    if (outcome.kind === 'invalid') throw RefreshErrors.invalid();
    return outcome.pair;
  }

  /** Ends the session the refresh token belongs to (its whole family). Unknown tokens change nothing. */
  async logout(caller: AuthUser, refreshToken: string): Promise<void> {
    await this.database.transaction(async (tx) => {
      const row = await this.refreshTokens.findByHashForUpdate(hashSecret(refreshToken), tx);
      if (!row || row.userId !== caller.id) return;
      await this.refreshTokens.revokeFamily(row.familyId, new Date(), tx);
      await this.audit.record(
        { action: 'auth.logout', entityType: 'User', entityId: caller.id },
        tx,
      );
    });
  }

  /** Resolves a bearer token (ours, or Supabase's when configured) to the current state of its user. */
  async authenticateBearer(token: string): Promise<AuthUser> {
    if (this.supabase.claimsSupabaseIssuer(token)) {
      const identity = await this.supabase.verify(token);
      const user = await this.userService.findOrProvisionExternal(identity);
      return toAuthUser(activeOrThrow(user), 'supabase');
    }
    const claims = await this.tokens.verifyAccessToken(token);
    const user = await this.callers.user(claims.sub, () => this.users.findById(claims.sub));
    if (!user) throw TokenErrors.invalid('Unknown user.');
    return toAuthUser(activeOrThrow(user), 'password');
  }

  /**
   * The caller of one of our access tokens verified before (not expired), when its user is cached
   * and active: what authenticateBearer would answer. Undefined otherwise (authenticateBearer decides).
   * Only our own tokens are ever remembered (Supabase tokens never reach verifyAccessToken), so no
   * issuer check is needed here.
   */
  recallBearer(token: string): AuthUser | undefined {
    const claims = this.tokens.recallAccessToken(token);
    if (!claims) return undefined;
    const user = this.callers.peekUser(claims.sub);
    return user?.status === 'active' ? toAuthUser(user, 'password') : undefined;
  }

  private async issuePair(user: UserRow, familyId: string, tx: Db): Promise<TokenPair> {
    const refreshToken = `${REFRESH_PREFIX}${randomSecret()}`;
    await this.refreshTokens.insert(
      {
        familyId,
        userId: user.id,
        tokenHash: hashSecret(refreshToken),
        expiresAt: new Date(Date.now() + this.config.auth.refreshTokenTtlSeconds * 1000),
      },
      tx,
    );
    return {
      accessToken: await this.tokens.signAccessToken({ sub: user.id, role: user.role }),
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: this.tokens.accessTokenTtlSeconds,
    };
  }

  private async refuseWhileLocked(email: string, keys: string[]): Promise<void> {
    const { windowSeconds, maxFailuresPerAccount, maxFailuresPerAddress } =
      this.config.auth.loginRateLimit;
    const rows = await this.throttles.findByKeys(keys);
    const now = Date.now();
    let retryAfterMs = 0;
    for (const row of rows) {
      const limit = row.key === keys[0] ? maxFailuresPerAccount : maxFailuresPerAddress;
      const windowEnd = row.windowStartedAt.getTime() + windowSeconds * 1000;
      if (row.failures >= limit && windowEnd > now)
        retryAfterMs = Math.max(retryAfterMs, windowEnd - now);
    }
    if (retryAfterMs === 0) return;
    const retryAfterSeconds = Math.ceil(retryAfterMs / 1000);
    await this.audit.record({
      action: 'auth.login_failed',
      entityType: 'User',
      actor: null,
      actorEmail: email,
      after: { reason: 'locked', retryAfterSeconds },
    });
    throw LockErrors.locked(retryAfterSeconds);
  }

  private async failLogin(
    email: string,
    keys: string[],
    user: UserRow | undefined,
    reason: string,
  ): Promise<never> {
    await this.throttles.recordFailures(keys, this.config.auth.loginRateLimit.windowSeconds);
    await this.audit.record({
      action: 'auth.login_failed',
      entityType: 'User',
      entityId: user?.id ?? null,
      actor: null,
      actorEmail: email,
      after: { reason },
    });
    throw LoginErrors.invalidCredentials();
  }
}

function throttleKeys(email: string): [account: string, address: string] {
  const ip = RequestContext.current()?.ip ?? 'unknown';
  return [`account:${email.trim().toLowerCase()}`, `address:${ip}`];
}

function activeOrThrow(user: UserRow): UserRow {
  if (user.status !== 'active') throw LoginErrors.disabled();
  return user;
}

export function toAuthUser(user: UserRow, via: AuthUser['via']): AuthUser {
  // apiKeyId is always present (undefined but for API keys): every caller object has one shape.
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    role: user.role,
    via,
    apiKeyId: undefined,
  };
}
