import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { AppConfig } from '../config/app-config';
import {
  advisoryKey,
  clientSession,
  Database,
  quoteIdentifier as quote,
  SqlSession,
} from '../database/database';
import { Migration, readMigrations } from '../database/migrator';
import { BackupErrors } from './backup.errors';
import { BackupManifest } from './backup.manifest';
import { BackupReader, OpenedBackup } from './backup-reader';
import { BackupTarget } from './backup-targets';
import { DeferredIndex, dropIndexesAndKeys, rebuildIndexesAndKeys } from './pipeline/indexes';
import {
  applyMigrations,
  dropAllTables,
  listTables,
  loadSnapshot,
  tablesWithRows,
  truncateAllTables,
} from './pipeline/snapshot';

export interface RestoreProgress {
  bytesRead: number;
  totalBytes: number;
  rows: number;
  table: string;
  /** load: the rows; indexes: the indexes and keys built after them; finish: moved into place. */
  phase: 'load' | 'indexes' | 'finish';
  /** What runs now, for a person: the table loading, `index 3/13 name`, the last step. */
  step: string;
}

export interface RestoreOptions {
  /** postgres://… or pglite:<folder>; unset: the service's own database. */
  targetDatabase?: string;
  force?: boolean;
  onProgress?: (progress: RestoreProgress) => void;
}

export interface RestoreReport {
  id: string;
  target: string;
  database: string;
  schemaVersion: string | null;
  tables: { name: string; rows: number; expected: number }[];
  sha256: string;
  durationSeconds: number;
}

/**
 * Restores a backup into an empty database: migrations up to the backup's schema version, the data
 * (indexes and keys dropped for the load and rebuilt after it), sequences, the remaining
 * migrations. The stream is authenticated chunk by chunk and its checksum is compared before the
 * result becomes visible, so a damaged backup or a wrong key writes nothing: on PGlite everything
 * runs in one transaction; on PostgreSQL on two connections into a staging schema that one final
 * transaction moves into place (restoreStaged).
 */
@Injectable()
export class BackupRestorer {
  private readonly logger = new Logger('Backup');
  private scratchImage: Blob | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly database: Database,
    private readonly reader: BackupReader,
  ) {}

  async restore(
    target: BackupTarget,
    manifest: BackupManifest,
    options: RestoreOptions = {},
  ): Promise<RestoreReport> {
    const started = Date.now();
    const { database, owned } = await this.open(options.targetDatabase);
    try {
      const tables = await this.restoreInto(database, target, manifest, options);
      const report: RestoreReport = {
        id: manifest.id,
        target: target.name,
        database: database.description,
        schemaVersion: manifest.schemaVersion,
        tables,
        sha256: manifest.data.sha256,
        durationSeconds: (Date.now() - started) / 1000,
      };
      this.logger.log({
        message: 'backup restored',
        event: 'backup.restore.success',
        backupId: manifest.id,
        database: database.description,
      });
      return report;
    } finally {
      if (owned) await database.close();
    }
  }

  /** Full verification: restores into a fresh in-memory embedded database and compares row counts. */
  async restoreIntoScratch(
    target: BackupTarget,
    manifest: BackupManifest,
  ): Promise<{ name: string; rows: number }[]> {
    const embedded = { ...this.config, database: { ...this.config.database, url: undefined } };
    // A fresh embedded database costs seconds of initdb; later scratch databases start from an
    // image of the first one taken before anything was written to it.
    const scratch = await Database.connect(embedded, {
      pgliteDataDir: 'memory://',
      pgliteSnapshot: this.scratchImage,
    });
    this.scratchImage ??= await scratch.pglite!.dumpDataDir('none');
    try {
      const tables = await this.restoreInto(scratch, target, manifest, {});
      return tables.map(({ name, rows }) => ({ name, rows }));
    } finally {
      await scratch.close();
    }
  }

  private async restoreInto(
    database: Database,
    target: BackupTarget,
    manifest: BackupManifest,
    options: RestoreOptions,
  ): Promise<RestoreReport['tables']> {
    const migrations = readMigrations();
    const known = migrations.map((migration) => migration.name);
    if (manifest.schemaVersion && !known.includes(manifest.schemaVersion)) {
      throw BackupErrors.schemaTooNew(manifest.schemaVersion, known[known.length - 1] ?? 'none');
    }
    // Key problems are reported before anything is read or written.
    await this.reader.keyFor(manifest);
    const busy = await database.session((session) => tablesWithRows(session, migrations));
    if (busy.length > 0 && !options.force) throw BackupErrors.targetNotEmpty(busy);

    const upTo = manifest.schemaVersion ? known.indexOf(manifest.schemaVersion) + 1 : 0;
    const backupMigrations = migrations.slice(0, upTo);
    if (database.pool)
      return this.restoreStaged(database, target, manifest, options, migrations, backupMigrations);
    return database.rawTransaction(async (session) => {
      const opened = await this.reader.open(target, manifest, true);
      try {
        if (options.force) await dropAllTables(session);
        const deferred = await prepareTables(session, backupMigrations);
        const tables = await this.load(
          [session],
          opened,
          manifest,
          options,
          deferred,
          'the remaining migrations',
        );
        await applyMigrations(session, migrations);
        return tables;
      } finally {
        // A failed restore stops reading the backup (its file, or its download).
        opened.stream.destroy();
      }
    });
  }

  /**
   * PostgreSQL: the restore runs on two connections, as `pg_restore -j2` does, without giving up
   * "a failed restore writes nothing". The tables are created (migrations up to the backup's
   * version) in a staging schema of their own and committed there, so that both connections see
   * them; each table's sections go to whichever connection is free, and the indexes and keys are
   * built on both. Only when the stream has proved intact and every key and count holds does one
   * transaction on the lead connection check the target again (empty, under lock, unless --force),
   * drop its tables, move the staging tables into it, apply the remaining migrations and drop the
   * staging schema. Any failure before that COMMIT drops the staging schema and leaves the target as
   * it was; one left by a killed process is dropped by the next restore, which holds the same
   * advisory lock (so two restores never share a staging schema).
   */
  private async restoreStaged(
    database: Database,
    target: BackupTarget,
    manifest: BackupManifest,
    options: RestoreOptions,
    migrations: Migration[],
    backupMigrations: Migration[],
  ): Promise<RestoreReport['tables']> {
    const pool = database.pool!;
    const staging = `${STAGING_PREFIX}${randomBytes(6).toString('hex')}`;
    const clients: PoolClient[] = [];
    let created = false;
    let opened: OpenedBackup | undefined;
    try {
      const lead = await pool.connect();
      clients.push(lead);
      const session = clientSession(lead);
      await session.query('SELECT pg_advisory_lock($1::bigint)', [advisoryKey(RESTORE_LOCK)]);
      await dropStagingSchemas(session);
      opened = await this.reader.open(target, manifest, true);

      await session.exec('BEGIN');
      await session.exec(`CREATE SCHEMA ${quote(staging)}`).catch((error: unknown) => {
        if ((error as { code?: string }).code === INSUFFICIENT_PRIVILEGE)
          throw BackupErrors.stagingNotPermitted(error);
        throw error;
      });
      created = true;
      await session.exec(`SET LOCAL search_path TO ${quote(staging)}`);
      const deferred = await prepareTables(session, backupMigrations);
      await session.exec('COMMIT');

      const sessions = [session];
      // A pool of one (DATABASE_POOL_MAX=1) restores on its one connection.
      if ((pool.options.max ?? 10) >= 2) {
        const helper = await pool.connect();
        clients.push(helper);
        sessions.push(clientSession(helper));
      }
      for (const each of sessions) await each.exec(`SET search_path TO ${quote(staging)}`);
      const tables = await this.load(
        sessions,
        opened,
        manifest,
        options,
        deferred,
        'moving the tables into place',
      );

      await session.exec('SET search_path TO DEFAULT');
      await session.exec('BEGIN');
      try {
        if (!options.force) {
          const present = await listTables(session);
          if (present.length > 0)
            await session.exec(
              `LOCK TABLE ${present.map((table) => quote(table.name)).join(', ')} IN ACCESS EXCLUSIVE MODE`,
            );
          const busy = await tablesWithRows(session, migrations);
          if (busy.length > 0) throw BackupErrors.targetNotEmpty(busy);
        }
        await dropAllTables(session);
        await moveTables(session, staging);
        await applyMigrations(session, migrations);
        await session.exec(`DROP SCHEMA ${quote(staging)}`);
        await session.exec('COMMIT');
      } catch (error) {
        await session.exec('ROLLBACK').catch(() => undefined);
        throw error;
      }
      created = false;
      return tables;
    } finally {
      opened?.stream.destroy();
      // The connections carry the staging search_path and the advisory lock: closed, not reused.
      // One stopped inside a COPY is aborted by the server when it closes.
      for (const client of clients) client.release(true);
      if (created)
        await database
          .session((session) => session.exec(`DROP SCHEMA IF EXISTS ${quote(staging)} CASCADE`))
          .catch((error: unknown) =>
            this.logger.warn({
              message: `could not drop the staging schema ${staging}; the next restore drops it`,
              event: 'backup.restore.cleanup_failed',
              error: (error as Error).message,
            }),
          );
    }
  }

  /**
   * The data into the prepared tables, then their indexes and keys, checked against the manifest:
   * what both restore paths do on their sessions (one transaction, or the staging schema).
   */
  private async load(
    sessions: readonly SqlSession[],
    opened: OpenedBackup,
    manifest: BackupManifest,
    options: RestoreOptions,
    deferred: DeferredIndex[],
    lastStep: string,
  ): Promise<RestoreReport['tables']> {
    const progress = this.progress(opened, manifest, options);
    const loaded = await loadSnapshot(sessions, opened.stream, progress.rows, opened.leases);
    // Integrity first: a damaged stream is reported as damage, not as the key it happens to break.
    opened.assertIntact();
    await rebuildIndexesAndKeys(
      sessions,
      deferred,
      new Map(loaded.tables.map((table) => [table.name, table.rows])),
      progress.index,
    );
    const tables = compareCounts(manifest, loaded.tables);
    progress.finish(lastStep);
    return tables;
  }

  /** Progress reports for one restore: rows as they load, then each index and the last step. */
  private progress(opened: OpenedBackup, manifest: BackupManifest, options: RestoreOptions) {
    let rows = 0;
    const report = (table: string, phase: RestoreProgress['phase'], step: string) =>
      options.onProgress?.({
        bytesRead: opened.bytesRead(),
        totalBytes: manifest.data.sizeBytes,
        rows,
        table,
        phase,
        step,
      });
    return {
      rows: (progress: { table: string; rows: number }) => {
        rows += progress.rows;
        report(progress.table, 'load', progress.table);
      },
      index: (item: DeferredIndex, started: number, total: number) =>
        report(item.table, 'indexes', `index ${started}/${total} ${item.name}`),
      finish: (step: string) => report('', 'finish', step),
    };
  }

  private async open(
    targetDatabase: string | undefined,
  ): Promise<{ database: Database; owned: boolean }> {
    if (!targetDatabase) return { database: this.database, owned: false };
    if (targetDatabase.startsWith('pglite:')) {
      const database = await Database.connect(
        { ...this.config, database: { ...this.config.database, url: undefined } },
        { pgliteDataDir: targetDatabase.slice('pglite:'.length) },
      );
      return { database, owned: true };
    }
    const database = await Database.connect({
      ...this.config,
      database: { ...this.config.database, url: targetDatabase },
    });
    return { database, owned: true };
  }
}

/** Staging schemas are named with this prefix and a random suffix. */
export const STAGING_PREFIX = 'cryoprotect_restore_';
const RESTORE_LOCK = 'cryoprotect:restore';
const INSUFFICIENT_PRIVILEGE = '42501';

/**
 * The backup's own schema, emptied (migrations may seed reference rows), without the indexes and
 * keys the load would keep up to date row by row: returns what rebuilds them.
 */
async function prepareTables(
  session: SqlSession,
  backupMigrations: Migration[],
): Promise<DeferredIndex[]> {
  await applyMigrations(session, backupMigrations);
  await truncateAllTables(session);
  return dropIndexesAndKeys(session);
}

/** The loaded tables' row counts against the manifest's: a mismatch fails the restore. */
function compareCounts(
  manifest: BackupManifest,
  loaded: { name: string; rows: number }[],
): RestoreReport['tables'] {
  const expected = new Map(manifest.tables.map((table) => [table.name, table.rows]));
  for (const table of loaded) {
    if (expected.get(table.name) !== table.rows)
      throw BackupErrors.rowCountMismatch(table.name, expected.get(table.name) ?? 0, table.rows);
  }
  if (loaded.length !== manifest.tables.length)
    throw BackupErrors.malformed('The dump and the manifest list different tables.');
  return loaded.map((table) => ({ ...table, expected: expected.get(table.name)! }));
}

/** Drops the staging schemas of restores that were killed (the caller holds the restore lock). */
async function dropStagingSchemas(session: SqlSession): Promise<void> {
  const leftovers = await session.query<{ name: string }>(
    `SELECT nspname AS name FROM pg_namespace WHERE starts_with(nspname, $1)`,
    [STAGING_PREFIX],
  );
  for (const { name } of leftovers) await session.exec(`DROP SCHEMA ${quote(name)} CASCADE`);
}

/**
 * Moves every table of the staging schema into the current one; their indexes, constraints and
 * owned sequences move with them.
 */
async function moveTables(session: SqlSession, staging: string): Promise<void> {
  const tables = await session.query<{ name: string; into: string }>(
    `SELECT tablename AS name, current_schema() AS into FROM pg_tables WHERE schemaname = $1`,
    [staging],
  );
  for (const { name, into } of tables)
    await session.exec(`ALTER TABLE ${quote(staging)}.${quote(name)} SET SCHEMA ${quote(into)}`);
}
