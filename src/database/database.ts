import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Logger } from '@nestjs/common';
import { SQL } from 'drizzle-orm';
import { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { Pool, PoolClient, PoolConfig } from 'pg';
import { Config } from '../config/config.schema';
import * as schema from './schema';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type DatabaseKind = 'pglite' | 'postgres';

/** A raw SQL session: one connection (a pooled client, or the embedded instance). */
export interface SqlSession {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  exec(text: string): Promise<void>;
}

export interface DatabaseOptions {
  /** PGlite data directory; `memory://` for an in-memory database. */
  pgliteDataDir?: string;
  /** Load a PGlite data-dir snapshot (tests start from a migrated snapshot). */
  pgliteSnapshot?: Blob;
}

/**
 * The service's one database: embedded PGlite when no URL is configured, PostgreSQL otherwise.
 * Same schema and SQL on both. Repositories use `db` (Drizzle); migrations, backups and locks use
 * raw sessions.
 */
export class Database {
  private constructor(
    readonly kind: DatabaseKind,
    readonly db: Db,
    readonly pglite: PGlite | undefined,
    readonly pool: Pool | undefined,
    readonly description: string,
  ) {}

  static async connect(config: Readonly<Config>, options: DatabaseOptions = {}): Promise<Database> {
    if (config.database.url) {
      const pool = new Pool(poolConfig(config));
      pool.on('error', (error) =>
        new Logger(Database.name).warn(`idle client error: ${error.message}`),
      );
      const db = drizzlePg(pool, { schema }) as unknown as Db;
      const url = new URL(config.database.url);
      return new Database('postgres', db, undefined, pool, `postgres://${url.host}${url.pathname}`);
    }
    const dataDir = options.pgliteDataDir ?? join(config.dataDir, 'pglite');
    if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
    const pglite = await PGlite.create({
      dataDir,
      ...(options.pgliteSnapshot ? { loadDataDir: options.pgliteSnapshot } : {}),
    });
    const db = drizzlePglite(pglite, { schema }) as unknown as Db;
    return new Database('pglite', db, pglite, undefined, `pglite:${dataDir}`);
  }

  /** Runs fn on one connection (released afterwards). */
  async session<T>(fn: (session: SqlSession) => Promise<T>): Promise<T> {
    if (this.pglite) {
      const pglite = this.pglite;
      return fn({
        query: async <R>(text: string, params?: unknown[]) =>
          (await pglite.query<R>(text, params)).rows,
        exec: async (text: string) => {
          await pglite.exec(text);
        },
      });
    }
    const client = await this.pool!.connect();
    try {
      return await fn(clientSession(client));
    } finally {
      client.release();
    }
  }

  /** Runs fn inside one transaction on one connection; rolls back when fn throws. */
  async rawTransaction<T>(fn: (session: SqlSession) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    if (this.pglite) {
      // PGlite has one connection; its transaction() serialises against other queries.
      return this.pglite.transaction(async (tx) => {
        if (begin !== 'BEGIN') await tx.exec(begin.replace(/^BEGIN/i, 'SET TRANSACTION'));
        return fn({
          query: async <R>(text: string, params?: unknown[]) =>
            (await tx.query<R>(text, params)).rows,
          exec: async (text: string) => {
            await tx.exec(text);
          },
        });
      });
    }
    return this.session(async (session) => {
      await session.exec(begin);
      try {
        const result = await fn(session);
        await session.exec('COMMIT');
        return result;
      } catch (error) {
        await session.exec('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  /** Drizzle transaction: every write inside commits together or not at all. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(tx as unknown as Db));
  }

  async execute<R = Record<string, unknown>>(query: SQL): Promise<R[]> {
    const result = (await this.db.execute(query)) as unknown as { rows: R[] };
    return result.rows;
  }

  /**
   * Runs fn only if this process gets the named Postgres advisory lock (so one replica runs
   * scheduled work); otherwise returns { acquired: false } without waiting.
   */
  async withAdvisoryLock<T>(
    name: string,
    fn: () => Promise<T>,
  ): Promise<{ acquired: true; result: T } | { acquired: false }> {
    const key = advisoryKey(name);
    return this.session(async (session) => {
      const [row] = await session.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock($1::bigint) AS locked',
        [key],
      );
      if (!row?.locked) return { acquired: false as const };
      try {
        return { acquired: true as const, result: await fn() };
      } finally {
        await session.query('SELECT pg_advisory_unlock($1::bigint)', [key]);
      }
    });
  }

  async ping(): Promise<void> {
    await this.session((session) => session.query('SELECT 1'));
  }

  private closed = false;

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.pool) await this.pool.end();
    if (this.pglite && !this.pglite.closed) await this.pglite.close();
  }
}

function clientSession(client: PoolClient): SqlSession {
  return {
    query: async <R>(text: string, params?: unknown[]) =>
      (await client.query(text, params)).rows as R[],
    exec: async (text: string) => {
      await client.query(text);
    },
  };
}

function poolConfig(config: Readonly<Config>): PoolConfig {
  const { url, ssl, sslCaFile, poolMax, statementTimeoutMs } = config.database;
  return {
    connectionString: url,
    max: poolMax,
    statement_timeout: statementTimeoutMs || undefined,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    application_name: 'cryoprotect',
    ssl:
      ssl === 'disable'
        ? false
        : ssl === 'require'
          ? { rejectUnauthorized: false }
          : {
              rejectUnauthorized: true,
              ...(sslCaFile ? { ca: readFileSync(sslCaFile, 'utf8') } : {}),
            },
  };
}

/** Postgres advisory locks take a bigint: the first 8 bytes of SHA-256 of the lock name. */
export function advisoryKey(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
}
