import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { createApp } from '../../src/app.factory';
import { UserService } from '../../src/auth/user.service';
import { loadConfig } from '../../src/config/config.loader';
import { Config } from '../../src/config/config.schema';
import { Database } from '../../src/database/database';
import { UserRole } from '../../src/database/schema/users';
import { PGLITE_SNAPSHOT } from './global-setup';
import { TEST_POSTGRES_ADMIN_URL } from './services';

export type DatabaseKind = 'pglite' | 'postgres';

export interface TestApp {
  kind: DatabaseKind;
  app: NestFastifyApplication;
  config: Readonly<Config>;
  database: Database;
  /** Base URL of the running server (real HTTP on 127.0.0.1). */
  url: string;
  /** fetch against the running server; path starts with '/'. */
  request(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  /** Creates a user with this role and returns headers carrying its access token. */
  signIn(
    role: UserRole,
    email?: string,
  ): Promise<{ id: string; email: string; password: string; headers: Record<string, string> }>;
  close(): Promise<void>;
}

/** The database kinds the e2e suites run against on this machine. */
export function databaseKinds(): DatabaseKind[] {
  return process.env.TEST_HAS_POSTGRES === '1' ? ['pglite', 'postgres'] : ['pglite'];
}

export interface TestAppOptions {
  /** Configuration values applied above defaults and environment. */
  overrides?: Record<string, unknown>;
}

let counter = 0;

export async function createTestDatabaseUrl(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `cp_test_${process.pid}_${++counter}_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** A client connected to a fresh, empty PostgreSQL database; `close` ends it and drops the database. */
export async function connectTestDatabase(): Promise<{
  url: string;
  client: Client;
  close(): Promise<void>;
}> {
  const database = await createTestDatabaseUrl();
  const client = new Client({ connectionString: database.url });
  await client.connect();
  return {
    url: database.url,
    client,
    close: async () => {
      await client.end();
      await database.drop();
    },
  };
}

export async function createTestApp(
  kind: DatabaseKind,
  options: TestAppOptions = {},
): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cryoprotect-test-'));
  const pg = kind === 'postgres' ? await createTestDatabaseUrl() : undefined;
  const config = loadConfig({
    env: {},
    overrides: deepMerge(
      {
        env: 'test',
        dataDir,
        database: pg ? { url: pg.url } : {},
        server: { port: 0, host: '127.0.0.1', rateLimit: { limit: 100_000, windowSeconds: 60 } },
        log: { level: 'error', requests: false },
        auth: { jwtSecret: randomBytes(32).toString('hex') },
        molecule: { seedOnFirstStart: false },
      },
      options.overrides ?? {},
    ),
  });
  const database = await Database.connect(config, {
    pgliteDataDir: 'memory://',
    pgliteSnapshot: new Blob([readFileSync(PGLITE_SNAPSHOT)]),
  });
  const app = await createApp(config, { database });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;

  const request: TestApp['request'] = (path, init = {}) => {
    const { json, headers, ...rest } = init;
    return fetch(url + path, {
      ...rest,
      headers: {
        ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(headers as Record<string, string>),
      },
      body: json !== undefined ? JSON.stringify(json) : rest.body,
    });
  };

  const signIn: TestApp['signIn'] = async (role, email) => {
    const password = `pw-${randomBytes(12).toString('hex')}`;
    const address = email ?? `${role}-${randomBytes(4).toString('hex')}@example.org`;
    const user = await app.get(UserService).createUser({ email: address, role, password });
    const response = await request('/api/v1/auth/login', {
      method: 'POST',
      json: { email: address, password },
    });
    if (response.status !== 200)
      throw new Error(`login failed: ${response.status} ${await response.text()}`);
    const body = (await response.json()) as { accessToken: string };
    return {
      id: user.id,
      email: address,
      password,
      headers: { authorization: `Bearer ${body.accessToken}` },
    };
  };

  return {
    kind,
    app,
    config,
    database,
    url,
    request,
    signIn,
    close: async () => {
      await app.close();
      await database.close();
      await pg?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Declares the same suite once per database kind (PGlite always, PostgreSQL when it runs here).
 * The app is created before the suite's tests and closed after them.
 */
export function describeEachDatabase(
  name: string,
  body: (context: () => TestApp, kind: DatabaseKind) => void,
  options: TestAppOptions = {},
): void {
  for (const kind of databaseKinds()) {
    describe(`${name} [${kind}]`, () => {
      let testApp: TestApp | undefined;
      beforeAll(async () => {
        testApp = await createTestApp(kind, options);
      });
      afterAll(async () => {
        await testApp?.close();
      });
      body(() => {
        if (!testApp) throw new Error('test app not started');
        return testApp;
      }, kind);
    });
  }
}

function deepMerge(
  target: Record<string, unknown>,
  source: Record<string, unknown>,
): Record<string, unknown> {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (
      value &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      existing &&
      typeof existing === 'object'
    ) {
      deepMerge(existing as Record<string, unknown>, value as Record<string, unknown>);
    } else {
      target[key] = value;
    }
  }
  return target;
}
