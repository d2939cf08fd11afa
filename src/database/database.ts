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
import { to as copyToStdout } from 'pg-copy-streams';
import { Config } from '../config/config.schema';
import { copyIn } from './copy-in';
import * as schema from './schema';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type DatabaseKind = 'pglite' | 'postgres';

/** A raw SQL session: one connection (a pooled client, or the embedded instance). */
export interface SqlSession {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  exec(text: string): Promise<void>;
  /**
   * The rows of a table in COPY text format, in pieces (a row may span two; PGlite's pieces hold
   * whole rows). Memory stays bounded:
   * PostgreSQL streams with backpressure; PGlite (which can only COPY into one buffer) copies the
   * table a range of pages at a time, all in the caller's snapshot.
   */
  copyOut(table: string, columns: readonly string[]): AsyncIterable<Buffer>;
  /** Loads COPY text into a table; `write` takes whole rows only (in one or more parts). */
  copyIn(table: string, columns: readonly string[]): CopyInSink;
}

export interface CopyInSink {
  /**
   * Resolves when the memory the rows lie in may be reused: on PostgreSQL once the socket has
   * written them, on PGlite once they are stored.
   */
  write(rows: Buffer[]): Promise<void>;
  /** Resolves once the server has accepted every row, with the rows it reports it stored. */
  end(): Promise<number>;
}

export const quoteIdentifier = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;
/** `"table" ("a", "b")`: the target of a COPY statement. */
export const copyTarget = (table: string, columns: readonly string[]) =>
  `${quoteIdentifier(table)} (${columns.map(quoteIdentifier).join(', ')})`;

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
    if (this.pglite) return fn(embeddedSession(this.pglite));
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
        return fn(embeddedSession(tx));
      });
    }
    const client = await this.pool!.connect();
    const session = clientSession(client);
    return clientTransaction(client, begin, () => fn(session), session.copying);
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

/**
 * Runs fn inside one transaction on a pooled PostgreSQL client, then releases it. When fn fails
 * while `midCopy()` says the connection is inside a COPY, the connection is discarded instead of
 * rolled back (a ROLLBACK would wait forever there; closing rolls back just the same) and
 * `discarded` runs after.
 */
export async function clientTransaction<T>(
  client: PoolClient,
  begin: string,
  fn: () => Promise<T>,
  midCopy: () => boolean,
  discarded?: () => void,
): Promise<T> {
  let broken: Error | undefined;
  try {
    await client.query(begin);
    const result = await fn();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    if (midCopy()) broken = error as Error;
    else await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release(broken);
    if (broken) discarded?.();
  }
}

/** A SqlSession on one pooled PostgreSQL client. */
export function clientSession(client: PoolClient): SqlSession & { copying(): boolean } {
  let copies = 0;
  return {
    query: async <R>(text: string, params?: unknown[]) =>
      (await client.query(text, params)).rows as R[],
    exec: async (text: string) => {
      await client.query(text);
    },
    copying: () => copies > 0,
    copyOut: async function* (table, columns) {
      copies++;
      const stream = client.query(copyToStdout(`COPY ${copyTarget(table, columns)} TO STDOUT`));
      for await (const piece of stream) yield piece as Buffer;
      copies--;
    },
    copyIn: (table, columns) => {
      copies++;
      const copy = copyIn(client, `COPY ${copyTarget(table, columns)} FROM STDIN`);
      return {
        write: (rows) => copy.write(rows),
        end: async () => {
          const stored = await copy.end();
          copies--;
          return stored;
        },
      };
    },
  };
}

/** Pages per COPY from PGlite: 256 × 8 KiB of heap, a few MiB of text at most per piece. */
const EMBEDDED_COPY_PAGES = 256;

interface EmbeddedConnection {
  query<R>(
    text: string,
    params?: unknown[],
    options?: { blob?: Blob },
  ): Promise<{ rows: R[]; blob?: Blob; affectedRows?: number }>;
  exec(text: string): Promise<unknown>;
}

function embeddedSession(connection: EmbeddedConnection): SqlSession {
  return {
    query: async <R>(text: string, params?: unknown[]) =>
      (await connection.query<R>(text, params)).rows,
    exec: async (text: string) => {
      await connection.exec(text);
    },
    copyOut: async function* (table, columns) {
      const [{ pages }] = (
        await connection.query<{ pages: number }>(
          `SELECT (pg_relation_size($1::regclass) / current_setting('block_size')::int)::int AS pages`,
          [quoteIdentifier(table)],
        )
      ).rows;
      const select = `SELECT ${columns.map(quoteIdentifier).join(', ')} FROM ${quoteIdentifier(table)}`;
      // TID range scans read only the pages asked for; the last range is open so that nothing the
      // snapshot can see is missed.
      for (let first = 0; ; first += EMBEDDED_COPY_PAGES) {
        const last = first + EMBEDDED_COPY_PAGES >= pages;
        const range = `ctid >= '(${first},0)'::tid${last ? '' : ` AND ctid < '(${first + EMBEDDED_COPY_PAGES},0)'::tid`}`;
        const { blob } = await connection.query(`COPY (${select} WHERE ${range}) TO '/dev/blob'`);
        if (blob && blob.size > 0) yield Buffer.from(await blob.arrayBuffer());
        if (last) return;
      }
    },
    copyIn: (table, columns) => {
      const statement = `COPY ${copyTarget(table, columns)} FROM '/dev/blob'`;
      let stored = 0;
      return {
        write: async (rows) => {
          const result = await connection.query(statement, [], { blob: new Blob(rows) });
          stored += result.affectedRows ?? 0;
        },
        end: () => Promise.resolve(stored),
      };
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
