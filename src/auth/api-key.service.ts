import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { Database } from '../database/database';
import { UserRole } from '../database/schema/users';
import { AbilityFactory, asSubject, lowerRole, roleIsAtMost } from '../rbac/ability.factory';
import { ownershipFilter } from '../rbac/ownership-filter';
import { ApiKeyErrors } from './auth.errors';
import { AuthUser } from './auth-user';
import { ApiKeyRepository, ApiKeyRow } from './api-key.repository';
import { CallerCache } from './caller-cache';
import { LoginErrors, toAuthUser } from './auth.service';
import { hashSecret, randomSecret, secretMatches } from './secrets';
import { UserRepository, UserRow } from './user.repository';

export interface NewApiKey {
  name: string;
  role?: UserRole;
  expiresAt?: Date;
}

export interface ApiKeyView {
  id: string;
  name: string;
  role: UserRole;
  ownerId: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
}

const KEY_FORMAT =
  /^cpk_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
// Presented keys whose secret matched (bounded like the caller cache).
const MATCHED_KEYS_MAX = 10_000;
// last_used_at is a hint, not a log: written at most once a minute per key and replica.
const LAST_USED_RESOLUTION_MS = 60_000;

/** API keys: `cpk_<id>_<secret>`, shown once, stored as SHA-256 of the secret, acting as their owner with at most the key's role. */
@Injectable()
export class ApiKeyService {
  private readonly lastUsedWrites = new Map<string, number>();
  /** Presented key → the key id and stored hash its secret matched, so a repeat is not hashed again. */
  private readonly matched = new Map<string, { id: string; secretHash: string }>();

  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly users: UserRepository,
    private readonly abilities: AbilityFactory,
    private readonly callers: CallerCache,
    private readonly audit: AuditService,
    private readonly database: Database,
  ) {}

  async createKey(caller: AuthUser, input: NewApiKey): Promise<ApiKeyView & { key: string }> {
    const role = input.role ?? caller.role;
    if (!roleIsAtMost(role, caller.role)) throw ApiKeyErrors.roleTooHigh(role, caller.role);
    const secret = randomSecret();
    const row = await this.database.transaction(async (tx) => {
      const created = await this.keys.insert(
        {
          createdBy: caller.id,
          name: input.name,
          role,
          secretHash: hashSecret(secret),
          expiresAt: input.expiresAt ?? null,
        },
        tx,
      );
      await this.audit.record(
        {
          action: 'api_key.create',
          entityType: 'ApiKey',
          entityId: created.id,
          after: toView(created),
        },
        tx,
      );
      return created;
    });
    return { ...toView(row), key: `cpk_${row.id}_${secret}` };
  }

  /** The caller's own keys; with `all`, every key the caller's role may read (admins: everyone's). */
  async listKeys(caller: AuthUser, all: boolean): Promise<ApiKeyView[]> {
    if (!all) return (await this.keys.listActiveOfOwner(caller.id)).map(toView);
    const visible = ownershipFilter(
      this.abilities.createForUser(caller),
      'read',
      'ApiKey',
      this.keys.ownerColumn,
    );
    return (await this.keys.listActive(visible)).map(toView);
  }

  /** Revokes a key. A key the caller may not delete answers 404 like a missing one, so ids do not leak. */
  async deleteKey(caller: AuthUser, id: string): Promise<void> {
    const ability = this.abilities.createForUser(caller);
    const existing = await this.keys.findActiveById(id);
    if (!existing || !ability.can('delete', asSubject('ApiKey', existing)))
      throw ApiKeyErrors.notFound(id);
    await this.database.transaction(async (tx) => {
      const revoked = await this.keys.revoke(id, new Date(), tx);
      if (!revoked) throw ApiKeyErrors.notFound(id);
      await this.audit.record(
        { action: 'api_key.delete', entityType: 'ApiKey', entityId: id, before: toView(existing) },
        tx,
      );
    });
    this.callers.evictApiKey(id);
  }

  /** Resolves an `X-API-Key` value to its owner, acting with the lower of the key's and the owner's role. */
  async authenticate(presented: string): Promise<AuthUser> {
    const match = KEY_FORMAT.exec(presented);
    if (!match) throw ApiKeyErrors.invalid();
    const [, id, secret] = match;
    const key = await this.callers.apiKey(id, () => this.keys.findActiveById(id));
    if (!key || !secretMatches(secret, key.secretHash)) throw ApiKeyErrors.invalid();
    if (key.revokedAt || (key.expiresAt && key.expiresAt.getTime() <= Date.now()))
      throw ApiKeyErrors.invalid();
    const owner = await this.callers.user(key.createdBy, () => this.users.findById(key.createdBy));
    if (!owner) throw ApiKeyErrors.invalid();
    if (owner.status !== 'active') throw LoginErrors.disabled();
    this.remember(presented, key);
    return this.caller(key, owner);
  }

  /**
   * The caller of a key whose secret matched before, when the key (same stored hash, not revoked,
   * not expired) and its active owner are still in the caller cache: what authenticate would answer.
   * Undefined otherwise (authenticate decides). Revoking a key or changing its owner evicts them.
   */
  recall(presented: string): AuthUser | undefined {
    const matched = this.matched.get(presented);
    if (!matched) return undefined;
    const key = this.callers.peekApiKey(matched.id);
    if (
      !key ||
      key.secretHash !== matched.secretHash ||
      key.revokedAt ||
      (key.expiresAt && key.expiresAt.getTime() <= Date.now())
    )
      return undefined;
    const owner = this.callers.peekUser(key.createdBy);
    if (owner?.status !== 'active') return undefined;
    return this.caller(key, owner);
  }

  private caller(key: ApiKeyRow, owner: UserRow): AuthUser {
    this.noteUse(key);
    return {
      ...toAuthUser(owner, 'api-key'),
      role: lowerRole(key.role, owner.role),
      apiKeyId: key.id,
    };
  }

  private remember(presented: string, key: ApiKeyRow): void {
    if (this.matched.has(presented)) return;
    // Map keeps insertion order: forget the oldest entry when full.
    if (this.matched.size >= MATCHED_KEYS_MAX)
      this.matched.delete(this.matched.keys().next().value as string);
    this.matched.set(presented, { id: key.id, secretHash: key.secretHash });
  }

  private noteUse(key: ApiKeyRow): void {
    const now = Date.now();
    if (now - (this.lastUsedWrites.get(key.id) ?? 0) < LAST_USED_RESOLUTION_MS) return;
    this.lastUsedWrites.set(key.id, now);
    // Off the request path: a failed hint write must not fail the request.
    void this.keys
      .touchLastUsed(key.id, new Date(now))
      .catch(() => this.lastUsedWrites.delete(key.id));
  }
}

function toView(row: ApiKeyRow): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    ownerId: row.createdBy,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}
