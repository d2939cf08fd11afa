import { quoteIdentifier as quote, SqlSession } from '../../database/database';
import { BackupErrors } from '../backup.errors';
import { LEDGER_TABLE } from './snapshot';

/** One index or key dropped for a load, and the statement that puts it back. */
export interface DeferredIndex {
  name: string;
  table: string;
  /** Foreign keys are added after every index and key, and one at a time (see rebuild). */
  foreignKey: boolean;
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
  const constraints = await session.query<{
    table_name: string;
    name: string;
    def: string;
    foreign_key: boolean;
  }>(
    `SELECT c.relname AS table_name, k.conname AS name, pg_get_constraintdef(k.oid) AS def,
            k.contype = 'f' AS foreign_key
       FROM pg_constraint k
       JOIN pg_class c ON c.oid = k.conrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND k.contype IN ('p', 'u', 'f') AND c.relname <> $1
      ORDER BY k.contype = 'f' DESC, c.relname, k.conname`,
    [LEDGER_TABLE],
  );
  const indexes = await session.query<{ name: string; table_name: string; def: string }>(
    `SELECT i.relname AS name, t.relname AS table_name, pg_get_indexdef(x.indexrelid) AS def
       FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = current_schema() AND t.relname <> $1
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
    ...indexes.map((index) => ({
      name: index.name,
      table: index.table_name,
      foreignKey: false,
      statement: index.def,
    })),
    ...[...constraints].reverse().map((k) => ({
      name: k.name,
      table: k.table_name,
      foreignKey: k.foreign_key,
      statement: `ALTER TABLE ${quote(k.table_name)} ADD CONSTRAINT ${quote(k.name)} ${k.def}`,
    })),
  ];
}

/**
 * Rebuilds what dropIndexesAndKeys dropped. Data that breaks a key (a duplicate, a child row whose
 * parent is missing) fails here with BACKUP_REBUILD_FAILED naming the index or constraint; the
 * caller then rolls back (one transaction) or drops the staging schema (several connections).
 *
 * With several connections (a staging schema whose loaded tables every connection sees), the
 * indexes and primary and unique keys are built on all of them at once, largest table first, each
 * connection taking the next statement when it is done; builds on one table just wait for each
 * other's lock. Foreign keys follow on one connection: two of them at once could lock the same two
 * tables in opposite order.
 */
export async function rebuildIndexesAndKeys(
  sessions: readonly SqlSession[],
  deferred: DeferredIndex[],
  rowsByTable: ReadonlyMap<string, number>,
  onStep: (item: DeferredIndex, started: number, total: number) => void,
): Promise<void> {
  let started = 0;
  const run = async (session: SqlSession, item: DeferredIndex) => {
    const { name, statement } = item;
    onStep(item, ++started, deferred.length);
    try {
      await session.exec(statement);
    } catch (error) {
      throw BackupErrors.rebuildFailed(name, error);
    }
  };
  const rows = (item: DeferredIndex) => rowsByTable.get(item.table) ?? 0;
  // A stable sort: statements of one table keep their order (each index before the keys).
  const queue = deferred.filter((item) => !item.foreignKey).sort((a, b) => rows(b) - rows(a));
  let failed = false;
  // Every connection is idle again before a failure is reported, so the caller can drop at once.
  const outcomes = await Promise.allSettled(
    sessions.map(async (session) => {
      for (let item = queue.shift(); item && !failed; item = queue.shift()) {
        try {
          await run(session, item);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    }),
  );
  for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;
  for (const item of deferred.filter((item) => item.foreignKey)) await run(sessions[0], item);
}
