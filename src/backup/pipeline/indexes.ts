import { quoteIdentifier as quote, SqlSession } from '../../database/database';
import { BackupErrors } from '../backup.errors';
import { LEDGER_TABLE } from './snapshot';

/** One index or key dropped for a load, and the statement that puts it back. */
export interface DeferredIndex {
  name: string;
  statement: string;
}

/**
 * Drops the secondary indexes and the primary-key, unique and foreign-key constraints of the public
 * tables and returns what rebuilds them, in the order to run, as pg_restore orders its work: one
 * sorted index build after the load costs far less than keeping every index up to date row by row,
 * and a foreign key added afterwards is checked once per table instead of once per row. Runs in
 * the caller's transaction, which hides the drops from everyone else and rolls them back with a
 * failed restore.
 */
export async function dropIndexesAndKeys(session: SqlSession): Promise<DeferredIndex[]> {
  const constraints = await session.query<{ table_name: string; name: string; def: string }>(
    `SELECT c.relname AS table_name, k.conname AS name, pg_get_constraintdef(k.oid) AS def
       FROM pg_constraint k
       JOIN pg_class c ON c.oid = k.conrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND k.contype IN ('p', 'u', 'f') AND c.relname <> $1
      ORDER BY k.contype = 'f' DESC, c.relname, k.conname`,
    [LEDGER_TABLE],
  );
  const indexes = await session.query<{ name: string; def: string }>(
    `SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS def
       FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = 'public' AND t.relname <> $1
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k
                         WHERE k.conindid = x.indexrelid AND k.contype IN ('p', 'u', 'x'))
      ORDER BY t.relname, i.relname`,
    [LEDGER_TABLE],
  );
  // Foreign keys come first in `constraints`: they go before the keys they reference, and come back last.
  for (const k of constraints)
    await session.exec(`ALTER TABLE ${quote(k.table_name)} DROP CONSTRAINT ${quote(k.name)}`);
  for (const index of indexes) await session.exec(`DROP INDEX ${quote(index.name)}`);
  return [
    ...indexes.map((index) => ({ name: index.name, statement: index.def })),
    ...[...constraints].reverse().map((k) => ({
      name: k.name,
      statement: `ALTER TABLE ${quote(k.table_name)} ADD CONSTRAINT ${quote(k.name)} ${k.def}`,
    })),
  ];
}

/**
 * Rebuilds what dropIndexesAndKeys dropped. Data that breaks a key (a duplicate, a child row whose
 * parent is missing) fails here with BACKUP_REBUILD_FAILED naming the index or constraint; the
 * caller's transaction then rolls back the whole restore.
 */
export async function rebuildIndexesAndKeys(
  session: SqlSession,
  deferred: DeferredIndex[],
): Promise<void> {
  for (const { name, statement } of deferred) {
    try {
      await session.exec(statement);
    } catch (error) {
      throw BackupErrors.rebuildFailed(name, error);
    }
  }
}
