import { PassThrough, Readable } from 'node:stream';
import {
  clientSession,
  clientTransaction,
  copyTarget,
  Database,
  quoteIdentifier as quote,
  SqlSession,
} from '../../database/database';
import { Migration } from '../../database/migrator';
import { BackupErrors } from '../backup.errors';
import { BlockLeases, COLLECTED } from './block-memory';
import { CopyOut, copyOut, CopySection } from './copy-out';

/**
 * The dump format (version 2): marker lines, and the rows of each table in PostgreSQL's COPY text
 * format in length-prefixed sections of whole rows. COPY text is portable between server versions
 * for the column types we use (uuid, text, jsonb, numeric, timestamptz, arrays…), so a dump from
 * PGlite (PG 18) loads into PostgreSQL 15 and back; binary COPY would not be.
 *   #cryoprotect-dump {"version":2,"schemaVersion":"0004_auth"}
 *   #table {"name":"users","columns":["id",…]}
 *   #copy <bytes> <rows>
 *   <bytes of COPY text: rows ending in \n, tabs between columns, \N for NULL>
 *   #end {"table":"users","rows":1}
 *   #done {"tables":5}
 * Version 1 (still read, never written) had one JSON object per row instead of #copy sections.
 */
export const DUMP_VERSION = 2;
const JSON_LINES_VERSION = 1;
export const LEDGER_TABLE = 'schema_migrations';
/** Rows are gathered into sections of about this size (whole rows, so a little more). */
const SECTION_BYTES = 1024 * 1024;
/** A section larger than this is damage, not data: the reader never buffers more. */
const MAX_SECTION_BYTES = 64 * 1024 * 1024;
/** Version 1 only: rows per INSERT, bounded by count and by bytes. */
const INSERT_ROWS = 2000;
const INSERT_BYTES = 4 * 1024 * 1024;
const NEWLINE = 0x0a;

export interface TableInfo {
  name: string;
  /** Insertable columns (generated columns are recomputed, not restored). */
  columns: string[];
}

export interface SnapshotSummary {
  schemaVersion: string | null;
  tables: { name: string; rows: number }[];
}

/** What reading the catalog needs of a session. */
type QuerySession = Pick<SqlSession, 'query' | 'exec'>;

/**
 * Every table of the current schema (`public`, or a restore's staging schema) except the migration
 * ledger, parents before children.
 */
export async function listTables(session: QuerySession): Promise<TableInfo[]> {
  const columns = await session.query<{ table_name: string; column_name: string }>(
    `SELECT c.table_name, c.column_name
       FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.table_name <> $1
        AND c.is_generated = 'NEVER'
      ORDER BY c.table_name, c.ordinal_position`,
    [LEDGER_TABLE],
  );
  const edges = await session.query<{ child: string; parent: string }>(
    `SELECT child.relname AS child, parent.relname AS parent
       FROM pg_constraint k
       JOIN pg_class child ON child.oid = k.conrelid
       JOIN pg_class parent ON parent.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = child.relnamespace
      WHERE k.contype = 'f' AND n.nspname = current_schema() AND child.relname <> parent.relname`,
  );
  const byTable = new Map<string, string[]>();
  for (const row of columns)
    byTable.set(row.table_name, [...(byTable.get(row.table_name) ?? []), row.column_name]);
  const ordered: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (table: string) => {
    if (state.get(table) === 'done' || state.get(table) === 'visiting') return;
    state.set(table, 'visiting');
    for (const edge of edges)
      if (edge.child === table && byTable.has(edge.parent)) visit(edge.parent);
    state.set(table, 'done');
    ordered.push(table);
  };
  for (const table of [...byTable.keys()].sort()) visit(table);
  return ordered.map((name) => ({ name, columns: byTable.get(name)! }));
}

export async function currentSchemaVersion(session: QuerySession): Promise<string | null> {
  const [exists] = await session.query<{ present: boolean }>(
    `SELECT to_regclass(quote_ident(current_schema()) || '.${LEDGER_TABLE}') IS NOT NULL AS present`,
  );
  if (!exists?.present) return null;
  const [row] = await session.query<{ name: string }>(
    `SELECT name FROM ${LEDGER_TABLE} ORDER BY version DESC LIMIT 1`,
  );
  return row?.name ?? null;
}

/** Rows in a piece of COPY text: data newlines are escaped (\n), so every raw newline ends a row. */
function countRows(text: Buffer): number {
  let rows = 0;
  for (let at = text.indexOf(NEWLINE); at !== -1; at = text.indexOf(NEWLINE, at + 1)) rows++;
  return rows;
}

/**
 * PGlite's COPY pieces (whole rows, a range of pages each) regrouped into sections of whole rows
 * of about SECTION_BYTES.
 */
async function* embeddedSections(pieces: AsyncIterable<Buffer>): AsyncGenerator<CopySection> {
  let parts: Buffer[] = [];
  let size = 0;
  const section = (): CopySection => {
    const taken = {
      parts,
      bytes: size,
      rows: parts.reduce((sum, part) => sum + countRows(part), 0),
    };
    parts = [];
    size = 0;
    return taken;
  };
  for await (const piece of pieces) {
    parts.push(piece);
    size += piece.length;
    if (size >= SECTION_BYTES) yield section();
  }
  if (size > 0) yield section();
}

/** The rows of one table, in sections, from inside the snapshot. */
type SectionSource = (table: TableInfo) => AsyncIterable<CopySection>;

const SNAPSHOT_BEGIN = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';

/**
 * Runs fn in one REPEATABLE READ, READ ONLY transaction. On PostgreSQL the transaction is held on a
 * pooled client of its own so the rows can be read from the protocol directly (copy-out.ts); on
 * PGlite through the embedded session's page-range COPY.
 */
async function inSnapshot<T>(
  database: Database,
  fn: (session: QuerySession, sections: SectionSource) => Promise<T>,
): Promise<T> {
  const pool = database.pool;
  if (!pool) {
    return database.rawTransaction(
      (session) =>
        fn(session, (table) => embeddedSections(session.copyOut(table.name, table.columns))),
      SNAPSHOT_BEGIN,
    );
  }
  const client = await pool.connect();
  const session = clientSession(client);
  let copy: CopyOut | undefined;
  async function* postgresSections(table: TableInfo): AsyncGenerator<CopySection> {
    copy = copyOut(
      client,
      `COPY ${copyTarget(table.name, table.columns)} TO STDOUT`,
      SECTION_BYTES,
    );
    let rows = 0;
    for await (const section of copy.sections) {
      rows += section.rows;
      yield section;
    }
    if (copy.serverRows() !== rows)
      throw new Error(
        `COPY of ${table.name} reported ${copy.serverRows()} rows; ${rows} were read`,
      );
  }
  // The COPY reader speaks the protocol itself, so it says whether the connection is mid-COPY.
  return clientTransaction(
    client,
    SNAPSHOT_BEGIN,
    () => fn(session, postgresSections),
    () => copy?.copying() ?? false,
    () => copy?.abandon(),
  );
}

/**
 * Streams a consistent snapshot: one REPEATABLE READ, READ ONLY transaction, each table read with
 * COPY in bounded pieces, with backpressure from the consumer.
 */
export function snapshotStream(database: Database): {
  stream: Readable;
  summary: Promise<SnapshotSummary>;
} {
  const stream = new PassThrough({ highWaterMark: 1024 * 1024 });
  const write = async (data: string | Buffer) => {
    if (stream.destroyed) throw new Error('backup stream closed');
    if (!stream.write(data)) {
      // Waits for drain (or the consumer giving up) and removes both listeners again.
      await new Promise<void>((resolve) => {
        const resume = () => {
          stream.off('drain', resume);
          stream.off('close', resume);
          resolve();
        };
        stream.on('drain', resume);
        stream.on('close', resume);
      });
    }
  };
  const summary = inSnapshot(database, async (session, sectionsOf) => {
    const schemaVersion = await currentSchemaVersion(session);
    const tables = await listTables(session);
    await write(`#cryoprotect-dump ${JSON.stringify({ version: DUMP_VERSION, schemaVersion })}\n`);
    const counts: SnapshotSummary['tables'] = [];
    for (const table of tables) {
      await write(`#table ${JSON.stringify(table)}\n`);
      let rows = 0;
      for await (const section of sectionsOf(table)) {
        rows += section.rows;
        await write(`#copy ${section.bytes} ${section.rows}\n`);
        for (const part of section.parts) await write(part);
      }
      await write(`#end ${JSON.stringify({ table: table.name, rows })}\n`);
      counts.push({ name: table.name, rows });
    }
    await write(`#done ${JSON.stringify({ tables: tables.length })}\n`);
    return { schemaVersion, tables: counts };
  }).then(
    (result) => {
      stream.end();
      return result;
    },
    (error: unknown) => {
      stream.destroy(error as Error);
      throw error;
    },
  );
  // The consumer sees the error through the stream; this copy only avoids an unhandled rejection.
  summary.catch(() => undefined);
  return { stream, summary };
}

/**
 * Reads lines and exact byte counts from a stream. The input's chunks are kept as they come, never
 * concatenated: a section that spans two decompressed blocks is handed on as two parts. (Joining
 * the rest of one 4 MiB block to the next allocated a second copy of the whole dump, and the
 * garbage collections that external memory forces took seconds of the main thread per restore.)
 * Each chunk is held by the input until it is read to its end; the parts of a section are held
 * once more each for the caller, who drops them when they are written (block-memory.ts).
 */
class DumpInput {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private readonly source: AsyncIterator<unknown>;
  private ended = false;
  /** Chunks read to their end by the last take, dropped once its parts are held or read. */
  private readonly used: Buffer[] = [];

  constructor(
    input: Readable,
    readonly leases: BlockLeases,
  ) {
    this.source = input[Symbol.asyncIterator]();
  }

  /** The next line without its newline; null at the end of the input. */
  async line(): Promise<string | null> {
    for (let searched = 0, before = 0; ;) {
      for (; searched < this.chunks.length; searched++) {
        const at = this.chunks[searched].indexOf(NEWLINE);
        if (at !== -1) return this.settle(text(this.take(before + at + 1), before + at));
        before += this.chunks[searched].length;
      }
      if (!(await this.more()))
        return this.size === 0 ? null : this.settle(text(this.take(this.size)));
    }
  }

  /**
   * Exactly `count` bytes, in one or more parts, or null when the input ends first. Each part is
   * held for the caller, who drops it once written.
   */
  async bytes(count: number): Promise<Buffer[] | null> {
    while (this.size < count) if (!(await this.more())) return null;
    const parts = this.take(count);
    for (const part of parts) this.leases.hold(part);
    return this.settle(parts);
  }

  /** Drops the chunks the last take read to their end, after its parts were held or read. */
  private settle<T>(result: T): T {
    for (const chunk of this.used) this.leases.drop(chunk);
    this.used.length = 0;
    return result;
  }

  private take(count: number): Buffer[] {
    const parts: Buffer[] = [];
    this.size -= count;
    while (count > 0) {
      const first = this.chunks[0];
      if (first.length <= count) {
        parts.push(first);
        this.used.push(this.chunks.shift()!);
        count -= first.length;
      } else {
        parts.push(first.subarray(0, count));
        this.chunks[0] = first.subarray(count);
        count = 0;
      }
    }
    return parts;
  }

  private async more(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.source.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    const chunk = next.value as Buffer;
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.size += chunk.length;
    }
    return true;
  }
}

/** The first `length` bytes of parts as UTF-8 (all of them by default). */
function text(parts: Buffer[], length?: number): string {
  const whole = parts.length === 1 ? parts[0] : Buffer.concat(parts);
  return whole.toString('utf8', 0, length ?? whole.length);
}

export interface RestoreProgress {
  table: string;
  rows: number;
}

/** What one version of the format does with the rows of the table being loaded. */
interface RowLoader {
  /** Handles a line that is not a marker (version 1: a JSON row); returns rows taken. */
  line(line: string): Promise<void>;
  /** Handles a marker this version owns (version 2: #copy); false when it is not one. */
  marker(marker: string, argument: string): Promise<boolean>;
  /**
   * The table's rows are all read: waits until they are in the database. Returns the rows read
   * from the dump and the rows the database reports it stored.
   */
  finish(): Promise<{ rows: number; stored: number }>;
}

/**
 * Loads a dump into tables that exist and are empty: in one open transaction (one session), or in
 * a restore's staging schema over several connections, each section of a table going to the first
 * connection that is free (a COPY per table and connection). Returns the row count per table as
 * the database reports it stored them. Any error leaves the caller to roll back or drop.
 */
export async function loadSnapshot(
  sessions: readonly SqlSession[],
  input: Readable,
  onRows: (progress: RestoreProgress) => void = () => undefined,
  leases: BlockLeases = COLLECTED,
): Promise<SnapshotSummary> {
  const session = sessions[0];
  const existing = new Map((await listTables(session)).map((table) => [table.name, table]));
  const dump = new DumpInput(input, leases);
  const counted: SnapshotSummary['tables'] = [];
  let version: number | undefined;
  let schemaVersion: string | null | undefined;
  let table: TableInfo | undefined;
  let loader: RowLoader | undefined;
  let done = false;

  for (let line = await dump.line(); line !== null; line = await dump.line()) {
    if (done) throw BackupErrors.malformed('Data follows the end of the dump.');
    if (!line.startsWith('#')) {
      if (!loader) throw BackupErrors.malformed('A row appears outside a table.');
      await loader.line(line);
      continue;
    }
    const space = line.indexOf(' ');
    const marker = space === -1 ? line : line.slice(0, space);
    const argument = space === -1 ? '' : line.slice(space + 1);
    if (loader && (await loader.marker(marker, argument))) continue;
    const body = parseMarker(argument);
    switch (marker) {
      case '#cryoprotect-dump':
        if (body.version !== DUMP_VERSION && body.version !== JSON_LINES_VERSION)
          throw BackupErrors.malformed(`Unknown dump version ${String(body.version)}.`);
        version = body.version;
        schemaVersion = (body.schemaVersion as string | null) ?? null;
        break;
      case '#table': {
        if (version === undefined) throw BackupErrors.malformed('The dump has no header.');
        const name = String(body.name);
        const target = existing.get(name);
        if (!target)
          throw BackupErrors.malformed(`Table ${name} does not exist in the target database.`);
        const columns = body.columns as string[];
        const missing = columns.filter((column) => !target.columns.includes(column));
        if (missing.length > 0)
          throw BackupErrors.malformed(`Table ${name} has no column ${missing.join(', ')}.`);
        table = { name, columns };
        const report = (rows: number) => onRows({ table: name, rows });
        loader =
          version === DUMP_VERSION
            ? copyLoader(sessions, dump, table, report)
            : jsonLinesLoader(session, table, report);
        break;
      }
      case '#end': {
        const { rows, stored } = loader ? await loader.finish() : { rows: -1, stored: -1 };
        if (!table || body.table !== table.name || body.rows !== rows) {
          throw BackupErrors.malformed(
            `Table ${table?.name ?? '?'} ended with an unexpected row count.`,
          );
        }
        if (stored !== rows) throw BackupErrors.rowCountMismatch(table.name, rows, stored);
        counted.push({ name: table.name, rows: stored });
        table = undefined;
        loader = undefined;
        break;
      }
      case '#done':
        done = true;
        break;
      default:
        throw BackupErrors.malformed(`Unknown marker ${marker}.`);
    }
  }
  if (schemaVersion === undefined || !done)
    throw BackupErrors.truncated('The dump ends before its last table.');
  await resetSequences(session);
  return { schemaVersion, tables: counted };
}

function parseMarker(argument: string): Record<string, unknown> {
  try {
    return JSON.parse(argument) as Record<string, unknown>;
  } catch {
    throw BackupErrors.malformed('A marker line cannot be parsed.');
  }
}

/**
 * Version 2: #copy sections go to one COPY … FROM per table and connection. The next section is
 * decrypted, decompressed and read while the server parses the last one; with two connections, two
 * servers parse at once.
 */
function copyLoader(
  sessions: readonly SqlSession[],
  dump: DumpInput,
  table: TableInfo,
  report: (rows: number) => void,
): RowLoader {
  const sinks = sessions.map((session) => session.copyIn(table.name, table.columns));
  // The write in flight on each connection; a failed one stays here and is thrown by the next wait.
  const writing: (Promise<void> | undefined)[] = sinks.map(() => undefined);
  const free = async (): Promise<number> => {
    for (;;) {
      const idle = writing.indexOf(undefined);
      if (idle !== -1) return idle;
      await Promise.race(writing);
    }
  };
  let rows = 0;
  return {
    line: () => Promise.reject(BackupErrors.malformed('A version 2 dump holds a bare line.')),
    marker: async (marker, argument) => {
      if (marker !== '#copy') return false;
      const [bytes, sectionRows] = argument.split(' ').map(Number);
      if (!Number.isSafeInteger(bytes) || bytes <= 0 || bytes > MAX_SECTION_BYTES)
        throw BackupErrors.malformed(`A section of ${table.name} has an invalid size.`);
      const section = await dump.bytes(bytes);
      if (!section) throw BackupErrors.truncated(`The dump ends inside ${table.name}.`);
      const last = section[section.length - 1];
      const counted = section.reduce((sum, part) => sum + countRows(part), 0);
      if (last[last.length - 1] !== NEWLINE || counted !== sectionRows)
        throw BackupErrors.malformed(`A section of ${table.name} does not hold its rows.`);
      const sink = await free();
      const sent = sinks[sink].write(section).then(() => {
        writing[sink] = undefined;
        for (const part of section) dump.leases.drop(part);
      });
      sent.catch(() => undefined);
      writing[sink] = sent;
      rows += sectionRows;
      report(sectionRows);
      return true;
    },
    // The table was emptied or created by this restore and is written by no one else, so the rows
    // COPY reports stored are the rows it holds: counting them again would scan it once more.
    finish: async () => {
      await Promise.all(writing);
      const stored = await Promise.all(sinks.map((sink) => sink.end()));
      return { rows, stored: stored.reduce((sum, count) => sum + count, 0) };
    },
  };
}

/** Version 1: JSON rows, inserted in batches the server parses (jsonb_populate_recordset). */
function jsonLinesLoader(
  session: SqlSession,
  table: TableInfo,
  report: (rows: number) => void,
): RowLoader {
  const name = quote(table.name);
  const columns = table.columns.map(quote).join(', ');
  let batch: string[] = [];
  let batchBytes = 0;
  let rows = 0;
  // One batch is in the database while the next is read.
  let inserting: Promise<void> = Promise.resolve();
  const flush = async () => {
    if (batch.length === 0) return;
    const count = batch.length;
    const rowsJson = `[${batch.join(',')}]`;
    rows += count;
    batch = [];
    batchBytes = 0;
    await inserting;
    inserting = session
      .query(
        `INSERT INTO ${name} (${columns}) OVERRIDING SYSTEM VALUE SELECT ${columns} FROM jsonb_populate_recordset(NULL::${name}, $1::jsonb)`,
        [rowsJson],
      )
      .then(() => report(count));
    // Awaited by the next flush or at the end of the table; this only avoids an unhandled rejection
    // when the load fails elsewhere first (the caller's rollback then discards it).
    inserting.catch(() => undefined);
  };
  return {
    line: async (line) => {
      batch.push(line);
      batchBytes += line.length;
      if (batch.length >= INSERT_ROWS || batchBytes >= INSERT_BYTES) await flush();
    },
    marker: () => Promise.resolve(false),
    finish: async () => {
      await flush();
      await inserting;
      const [{ count }] = await session.query<{ count: string }>(
        `SELECT count(*)::text AS count FROM ${name}`,
      );
      return { rows, stored: Number(count) };
    },
  };
}

/** Moves every serial/identity sequence past the largest restored value. */
async function resetSequences(session: SqlSession): Promise<void> {
  const sequences = await session.query<{
    table_name: string;
    column_name: string;
    sequence: string;
  }>(
    `SELECT c.relname AS table_name, a.attname AS column_name,
            pg_get_serial_sequence(quote_ident(c.relname), a.attname) AS sequence
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE n.nspname = current_schema() AND c.relkind = 'r'
        AND pg_get_serial_sequence(quote_ident(c.relname), a.attname) IS NOT NULL`,
  );
  for (const row of sequences) {
    await session.query(
      `SELECT setval($1::regclass, COALESCE((SELECT max(${quote(row.column_name)}) FROM ${quote(row.table_name)}), 0) + 1, false)`,
      [row.sequence],
    );
  }
}

/**
 * Tables of the target that hold rows (the restore refuses to mix data). Tables that migrations
 * seed with reference rows are not counted: a freshly migrated database is still "empty".
 */
export async function tablesWithRows(
  session: SqlSession,
  migrations: Migration[],
): Promise<string[]> {
  const seeded = new Set(
    migrations.flatMap((migration) =>
      [...migration.sql.matchAll(/INSERT\s+INTO\s+"?([a-z0-9_]+)"?/gi)].map((match) =>
        match[1].toLowerCase(),
      ),
    ),
  );
  const busy: string[] = [];
  for (const table of await listTables(session)) {
    if (seeded.has(table.name)) continue;
    const rows = await session.query(`SELECT 1 FROM ${quote(table.name)} LIMIT 1`);
    if (rows.length > 0) busy.push(table.name);
  }
  return busy;
}

/** Empties every table (reference rows seeded by migrations are replaced by the backup's). */
export async function truncateAllTables(session: SqlSession): Promise<void> {
  const tables = await listTables(session);
  if (tables.length > 0)
    await session.exec(`TRUNCATE ${tables.map((table) => quote(table.name)).join(', ')} CASCADE`);
}

/** Drops every table of the current schema (restore --force), inside the caller's transaction. */
export async function dropAllTables(session: SqlSession): Promise<void> {
  const tables = await session.query<{ tablename: string }>(
    `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`,
  );
  for (const { tablename } of tables)
    await session.exec(`DROP TABLE IF EXISTS ${quote(tablename)} CASCADE`);
}

/**
 * Applies migrations inside the caller's transaction (so a failed restore leaves no schema behind
 * either), recording them in the same ledger the migrator keeps.
 */
export async function applyMigrations(session: SqlSession, migrations: Migration[]): Promise<void> {
  await session.exec(`CREATE TABLE IF NOT EXISTS ${LEDGER_TABLE} (
  version text PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamp with time zone NOT NULL DEFAULT now()
)`);
  const done = new Set(
    (await session.query<{ version: string }>(`SELECT version FROM ${LEDGER_TABLE}`)).map(
      (row) => row.version,
    ),
  );
  for (const migration of migrations) {
    if (done.has(migration.version)) continue;
    await session.exec(migration.sql);
    await session.query(
      `INSERT INTO ${LEDGER_TABLE} (version, name, checksum) VALUES ($1, $2, $3)`,
      [migration.version, migration.name, migration.checksum],
    );
  }
}
