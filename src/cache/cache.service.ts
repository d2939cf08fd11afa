import KeyvRedis, { createClient, Keyv } from '@keyv/redis';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Cache, createCache } from 'cache-manager';
import { KeyvCacheableMemory } from 'cacheable';
import { AppConfig } from '../config/app-config';
import { withTimeout } from '../common/timeout';

export type CacheBackend = 'memory' | 'redis';

export interface CacheCounters {
  hits: number;
  misses: number;
  errors: number;
}

type RedisClient = ReturnType<typeof createClient>;

/**
 * Read-through cache: an in-process LRU by default, Redis when REDIS_URL is set. The cache is an
 * optimisation only: any cache failure or slowness is a miss, never an error for the caller.
 */
@Injectable()
export class CacheService implements OnApplicationShutdown {
  private readonly logger = new Logger(CacheService.name);
  readonly backend: CacheBackend;
  readonly counters: CacheCounters = { hits: 0, misses: 0, errors: 0 };
  private readonly cache: Cache;
  private readonly redis?: RedisClient;
  private readonly timeoutMs: number;
  private readonly defaultTtlMs: number;
  private lastErrorLog = 0;

  constructor(config: AppConfig) {
    const { redisUrl, defaultTtlSeconds, lruMaxEntries, operationTimeoutMs } = config.cache;
    this.timeoutMs = operationTimeoutMs;
    this.defaultTtlMs = defaultTtlSeconds * 1000;
    let store: Keyv;
    if (redisUrl) {
      this.backend = 'redis';
      this.redis = createClient({
        url: redisUrl,
        // Fail fast while disconnected instead of queueing commands until Redis returns.
        disableOfflineQueue: true,
        socket: {
          connectTimeout: 2_000,
          reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 5_000),
        },
      });
      this.redis.on('error', (error: Error) => this.noteError(error));
      const adapter = new KeyvRedis(this.redis, {
        throwOnConnectError: false,
        throwOnErrors: true,
      });
      store = new Keyv({ store: adapter, namespace: 'cryoprotect', useKeyPrefix: false });
      void this.redis.connect().catch((error: Error) => this.noteError(error));
    } else {
      this.backend = 'memory';
      store = new Keyv({ store: new KeyvCacheableMemory({ lruSize: lruMaxEntries }) });
    }
    store.on('error', (error: Error) => this.noteError(error));
    this.cache = createCache({ stores: [store], ttl: this.defaultTtlMs });
  }

  async get<T>(key: string): Promise<T | undefined> {
    try {
      const value = await withTimeout(this.cache.get<T>(key), this.timeoutMs);
      if (value === undefined || value === null) {
        this.counters.misses++;
        return undefined;
      }
      this.counters.hits++;
      return value;
    } catch (error) {
      this.noteError(error as Error);
      this.counters.misses++;
      return undefined;
    }
  }

  async set<T>(key: string, value: T, ttlSeconds?: number): Promise<void> {
    try {
      await withTimeout(
        this.cache.set(key, value, ttlSeconds ? ttlSeconds * 1000 : this.defaultTtlMs),
        this.timeoutMs,
      );
    } catch (error) {
      this.noteError(error as Error);
    }
  }

  async del(...keys: string[]): Promise<void> {
    try {
      await withTimeout(this.cache.mdel(keys), this.timeoutMs);
    } catch (error) {
      this.noteError(error as Error);
    }
  }

  /** Returns the cached value, or computes, caches and returns it. */
  async wrap<T>(key: string, compute: () => Promise<T>, ttlSeconds?: number): Promise<T> {
    const cached = await this.get<T>(key);
    if (cached !== undefined) return cached;
    const value = await compute();
    void this.set(key, value, ttlSeconds);
    return value;
  }

  /** Throws when the cache backend is unreachable (readiness reports it; requests do not fail). */
  async ping(): Promise<void> {
    if (!this.redis) return;
    if (!this.redis.isReady) throw new Error('redis is not connected');
    await withTimeout(this.redis.ping(), this.timeoutMs * 4);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis?.isOpen) await this.redis.quit().catch(() => this.redis?.destroy());
    else this.redis?.destroy();
  }

  private noteError(error: Error): void {
    this.counters.errors++;
    const now = Date.now();
    if (now - this.lastErrorLog > 10_000) {
      this.lastErrorLog = now;
      this.logger.warn(`cache ${this.backend} error (treated as a miss): ${error.message}`);
    }
  }
}
