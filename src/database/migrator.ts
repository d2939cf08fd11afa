import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Database } from './database';

export const MIGRATIONS_DIR = join(__dirname, 'migrations');

export interface Migration {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  applied: string[];
  current: string | null;
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

/** The committed SQL migrations, in order. File names: NNNN_description.sql. */
export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => {
      const sql = readFileSync(join(dir, file), 'utf8');
      return {
        version: file.slice(0, 4),
        name: file.replace(/\.sql$/, ''),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

const LEDGER = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version text PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamp with time zone NOT NULL DEFAULT now()
)`;

/**
 * Applies pending migrations in order, each in its own transaction, recorded in schema_migrations.
 * A landed migration must never change: a checksum mismatch stops startup. Replicas starting
 * together serialise on an advisory lock.
 */
export async function migrate(
  database: Database,
  migrations = readMigrations(),
): Promise<MigrationResult> {
  return database.session(async (session) => {
    await session.query('SELECT pg_advisory_lock(hashtext($1))', ['cryoprotect:migrate']);
    try {
      await session.exec(LEDGER);
      const rows = await session.query<{ version: string; name: string; checksum: string }>(
        'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
      );
      const done = new Map(rows.map((row) => [row.version, row]));
      const known = new Set(migrations.map((migration) => migration.version));
      for (const row of rows) {
        if (!known.has(row.version)) {
          throw new MigrationError(
            `The database has migration ${row.name}, which this version of the service does not know. Is the service older than the database?`,
          );
        }
      }
      const applied: string[] = [];
      for (const migration of migrations) {
        const previous = done.get(migration.version);
        if (previous) {
          if (previous.checksum !== migration.checksum) {
            throw new MigrationError(
              `Migration ${migration.name} was changed after it was applied (checksum mismatch). Landed migrations must not be edited; add a new one.`,
            );
          }
          continue;
        }
        await session.exec('BEGIN');
        try {
          await session.exec(migration.sql);
          await session.query(
            'INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)',
            [migration.version, migration.name, migration.checksum],
          );
          await session.exec('COMMIT');
        } catch (error) {
          await session.exec('ROLLBACK').catch(() => undefined);
          throw new MigrationError(
            `Migration ${migration.name} failed: ${(error as Error).message}`,
          );
        }
        applied.push(migration.name);
      }
      const current = migrations.length > 0 ? migrations[migrations.length - 1].name : null;
      return { applied, current };
    } finally {
      await session.query('SELECT pg_advisory_unlock(hashtext($1))', ['cryoprotect:migrate']);
    }
  });
}

/** The newest applied migration, or null on an empty database. */
export async function schemaVersion(database: Database): Promise<string | null> {
  const rows = await database
    .session((session) =>
      session.query<{ name: string }>(
        `SELECT name FROM schema_migrations ORDER BY version DESC LIMIT 1`,
      ),
    )
    .catch(() => []);
  return rows[0]?.name ?? null;
}
