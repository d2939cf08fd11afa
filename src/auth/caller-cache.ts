import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ApiKeyRow } from './api-key.repository';
import { UserRow } from './user.repository';

const MAX_ENTRIES = 10_000;

class TtlMap<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(private readonly ttlMs: number) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V): void {
    if (this.ttlMs === 0) return;
    // Map keeps insertion order, so the first key is the oldest entry.
    if (this.entries.size >= MAX_ENTRIES)
      this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { value, expiresAt: Date.now() + this.ttlMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

/**
 * Verified callers kept in memory for a few seconds, so an authenticated request does not pay a
 * database round trip. Every change to a user or key on this replica evicts it at once; other
 * replicas see it within `auth.callerCacheTtlSeconds`.
 */
@Injectable()
export class CallerCache {
  private readonly users: TtlMap<UserRow>;
  private readonly keys: TtlMap<ApiKeyRow>;

  constructor(config: AppConfig) {
    const ttlMs = config.auth.callerCacheTtlSeconds * 1000;
    this.users = new TtlMap(ttlMs);
    this.keys = new TtlMap(ttlMs);
  }

  async user(id: string, load: () => Promise<UserRow | undefined>): Promise<UserRow | undefined> {
    const cached = this.users.get(id);
    if (cached) return cached;
    const row = await load();
    if (row) this.users.set(id, row);
    return row;
  }

  async apiKey(
    id: string,
    load: () => Promise<ApiKeyRow | undefined>,
  ): Promise<ApiKeyRow | undefined> {
    const cached = this.keys.get(id);
    if (cached) return cached;
    const row = await load();
    if (row) this.keys.set(id, row);
    return row;
  }

  /** The cached user, without loading it. */
  peekUser(id: string): UserRow | undefined {
    return this.users.get(id);
  }

  /** The cached API key, without loading it. */
  peekApiKey(id: string): ApiKeyRow | undefined {
    return this.keys.get(id);
  }

  evictUser(id: string): void {
    this.users.delete(id);
  }

  evictApiKey(id: string): void {
    this.keys.delete(id);
  }
}
