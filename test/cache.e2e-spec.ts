import { ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { CacheService } from '../src/cache/cache.service';
import { AppConfig } from '../src/config/app-config';
import { loadConfig } from '../src/config/config.loader';
import { freePort } from './support/ports';
import { redisAvailable, servicesRequired, TEST_REDIS_URL } from './support/services';
import { createTestApp, TestApp } from './support/test-app';

function cacheConfig(cache: Record<string, unknown>): AppConfig {
  return loadConfig({ env: {}, overrides: { cache } });
}

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await sleep(100);
  }
  return false;
}

describe(`${CacheService.name} (in-process LRU)`, () => {
  let sut: CacheService;

  afterEach(() => sut.onApplicationShutdown());

  it('should return what was set and miss what was not', async () => {
    sut = new CacheService(cacheConfig({}));

    await sut.set('a', { value: 1 });

    expect(sut.backend).toBe('memory');
    expect(await sut.get('a')).toEqual({ value: 1 });
    expect(await sut.get('b')).toBeUndefined();
    expect(sut.counters).toMatchObject({ hits: 1, misses: 1 });
  });

  it('should forget an entry after its ttl', async () => {
    sut = new CacheService(cacheConfig({}));

    await sut.set('short', 'v', 1);
    expect(await sut.get('short')).toBe('v');
    await sleep(1_200);

    expect(await sut.get('short')).toBeUndefined();
  });

  it('should evict the least recently used entry past lruMaxEntries', async () => {
    sut = new CacheService(cacheConfig({ lruMaxEntries: 2 }));

    await sut.set('a', 1);
    await sut.set('b', 2);
    await sut.get('a');
    await sut.set('c', 3);

    expect(await sut.get('a')).toBe(1);
    expect(await sut.get('b')).toBeUndefined();
    expect(await sut.get('c')).toBe(3);
  });

  it('should delete entries and compute a missing value once through wrap', async () => {
    sut = new CacheService(cacheConfig({}));
    await sut.set('gone', 1);
    await sut.del('gone');
    let computed = 0;

    const first = await sut.wrap('w', async () => ++computed);
    await sleep(10);
    const second = await sut.wrap('w', async () => ++computed);

    expect(await sut.get('gone')).toBeUndefined();
    expect([first, second, computed]).toEqual([1, 1, 1]);
  });
});

describe(`${CacheService.name} (Redis)`, () => {
  let available = false;
  let sut: CacheService | undefined;

  beforeAll(async () => {
    available = await redisAvailable();
    if (!available) {
      if (servicesRequired)
        throw new Error(`Redis is not reachable at ${TEST_REDIS_URL}; CI requires it`);
      process.stdout.write(
        `skipping Redis cache tests: Redis is not reachable at ${TEST_REDIS_URL}\n`,
      );
    }
  });

  afterEach(() => sut?.onApplicationShutdown());

  it('should store, read, expire and delete values in the real Redis', async () => {
    if (!available) return;
    sut = new CacheService(cacheConfig({ redisUrl: TEST_REDIS_URL, operationTimeoutMs: 2_000 }));
    const service = sut;
    expect(
      await until(
        async () =>
          service.ping().then(
            () => true,
            () => false,
          ),
        5_000,
      ),
    ).toBe(true);
    const key = `cache-e2e-${process.pid}-${Date.now()}`;

    await sut.set(key, { n: 1, list: ['a'] });
    await sut.set(`${key}-short`, 'v', 1);

    expect(sut.backend).toBe('redis');
    expect(await sut.get(key)).toEqual({ n: 1, list: ['a'] });
    await sleep(1_300);
    expect(await sut.get(`${key}-short`)).toBeUndefined();
    await sut.del(key);
    expect(await sut.get(key)).toBeUndefined();
  });
});

describe('cache outage', () => {
  let redis: ChildProcess | undefined;
  let port = 0;
  let testApp: TestApp | undefined;
  let hasRedisServer = true;

  function startRedis(): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      child.once('error', reject);
      child.stdout.on('data', (data: Buffer) => {
        if (data.toString().includes('Ready to accept connections')) resolve();
      });
      redis = child;
    });
  }

  function stopRedis(): Promise<void> {
    const child = redis;
    redis = undefined;
    if (!child || child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async function ready(): Promise<{ status: number; body: ReadyBody }> {
    const response = await testApp!.request('/health/ready', {
      signal: AbortSignal.timeout(5_000),
    });
    return { status: response.status, body: (await response.json()) as ReadyBody };
  }

  type ReadyBody = {
    details: Record<string, { status: string }>;
    degraded: Record<string, unknown>;
  };

  beforeAll(async () => {
    port = await freePort();
    try {
      await startRedis();
    } catch (error) {
      hasRedisServer = false;
      if (servicesRequired) throw error;
      process.stdout.write(
        `skipping the cache outage test: cannot start redis-server (${(error as Error).message})\n`,
      );
      return;
    }
    testApp = await createTestApp('pglite', {
      overrides: { cache: { redisUrl: `redis://127.0.0.1:${port}` } },
    });
  });

  afterAll(async () => {
    await testApp?.close();
    await stopRedis();
  });

  it('should keep answering and report the cache down while Redis is gone, then recover', async () => {
    if (!hasRedisServer) return;
    expect(
      await until(async () => (await ready()).body.details.cache.status === 'up', 10_000),
    ).toBe(true);
    const user = await testApp!.signIn('researcher');
    expect((await testApp!.request('/api/v1/auth/me', { headers: user.headers })).status).toBe(200);

    await stopRedis();

    expect(
      await until(async () => (await ready()).body.details.cache.status === 'down', 10_000),
    ).toBe(true);
    const during = await ready();
    expect(during.status).toBe(200);
    expect(during.body.degraded).toHaveProperty('cache');
    for (let i = 0; i < 5; i++) {
      const me = await testApp!.request('/api/v1/auth/me', {
        headers: user.headers,
        signal: AbortSignal.timeout(5_000),
      });
      expect(me.status).toBe(200);
    }

    await startRedis();

    expect(
      await until(async () => (await ready()).body.details.cache.status === 'up', 20_000),
    ).toBe(true);
    expect((await ready()).body.degraded).not.toHaveProperty('cache');
  });
});
