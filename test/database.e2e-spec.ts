import { cpSync, appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, is } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { Database, SqlSession } from '../src/database/database';
import { migrate, MIGRATIONS_DIR, readMigrations } from '../src/database/migrator';
import * as schema from '../src/database/schema';
import { users } from '../src/database/schema/users';
import { describeEachDatabase } from './support/test-app';

type Column = ReturnType<typeof getTableConfig>['columns'][number];

/** One comparable description of a table: the same shape is built from Drizzle and from the database. */
interface TableShape {
  columns: Record<string, string>;
  primaryKey: string;
  uniqueIndexes: string[];
  indexes: string[];
  checks: string[];
  foreignKeys: string[];
}

const SQL_TYPE_ALIASES: [RegExp, string][] = [
  [/^varchar/, 'character varying'],
  [/^char\b/, 'character'],
  [/^timestamp$/, 'timestamp without time zone'],
  [/^timestamp\((\d+)\)$/, 'timestamp($1) without time zone'],
  [/^time$/, 'time without time zone'],
  [/^serial$/, 'integer'],
  [/^bigserial$/, 'bigint'],
  [/^smallserial$/, 'smallint'],
  [/^decimal/, 'numeric'],
  [/, /g, ','],
];

function normaliseType(type: string): string {
  let result = type.trim().toLowerCase();
  for (const [pattern, replacement] of SQL_TYPE_ALIASES)
    result = result.replace(pattern, replacement);
  return result;
}

/** Columns with a default in the database: SQL defaults, not $defaultFn (computed in the app). */
function hasSqlDefault(column: Column): boolean {
  return column.default !== undefined || /serial$/i.test(column.getSQLType());
}

function describeColumn(type: string, notNull: boolean, hasDefault: boolean): string {
  return `${normaliseType(type)}${notNull ? ' not null' : ' null'}${hasDefault ? ' default' : ''}`;
}

function drizzleTables(): PgTable[] {
  return Object.values(schema as Record<string, unknown>).filter((value): value is PgTable =>
    is(value, PgTable),
  );
}

function drizzleShape(table: PgTable): TableShape {
  const config = getTableConfig(table);
  const columns: Record<string, string> = {};
  const uniqueIndexes: string[] = [];
  const primary: string[] = [];
  for (const column of config.columns) {
    columns[column.name] = describeColumn(
      column.getSQLType(),
      column.notNull,
      hasSqlDefault(column),
    );
    if (column.primary) primary.push(column.name);
    if (column.isUnique)
      uniqueIndexes.push(column.uniqueName ?? `(unnamed unique on ${column.name})`);
  }
  for (const key of config.primaryKeys) primary.push(...key.columns.map((column) => column.name));
  for (const constraint of config.uniqueConstraints) {
    uniqueIndexes.push(constraint.getName() ?? '(unnamed unique constraint)');
  }
  const indexes: string[] = [];
  for (const index of config.indexes) {
    const name = index.config.name ?? '(unnamed index)';
    (index.config.unique ? uniqueIndexes : indexes).push(name);
  }
  return {
    columns,
    primaryKey: primary.sort().join(','),
    uniqueIndexes: uniqueIndexes.sort(),
    indexes: indexes.sort(),
    checks: config.checks.map((check) => check.name).sort(),
    foreignKeys: config.foreignKeys
      .map((foreignKey) => {
        const reference = foreignKey.reference();
        const target = getTableConfig(reference.foreignTable).name;
        return `${reference.columns.map((c) => c.name).join(',')} -> ${target}(${reference.foreignColumns
          .map((c) => c.name)
          .join(',')})`;
      })
      .sort(),
  };
}

async function databaseShape(session: SqlSession, table: string): Promise<TableShape> {
  const columnRows = await session.query<{
    name: string;
    type: string;
    notnull: boolean;
    hasdefault: boolean;
  }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull,
            a.atthasdef AS hasdefault
       FROM pg_attribute a
      WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [`public.${table}`],
  );
  const indexRows = await session.query<{
    name: string;
    isunique: boolean;
    isprimary: boolean;
    columns: string;
  }>(
    `SELECT c.relname AS name, i.indisunique AS isunique, i.indisprimary AS isprimary,
            (SELECT string_agg(a.attname, ',' ORDER BY a.attname) FROM pg_attribute a
              WHERE a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)) AS columns
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE i.indrelid = to_regclass($1)`,
    [`public.${table}`],
  );
  const constraintRows = await session.query<{ name: string; type: string; definition: string }>(
    `SELECT conname AS name, contype AS type, pg_get_constraintdef(oid) AS definition
       FROM pg_constraint WHERE conrelid = to_regclass($1) AND contype IN ('c', 'f')`,
    [`public.${table}`],
  );
  const columns: Record<string, string> = {};
  for (const row of columnRows)
    columns[row.name] = describeColumn(row.type, row.notnull, row.hasdefault);
  return {
    columns,
    primaryKey: indexRows.find((row) => row.isprimary)?.columns ?? '',
    uniqueIndexes: indexRows
      .filter((row) => row.isunique && !row.isprimary)
      .map((row) => row.name)
      .sort(),
    indexes: indexRows
      .filter((row) => !row.isunique)
      .map((row) => row.name)
      .sort(),
    checks: constraintRows
      .filter((row) => row.type === 'c')
      .map((row) => row.name)
      .sort(),
    foreignKeys: constraintRows
      .filter((row) => row.type === 'f')
      .map((row) => {
        const match =
          /^FOREIGN KEY \(([^)]*)\) REFERENCES (?:public\.)?("?[\w]+"?)\(([^)]*)\)/.exec(
            row.definition,
          );
        if (!match) return row.definition;
        const names = (list: string) =>
          list
            .split(',')
            .map((name) => name.trim().replace(/"/g, ''))
            .join(',');
        return `${names(match[1])} -> ${match[2].replace(/"/g, '')}(${names(match[3])})`;
      })
      .sort(),
  };
}

/** Every difference as one readable line: `table.part: drizzle=… database=…`. */
function diffShapes(table: string, expected: TableShape, actual: TableShape): string[] {
  const lines: string[] = [];
  const names = new Set([...Object.keys(expected.columns), ...Object.keys(actual.columns)]);
  for (const name of names) {
    const want = expected.columns[name] ?? '(missing)';
    const got = actual.columns[name] ?? '(missing)';
    if (want !== got) lines.push(`${table}.${name}: drizzle=${want} | database=${got}`);
  }
  if (expected.primaryKey !== actual.primaryKey) {
    lines.push(
      `${table} primary key: drizzle=(${expected.primaryKey}) | database=(${actual.primaryKey})`,
    );
  }
  for (const part of ['uniqueIndexes', 'indexes', 'checks', 'foreignKeys'] as const) {
    const want = expected[part].join(', ');
    const got = actual[part].join(', ');
    if (want !== got) lines.push(`${table} ${part}: drizzle=[${want}] | database=[${got}]`);
  }
  return lines;
}

/** Every difference between the Drizzle schema and the migrated database, one readable line each. */
async function schemaDifferences(database: Database, tables: PgTable[]): Promise<string[]> {
  return database.session(async (session) => {
    const lines: string[] = [];
    const declared = new Set(tables.map((table) => getTableConfig(table).name));
    const present = await session.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'`,
    );
    for (const { name } of present) {
      if (!declared.has(name))
        lines.push(`${name}: created by a migration but not exported from src/database/schema`);
    }
    for (const table of tables) {
      const name = getTableConfig(table).name;
      if (!present.some((row) => row.name === name)) {
        lines.push(`${name}: exported from src/database/schema but no migration creates it`);
        continue;
      }
      lines.push(...diffShapes(name, drizzleShape(table), await databaseShape(session, name)));
    }
    return lines;
  });
}

describeEachDatabase('database', (ctx, kind) => {
  it('should have exactly the tables, columns, indexes and constraints the Drizzle schema declares', async () => {
    const tables = drizzleTables();
    expect(tables.length).toBeGreaterThan(0);

    const differences = await schemaDifferences(ctx().database, tables);

    if (differences.length > 0) {
      throw new Error(
        `The Drizzle schema and the migrations disagree:\n  ${differences.join('\n  ')}`,
      );
    }
  });

  it('should report a table, a column and a constraint the Drizzle schema does not declare', async () => {
    const ddl = (text: string) => ctx().database.session((session) => session.exec(text));
    await ddl(`CREATE TABLE zz_undeclared (id int)`);
    await ddl(`ALTER TABLE users ADD COLUMN zz_extra text`);
    await ddl(`ALTER TABLE users ADD CONSTRAINT zz_check CHECK (zz_extra <> '')`);
    try {
      const differences = await schemaDifferences(ctx().database, drizzleTables());

      expect(differences).toEqual(
        expect.arrayContaining([
          'zz_undeclared: created by a migration but not exported from src/database/schema',
          'users.zz_extra: drizzle=(missing) | database=text null',
          expect.stringMatching(/^users checks: drizzle=\[.*\] \| database=\[.*zz_check.*\]$/),
        ]),
      );
      expect(differences).toHaveLength(3);
    } finally {
      await ddl(`DROP TABLE zz_undeclared; ALTER TABLE users DROP COLUMN zz_extra`);
    }
  });

  it('should record every committed migration in the ledger', async () => {
    const rows = await ctx().database.session((session) =>
      session.query<{ version: string; name: string; checksum: string }>(
        'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
      ),
    );

    expect(rows).toEqual(
      readMigrations().map(({ version, name, checksum }) => ({ version, name, checksum })),
    );
  });

  it('should apply nothing when migrate runs again', async () => {
    const result = await migrate(ctx().database);

    expect(result.applied).toEqual([]);
    expect(result.current).toBe(readMigrations().at(-1)?.name);
  });

  it('should refuse to start when a landed migration was changed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cryoprotect-migrations-'));
    try {
      cpSync(MIGRATIONS_DIR, dir, { recursive: true });
      appendFileSync(join(dir, readMigrations()[0].name + '.sql'), '\n-- edited after landing\n');

      await expect(migrate(ctx().database, readMigrations(dir))).rejects.toThrow(
        /checksum mismatch/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('should refuse a database that has a migration this version does not know', async () => {
    await expect(migrate(ctx().database, readMigrations().slice(0, 1))).rejects.toThrow(
      /does not know/,
    );
  });

  it('should roll back every write of a transaction that throws', async () => {
    const email = `rollback-${Date.now()}@example.org`;

    await expect(
      ctx().database.transaction(async (tx) => {
        await tx.insert(users).values({ email, displayName: 'Rollback', role: 'viewer' });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');

    const rows = await ctx().database.db.select().from(users).where(eq(users.email, email));
    expect(rows).toEqual([]);
  });

  it('should commit the writes of a transaction that returns', async () => {
    const email = `commit-${Date.now()}@example.org`;

    await ctx().database.transaction((tx) =>
      tx.insert(users).values({ email, displayName: 'Commit', role: 'viewer' }),
    );

    expect(await ctx().database.db.select().from(users).where(eq(users.email, email))).toHaveLength(
      1,
    );
  });

  it('should run the advisory-locked work and release the lock afterwards', async () => {
    const first = await ctx().database.withAdvisoryLock('test:release', async () => 42);
    const second = await ctx().database.withAdvisoryLock('test:release', async () => 43);

    expect(first).toEqual({ acquired: true, result: 42 });
    expect(second).toEqual({ acquired: true, result: 43 });
  });

  it('should release the advisory lock when the work throws', async () => {
    await expect(
      ctx().database.withAdvisoryLock('test:throw', async () => {
        throw new Error('work failed');
      }),
    ).rejects.toThrow('work failed');

    expect(await ctx().database.withAdvisoryLock('test:throw', async () => 'ok')).toEqual({
      acquired: true,
      result: 'ok',
    });
  });

  // PGlite is one embedded single-connection instance in one process: there is no second holder.
  if (kind === 'postgres') {
    it('should give a second concurrent holder { acquired: false } on another connection and process', async () => {
      const other = await Database.connect(ctx().config);
      try {
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        let entered!: () => void;
        const inside = new Promise<void>((resolve) => (entered = resolve));
        const holder = ctx().database.withAdvisoryLock('test:concurrent', async () => {
          entered();
          await held;
          return 'first';
        });
        await inside;

        const fromOtherInstance = await other.withAdvisoryLock(
          'test:concurrent',
          async () => 'second',
        );
        const fromSamePool = await ctx().database.withAdvisoryLock(
          'test:concurrent',
          async () => 'third',
        );
        release();

        expect(fromOtherInstance).toEqual({ acquired: false });
        expect(fromSamePool).toEqual({ acquired: false });
        expect(await holder).toEqual({ acquired: true, result: 'first' });
        expect(await other.withAdvisoryLock('test:concurrent', async () => 'after')).toEqual({
          acquired: true,
          result: 'after',
        });
      } finally {
        await other.close();
      }
    });
  }
});
