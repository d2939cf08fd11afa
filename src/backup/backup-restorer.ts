import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Database } from '../database/database';
import { readMigrations } from '../database/migrator';
import { BackupErrors } from './backup.errors';
import { BackupManifest } from './backup.manifest';
import { BackupReader } from './backup-reader';
import { BackupTarget } from './backup-targets';
import { dropIndexesAndKeys, rebuildIndexesAndKeys } from './pipeline/indexes';
import {
  applyMigrations,
  dropAllTables,
  loadSnapshot,
  tablesWithRows,
  truncateAllTables,
} from './pipeline/snapshot';

export interface RestoreProgress {
  bytesRead: number;
  totalBytes: number;
  rows: number;
  table: string;
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
 * Restores a backup into an empty database in ONE transaction: migrations up to the backup's schema
 * version, the data (indexes and keys dropped for the load and rebuilt after it), the remaining
 * migrations, sequences. The stream is authenticated chunk by chunk and its checksum is compared
 * before COMMIT, so a damaged backup or a wrong key writes nothing.
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
    return database.rawTransaction(async (session) => {
      const opened = await this.reader.open(target, manifest, true);
      if (options.force) await dropAllTables(session);
      await applyMigrations(session, migrations.slice(0, upTo));
      await truncateAllTables(session);
      const deferred = await dropIndexesAndKeys(session);
      let rows = 0;
      const loaded = await loadSnapshot(session, opened.stream, (progress) => {
        rows += progress.rows;
        options.onProgress?.({
          bytesRead: opened.bytesRead(),
          totalBytes: manifest.data.sizeBytes,
          rows,
          table: progress.table,
        });
      });
      // Integrity first: a damaged stream is reported as damage, not as the key it happens to break.
      opened.assertIntact();
      await rebuildIndexesAndKeys(session, deferred);
      await applyMigrations(session, migrations);
      const expected = new Map(manifest.tables.map((table) => [table.name, table.rows]));
      for (const table of loaded.tables) {
        if (expected.get(table.name) !== table.rows)
          throw BackupErrors.rowCountMismatch(
            table.name,
            expected.get(table.name) ?? 0,
            table.rows,
          );
      }
      if (loaded.tables.length !== manifest.tables.length)
        throw BackupErrors.malformed('The dump and the manifest list different tables.');
      return loaded.tables.map((table) => ({ ...table, expected: expected.get(table.name)! }));
    });
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
