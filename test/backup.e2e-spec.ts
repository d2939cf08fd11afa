import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { brotliCompressSync } from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';
import { Client } from 'pg';
import { register } from 'prom-client';
import { BackupScheduler } from '../src/backup/backup.scheduler';
import { BackupService } from '../src/backup/backup.service';
import { BackupManifest, newBackupId } from '../src/backup/backup.manifest';
import { RestoreProgress } from '../src/backup/backup-restorer';
import {
  EncryptStream,
  FRAME_LAYOUT,
  newEncryptionParams,
} from '../src/backup/pipeline/encryption';
import { decoderCounts } from '../src/backup/pipeline/block-worker';
import { listTables, loadSnapshot } from '../src/backup/pipeline/snapshot';
import { ConfigError, loadConfig } from '../src/config/config.loader';
import { SqlSession } from '../src/database/database';
import { MoleculeSeedService } from '../src/molecule/molecule-seed.service';
import { freePort, LocalService, startS3rver } from './support/backup-services';
import { createTestApp, createTestDatabaseUrl, databaseKinds, TestApp } from './support/test-app';
import { codeOf } from './support/error-code';

const key = () => randomBytes(32).toString('base64');

/** Runs `use` with a fresh, empty PostgreSQL database, dropped afterwards whatever happens. */
async function withTestDatabase(use: (url: string) => Promise<void>): Promise<void> {
  const target = await createTestDatabaseUrl();
  try {
    await use(target.url);
  } finally {
    await target.drop();
  }
}

async function fillDatabase(app: TestApp, users: number): Promise<void> {
  await app.app.get(MoleculeSeedService).seed();
  await app.database.session((session) =>
    session.query(
      `INSERT INTO users (email, display_name, role)
       SELECT 'user' || g || '@example.org', 'Researcher ' || g || ' ' || md5(g::text), 'viewer' FROM generate_series(1, $1::int) g`,
      [users],
    ),
  );
}

async function rowCounts(app: TestApp): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  await app.database.session(async (session) => {
    const tables = await session.query<{ tablename: string }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'`,
    );
    for (const { tablename } of tables) {
      const [row] = await session.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM "${tablename}"`,
      );
      counts[tablename] = Number(row.n);
    }
  });
  return counts;
}

async function countsAt(url: string): Promise<Record<string, number>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const counts: Record<string, number> = {};
    const { rows } = await client.query<{ tablename: string }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'`,
    );
    for (const { tablename } of rows) {
      const result = await client.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM "${tablename}"`,
      );
      counts[tablename] = Number(result.rows[0].n);
    }
    return counts;
  } finally {
    await client.end();
  }
}

/** Every index and constraint of the public schema, as definitions (names included). */
const INDEXES_AND_CONSTRAINTS_SQL = `SELECT pg_get_indexdef(indexrelid) AS line FROM pg_index x
    JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
   WHERE n.nspname = 'public'
  UNION ALL
  SELECT c.relname || '.' || k.conname || ' ' || pg_get_constraintdef(k.oid) FROM pg_constraint k
    JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = 'public'`;

async function indexesAndConstraintsAt(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ line: string }>(INDEXES_AND_CONSTRAINTS_SQL);
    return rows.map((row) => row.line).sort();
  } finally {
    await client.end();
  }
}

/** The same, from an embedded database's folder (opened after the restore has closed it). */
async function indexesAndConstraintsIn(dataDir: string): Promise<string[]> {
  const db = await PGlite.create({ dataDir });
  try {
    const { rows } = await db.query<{ line: string }>(INDEXES_AND_CONSTRAINTS_SQL);
    return rows.map((row) => row.line).sort();
  } finally {
    await db.close();
  }
}

async function publicTablesIn(dataDir: string): Promise<number> {
  const db = await PGlite.create({ dataDir });
  try {
    const { rows } = await db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM pg_tables WHERE schemaname = 'public'`,
    );
    return Number(rows[0].n);
  } finally {
    await db.close();
  }
}

/**
 * A digest of every row of every table, in one canonical text form, so that two databases of
 * either engine can be compared value by value (not only by row counts).
 */
const CONTENT_SQL = `SELECT md5(coalesce(string_agg(r, E'\\n' ORDER BY r), '')) AS digest FROM (SELECT t::text AS r FROM %s t) rows`;

async function contentDigests(
  query: (sql: string) => Promise<{ digest: string }[]>,
  tables: string[],
): Promise<Record<string, string>> {
  await query(`SET TimeZone = 'UTC'`);
  const digests: Record<string, string> = {};
  for (const table of tables)
    digests[table] = (await query(CONTENT_SQL.replace('%s', `"${table}"`)))[0].digest;
  return digests;
}

async function contentAt(url: string, tables: string[]): Promise<Record<string, string>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await contentDigests(
      async (sql) => (await client.query<{ digest: string }>(sql)).rows,
      tables,
    );
  } finally {
    await client.end();
  }
}

async function contentOf(app: TestApp, tables: string[]): Promise<Record<string, string>> {
  return app.database.session((session) =>
    contentDigests((sql) => session.query<{ digest: string }>(sql), tables),
  );
}

/**
 * Writes a backup the way version 1 of the format did (the previous release): one JSON object per
 * row (row_to_json), the whole dump as one brotli stream, encrypted in chunks, manifest version 1.
 */
async function writeVersion1Backup(
  session: SqlSession,
  directory: string,
  encryptionKey: string,
): Promise<string> {
  const createdAt = new Date();
  const id = newBackupId(createdAt, randomBytes(4).toString('hex'));
  const [{ name: schemaVersion }] = await session.query<{ name: string }>(
    'SELECT name FROM schema_migrations ORDER BY version DESC LIMIT 1',
  );
  const lines = [`#cryoprotect-dump ${JSON.stringify({ version: 1, schemaVersion })}`];
  const tables: { name: string; rows: number }[] = [];
  for (const table of await listTables(session)) {
    lines.push(`#table ${JSON.stringify(table)}`);
    const select = table.columns.map((column) => `"${column}"`).join(', ');
    const rows = await session.query<{ j: string }>(
      `SELECT row_to_json(r)::text AS j FROM (SELECT ${select} FROM "${table.name}") r`,
    );
    lines.push(...rows.map((row) => row.j));
    lines.push(`#end ${JSON.stringify({ table: table.name, rows: rows.length })}`);
    tables.push({ name: table.name, rows: rows.length });
  }
  lines.push(`#done ${JSON.stringify({ tables: tables.length })}`);
  const plain = Buffer.from(`${lines.join('\n')}\n`);
  const chunkSizeBytes = 4096;
  const encryption = await newEncryptionParams(
    { key: Buffer.from(encryptionKey, 'base64') },
    'primary',
    id,
    chunkSizeBytes,
  );
  const encrypt = Readable.from([brotliCompressSync(plain)]).pipe(
    new EncryptStream(encryption.key, id, chunkSizeBytes),
  );
  const frames: Buffer[] = [];
  for await (const frame of encrypt) frames.push(frame as Buffer);
  const stored = Buffer.concat(frames);
  mkdirSync(join(directory, id));
  writeFileSync(join(directory, id, 'data.cpbk'), stored);
  const manifest: BackupManifest = {
    format: 'cryoprotect-backup',
    version: 1,
    id,
    target: 'local',
    schedule: null,
    createdAt: createdAt.toISOString(),
    completedAt: createdAt.toISOString(),
    durationSeconds: 0,
    source: { kind: 'pglite', description: 'version 1 fixture' },
    schemaVersion,
    serviceVersion: '2.0.0',
    tables,
    compression: { algorithm: 'brotli', level: 3 },
    encryption: encryption.params,
    data: {
      key: `${id}/data.cpbk`,
      sizeBytes: stored.length,
      sha256: createHash('sha256').update(stored).digest('hex'),
      plainBytes: plain.length,
    },
  };
  writeFileSync(join(directory, id, 'manifest.json'), JSON.stringify(manifest));
  return id;
}

/**
 * A restore reports its rows as they load, then each index and key it builds (numbered, every one
 * once), then its last step — in that order, with the rows only growing.
 */
function expectProgressInOrder(progress: RestoreProgress[], lastStep: string): void {
  const phases = progress.map((report) => report.phase);
  expect(phases.indexOf('indexes')).toBeGreaterThan(phases.lastIndexOf('load'));
  expect(phases[phases.length - 1]).toBe('finish');
  expect(progress[progress.length - 1].step).toBe(lastStep);
  const rows = progress.map((report) => report.rows);
  expect(rows).toEqual([...rows].sort((a, b) => a - b));
  const steps = progress
    .filter((report) => report.phase === 'indexes')
    .map((report) => report.step);
  const total = Number(/^index \d+\/(\d+) /.exec(steps[0])?.[1]);
  expect(total).toBeGreaterThan(20);
  expect(
    steps.map((step) => Number(/^index (\d+)\//.exec(step)?.[1])).sort((a, b) => a - b),
  ).toEqual(Array.from({ length: total }, (_, i) => i + 1));
}

/** Tables in every schema of the database, and the restore's staging schemas: all must be gone. */
async function leftoverTables(url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ n: string }>(
    `SELECT ((SELECT count(*) FROM pg_tables
               WHERE schemaname NOT IN ('pg_catalog', 'information_schema'))
           + (SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'cryoprotect\\_restore\\_%'))::text AS n`,
  );
  await client.end();
  return Number(rows[0].n);
}

describe(BackupService.name, () => {
  const backupDir = mkdtempSync(join(tmpdir(), 'backup-e2e-'));
  const primaryKey = key();
  let app: TestApp;
  let sut: BackupService;
  let backupId: string;
  /** Every table's content digest at the time of the first backup. */
  let contentAtBackup: Record<string, string>;
  const hasPostgres = databaseKinds().includes('postgres');

  const localConfig = (overrides: Record<string, unknown> = {}) => ({
    backup: {
      encryptionKey: primaryKey,
      chunkSizeBytes: 4096,
      targets: { local: { driver: 'local', path: backupDir } },
      retry: { attempts: 2, baseDelayMs: 10 },
      ...overrides,
    },
  });

  beforeAll(async () => {
    app = await createTestApp('pglite', { overrides: localConfig() });
    sut = app.app.get(BackupService);
    await fillDatabase(app, 300);
  });

  afterAll(async () => {
    await app.close();
    rmSync(backupDir, { recursive: true, force: true });
    rmSync(`${backupDir}-multi`, { recursive: true, force: true });
  });

  it('should store a backup with a manifest listing every table and its rows when run', async () => {
    const report = await sut.run();
    expect(report.ok).toBe(true);
    const result = report.results[0];
    if (!result.ok) throw new Error(result.message);
    backupId = result.manifest.id;
    contentAtBackup = await contentOf(
      app,
      result.manifest.tables.map((table) => table.name),
    );
    const counts = await rowCounts(app);
    expect(
      Object.fromEntries(result.manifest.tables.map((table) => [table.name, table.rows])),
    ).toEqual(counts);
    expect(result.manifest).toMatchObject({
      schemaVersion: expect.stringMatching(/^\d{4}_/),
      encryption: { algorithm: 'aes-256-gcm', keyId: 'primary', kdf: 'hkdf-sha256' },
      compression: { algorithm: 'brotli', level: 2 },
      source: { kind: 'pglite' },
    });
    expect((await sut.list()).map((item) => item.id)).toContain(backupId);
  });

  it('should pass quick and full verification when the backup is intact', async () => {
    expect(await sut.verify(backupId)).toMatchObject({ mode: 'quick' });
    const full = await sut.verify(backupId, { full: true });
    expect(Object.fromEntries(full.tables!.map((table) => [table.name, table.rows]))).toEqual(
      await rowCounts(app),
    );
    expect((await sut.get(backupId)).verification).toMatchObject({ mode: 'full' });
  });

  it('should export the backup metrics labelled by target and schedule when a backup ran', async () => {
    const text = await register.metrics();
    expect(text).toMatch(
      /cryoprotect_backup_last_success_timestamp_seconds\{target="local",schedule="manual"\} \d+/,
    );
    expect(text).toMatch(/cryoprotect_backup_size_bytes\{target="local",schedule="manual"\} \d+/);
    expect(text).toMatch(
      /cryoprotect_backup_verify_last_success_timestamp_seconds\{target="local",schedule="manual"\}/,
    );
    expect(text).toContain('cryoprotect_backup_duration_seconds_bucket');
  });

  // Runs before the other suites create more apps in this process (each with its own JWT secret).
  it('should serve the admin API to admins only and report freshness in readiness', async () => {
    const admin = await app.signIn('admin');
    const researcher = await app.signIn('researcher');
    const forbidden = await app.request('/api/v1/backups', { headers: researcher.headers });
    expect({ status: forbidden.status, body: await forbidden.text() }).toMatchObject({
      status: 403,
    });
    const list = await app.request('/api/v1/backups', { headers: admin.headers });
    expect(list.status).toBe(200);
    const run = await app.request('/api/v1/backups', {
      method: 'POST',
      headers: admin.headers,
      json: {},
    });
    const body = (await run.json()) as { ok: boolean; results: { manifest: { id: string } }[] };
    expect(body.ok).toBe(true);
    const id = body.results[0].manifest.id;
    expect((await app.request(`/api/v1/backups/${id}`, { headers: admin.headers })).status).toBe(
      200,
    );
    const verify = await app.request(`/api/v1/backups/${id}/verify`, {
      method: 'POST',
      headers: admin.headers,
      json: { full: false },
    });
    expect(await verify.json()).toMatchObject({ id, mode: 'quick' });
    const missing = await app.request('/api/v1/backups/20200101T000000Z-00000000', {
      headers: admin.headers,
    });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'BACKUP_NOT_FOUND' });
    const ready = (await (await app.request('/health/ready')).json()) as {
      details?: Record<string, unknown>;
      info?: Record<string, unknown>;
    };
    expect(JSON.stringify(ready)).toContain('"backup"');
  });

  (hasPostgres ? it : it.skip)(
    'should restore a PGlite backup into a fresh PostgreSQL database with equal row counts',
    async () => {
      await withTestDatabase(async (url) => {
        const progress: RestoreProgress[] = [];
        await sut.restore(backupId, {
          targetDatabase: url,
          onProgress: (report) => progress.push(report),
        });
        expectProgressInOrder(progress, 'moving the tables into place');
        const manifest = await sut.get(backupId);
        const expected = Object.fromEntries(
          manifest.tables.map((table) => [table.name, table.rows]),
        );
        // Counted independently in the restored database, compared with the counts at backup time.
        expect(await countsAt(url)).toEqual(expected);
        // Every value, too: COPY text written by PGlite (PG 18) reads back the same in PostgreSQL 15.
        expect(await contentAt(url, Object.keys(expected))).toEqual(contentAtBackup);
        expect(await codeOf(sut.restore(backupId, { targetDatabase: url }))).toBe(
          'BACKUP_RESTORE_TARGET_NOT_EMPTY',
        );
        const forced = await sut.restore(backupId, { targetDatabase: url, force: true });
        expect(forced.tables.find((table) => table.name === 'users')!.rows).toBe(expected.users);
        // The load drops indexes and keys and rebuilds them: the schema must come back whole.
        const migrated = await createTestApp('postgres');
        try {
          const reference = await indexesAndConstraintsAt(migrated.config.database.url!);
          expect(reference.length).toBeGreaterThan(40);
          expect(await indexesAndConstraintsAt(url)).toEqual(reference);
        } finally {
          await migrated.close();
        }
      });
    },
  );

  (hasPostgres ? it : it.skip)(
    'should fail with BACKUP_RESTORE_NOT_PERMITTED and write nothing when the role may not create the staging schema',
    async () => {
      await withTestDatabase(async (url) => {
        // A role that may connect (PUBLIC's default) but not create schemas in the database.
        const role = `cp_restore_${randomBytes(3).toString('hex')}`;
        const admin = new Client({ connectionString: url });
        await admin.connect();
        await admin.query(`CREATE ROLE ${role} LOGIN`);
        try {
          const asRole = new URL(url);
          asRole.username = role;
          const failure = sut.restore(backupId, { targetDatabase: asRole.toString() });
          await expect(failure).rejects.toMatchObject({
            code: 'BACKUP_RESTORE_NOT_PERMITTED',
            detail: expect.stringContaining('GRANT CREATE ON DATABASE'),
          });
          expect(await leftoverTables(url)).toBe(0);
        } finally {
          await admin.query(`DROP ROLE ${role}`);
          await admin.end();
        }
      });
    },
  );

  (hasPostgres ? it : it.skip)(
    'should restore a PostgreSQL backup into a fresh embedded database with equal row counts',
    async () => {
      const source = await createTestApp('postgres', { overrides: localConfig() });
      const pgliteDir = mkdtempSync(join(tmpdir(), 'backup-pglite-'));
      try {
        await fillDatabase(source, 50);
        const report = await source.app.get(BackupService).run();
        if (!report.results[0].ok) throw new Error(report.results[0].message);
        expect(report.results[0].manifest.source.kind).toBe('postgres');
        const progress: RestoreProgress[] = [];
        const restored = await sut.restore(report.results[0].manifest.id, {
          targetDatabase: `pglite:${pgliteDir}`,
          onProgress: (report) => progress.push(report),
        });
        expectProgressInOrder(progress, 'the remaining migrations');
        expect(
          Object.fromEntries(restored.tables.map((table) => [table.name, table.rows])),
        ).toEqual(await rowCounts(source));
        // Indexes and keys are dropped for the load and rebuilt: as in a freshly migrated database.
        const migrated = await createTestApp('pglite');
        try {
          const reference = await migrated.database.session(async (session) =>
            (await session.query<{ line: string }>(INDEXES_AND_CONSTRAINTS_SQL))
              .map((row) => row.line)
              .sort(),
          );
          expect(reference.length).toBeGreaterThan(40);
          expect(await indexesAndConstraintsIn(pgliteDir)).toEqual(reference);
        } finally {
          await migrated.close();
        }
      } finally {
        await source.close();
        rmSync(pgliteDir, { recursive: true, force: true });
      }
    },
  );

  (hasPostgres ? it : it.skip)(
    'should restore value for value on two connections while the decompressed blocks reuse their memory many times over',
    async () => {
      // About 60 MB of rows: 15 blocks of 4 MiB through 6 reused slots, each section's pieces
      // written by one of two connections while later blocks are decompressed into freed slots.
      // A slot handed out again while a piece of it was still being sent would change values
      // (not counts), which the digests of every row catch.
      const source = await createTestApp('postgres', { overrides: localConfig() });
      try {
        await source.database.session((session) =>
          session.query(
            `INSERT INTO users (email, display_name, role)
             SELECT 'slot' || g || '@example.org', repeat(md5(g::text), 4) || ' ' || g, 'viewer'
               FROM generate_series(1, 350000) g`,
          ),
        );
        const tables = (await source.database.session((session) => listTables(session))).map(
          (table) => table.name,
        );
        const [outcome] = (await source.app.get(BackupService).run()).results;
        if (!outcome.ok) throw new Error(outcome.message);
        const before = { ...decoderCounts };
        await withTestDatabase(async (url) => {
          await sut.restore(outcome.manifest.id, { targetDatabase: url });

          expect(decoderCounts.blocks - before.blocks).toBeGreaterThan(12);
          expect(await contentAt(url, tables)).toEqual(
            await contentAt(source.config.database.url!, tables),
          );
        });
      } finally {
        await source.close();
      }
    },
  );

  it('should restore a version 1 backup (JSON rows, one compressed stream) value for value into either engine', async () => {
    const v1Dir = mkdtempSync(join(tmpdir(), 'backup-v1-'));
    const pgliteDir = mkdtempSync(join(tmpdir(), 'backup-v1-pglite-'));
    const legacy = await createTestApp('pglite', {
      overrides: localConfig({ targets: { local: { driver: 'local', path: v1Dir } } }),
    });
    try {
      await fillDatabase(legacy, 40);
      const id = await legacy.database.session((session) =>
        writeVersion1Backup(session, v1Dir, primaryKey),
      );
      const backups = legacy.app.get(BackupService);
      const manifest = await backups.get(id);
      expect(manifest).toMatchObject({ version: 1, compression: { algorithm: 'brotli' } });
      const tables = manifest.tables.map((table) => table.name);
      const expected = await contentOf(legacy, tables);
      expect((await backups.verify(id, { full: true })).mode).toBe('full');
      const restored = await backups.restore(id, { targetDatabase: `pglite:${pgliteDir}` });
      expect(restored.tables.every((table) => table.rows === table.expected)).toBe(true);
      if (hasPostgres) {
        await withTestDatabase(async (url) => {
          await backups.restore(id, { targetDatabase: url });
          expect(await contentAt(url, tables)).toEqual(expected);
        });
      }
    } finally {
      await legacy.close();
      rmSync(v1Dir, { recursive: true, force: true });
      rmSync(pgliteDir, { recursive: true, force: true });
    }
  }, 120_000);

  // An authentic backup (every chunk and the checksum intact) of a database whose data broke a
  // key, e.g. after its index was damaged: the keys are only checked when they are rebuilt.
  it.each([
    [
      'a duplicate of a unique key',
      `DROP INDEX users_email_lower_key;
       INSERT INTO users (email, display_name, role) SELECT email, 'twin', role FROM users LIMIT 1`,
      'users_email_lower_key',
    ],
    [
      'a child row without its parent',
      `ALTER TABLE refresh_tokens DROP CONSTRAINT refresh_tokens_user_id_fkey;
       INSERT INTO refresh_tokens (family_id, user_id, token_hash, expires_at)
       VALUES (gen_random_uuid(), gen_random_uuid(), 'orphan', now())`,
      'refresh_tokens_user_id_fkey',
    ],
  ])(
    'should fail with BACKUP_REBUILD_FAILED and write nothing when the data has %s',
    async (_name, breakKey, broken) => {
      const dir = mkdtempSync(join(tmpdir(), 'backup-broken-'));
      const pgliteDir = mkdtempSync(join(tmpdir(), 'backup-broken-pglite-'));
      const source = await createTestApp('pglite', {
        overrides: localConfig({ targets: { local: { driver: 'local', path: dir } } }),
      });
      try {
        await fillDatabase(source, 20);
        await source.database.session((session) => session.exec(breakKey));
        const backups = source.app.get(BackupService);
        const report = await backups.run();
        if (!report.results[0].ok) throw new Error(report.results[0].message);
        const id = report.results[0].manifest.id;
        const failure = backups.restore(id, { targetDatabase: `pglite:${pgliteDir}` });
        await expect(failure).rejects.toMatchObject({
          code: 'BACKUP_REBUILD_FAILED',
          detail: expect.stringContaining(broken),
        });
        expect(await publicTablesIn(pgliteDir)).toBe(0);
        if (hasPostgres) {
          await withTestDatabase(async (url) => {
            expect(await codeOf(backups.restore(id, { targetDatabase: url }))).toBe(
              'BACKUP_REBUILD_FAILED',
            );
            expect(await leftoverTables(url)).toBe(0);
          });
        }
      } finally {
        await source.close();
        rmSync(dir, { recursive: true, force: true });
        rmSync(pgliteDir, { recursive: true, force: true });
      }
    },
    120_000,
  );

  it('should load a dump that arrives in pieces cutting its marker lines and sections anywhere', async () => {
    const rows = Array.from(
      { length: 500 },
      (_, i) => `key-${i}\t${i % 7}\t2026-01-0${1 + (i % 9)} 00:00:00+00\n`,
    );
    const section = (part: string[]) => {
      const text = part.join('');
      return `#copy ${Buffer.byteLength(text)} ${part.length}\n${text}`;
    };
    const dump = Buffer.from(
      [
        `#cryoprotect-dump {"version":2,"schemaVersion":null}\n`,
        `#table {"name":"login_throttles","columns":["key","failures","window_started_at"]}\n`,
        section(rows.slice(0, 200)),
        section(rows.slice(200)),
        `#end {"table":"login_throttles","rows":500}\n#done {"tables":1}\n`,
      ].join(''),
    );
    // 7-byte pieces: every line and both sections span pieces, as sections span 4 MiB blocks.
    const pieces = Array.from({ length: Math.ceil(dump.length / 7) }, (_, i) =>
      dump.subarray(i * 7, i * 7 + 7),
    );
    const target = await createTestApp('pglite');
    try {
      const summary = await target.database.rawTransaction((session) =>
        loadSnapshot([session], Readable.from(pieces)),
      );
      expect(summary.tables).toEqual([{ name: 'login_throttles', rows: 500 }]);
      const [{ keys }] = await target.database.session((session) =>
        session.query<{ keys: string }>(
          `SELECT string_agg(key, ',' ORDER BY failures, key) AS keys FROM login_throttles WHERE failures = 3`,
        ),
      );
      expect(keys.split(',')).toEqual(
        rows
          .map((_, i) => i)
          .filter((i) => i % 7 === 3)
          .map((i) => `key-${i}`)
          .sort(),
      );
    } finally {
      await target.close();
    }
  });

  describe('damaged backups', () => {
    const dataFile = () => join(backupDir, backupId, 'data.cpbk');
    let original: Buffer;

    beforeAll(() => {
      original = readFileSync(dataFile());
    });
    afterEach(() => writeFileSync(dataFile(), original));

    /** Offset of frame `index` (frames are laid out back to back). */
    function frameOffset(data: Buffer, index: number): number {
      let offset = 0;
      for (let i = 0; i < index; i++)
        offset += data.readUInt32BE(offset) + FRAME_LAYOUT.FRAME_OVERHEAD;
      return offset;
    }

    const damage: [string, (data: Buffer) => Buffer, string, string][] = [
      [
        'a flipped byte',
        (data) => {
          const copy = Buffer.from(data);
          copy[frameOffset(data, 1) + FRAME_LAYOUT.HEADER_BYTES + FRAME_LAYOUT.NONCE_BYTES + 5] ^=
            0x01;
          return copy;
        },
        'BACKUP_CHECKSUM_MISMATCH',
        'BACKUP_CORRUPTED',
      ],
      [
        'a truncated file',
        (data) => data.subarray(0, frameOffset(data, 2) + 100),
        'BACKUP_TRUNCATED',
        'BACKUP_TRUNCATED',
      ],
      [
        'a missing chunk',
        (data) =>
          Buffer.concat([
            data.subarray(0, frameOffset(data, 1)),
            data.subarray(frameOffset(data, 2)),
          ]),
        'BACKUP_CHUNK_MISSING',
        'BACKUP_CHUNK_MISSING',
      ],
    ];

    it('should have several chunks to damage when the chunk size is small', () => {
      expect(frameOffset(original, 3)).toBeLessThan(original.length);
    });

    it.each(damage)(
      'should fail verification with distinct codes when the backup has %s',
      async (_name, mutate, quick, full) => {
        writeFileSync(dataFile(), mutate(original));
        expect(await codeOf(sut.verify(backupId))).toBe(quick);
        expect(await codeOf(sut.verify(backupId, { full: true }))).toBe(full);
      },
    );

    (hasPostgres ? it.each(damage) : it.skip.each(damage))(
      'should write nothing when restoring a backup with %s',
      async (_name, mutate, _quick, full) => {
        writeFileSync(dataFile(), mutate(original));
        await withTestDatabase(async (url) => {
          expect(await codeOf(sut.restore(backupId, { targetDatabase: url }))).toBe(full);
          expect(await leftoverTables(url)).toBe(0);
        });
      },
    );
  });

  describe('keys', () => {
    it('should fail with BACKUP_WRONG_KEY in verify and restore when the configured key is another one', async () => {
      const other = await createTestApp('pglite', {
        overrides: localConfig({ encryptionKey: key() }),
      });
      try {
        const backups = other.app.get(BackupService);
        expect(await codeOf(backups.verify(backupId, { full: true }))).toBe('BACKUP_WRONG_KEY');
        expect(await codeOf(backups.verify(backupId))).toBe('BACKUP_WRONG_KEY');
        expect(
          await codeOf(
            backups.restore(backupId, {
              targetDatabase: `pglite:${join(backupDir, '..', `pgl-${randomBytes(4).toString('hex')}`)}`,
            }),
          ),
        ).toBe('BACKUP_WRONG_KEY');
      } finally {
        await other.close();
      }
    });

    it('should keep old backups readable and encrypt new ones with the active key when the key is rotated', async () => {
      const rotated = await createTestApp('pglite', {
        overrides: localConfig({
          encryptionKey: key(),
          keyId: 'k2026',
          keys: { primary: { key: primaryKey } },
        }),
      });
      try {
        const backups = rotated.app.get(BackupService);
        expect((await backups.verify(backupId, { full: true })).mode).toBe('full');
        const report = await backups.run();
        expect(report.results[0]).toMatchObject({
          ok: true,
          manifest: { encryption: { keyId: 'k2026' } },
        });
      } finally {
        await rotated.close();
      }
    });

    it('should refuse to run with BACKUP_NO_KEY when encryption is on and no key is configured', async () => {
      const keyless = await createTestApp('pglite', {
        overrides: localConfig({ encryptionKey: undefined }),
      });
      try {
        expect(await codeOf(keyless.app.get(BackupService).run())).toBe('BACKUP_NO_KEY');
      } finally {
        await keyless.close();
      }
    });

    it('should derive the key from a passphrase with scrypt and store unencrypted only when encryption is off', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'backup-pass-'));
      const passphrase = await createTestApp('pglite', {
        overrides: {
          backup: {
            passphrase: 'correct horse battery staple',
            targets: { local: { driver: 'local', path: dir } },
          },
        },
      });
      const plain = await createTestApp('pglite', {
        overrides: {
          backup: {
            encryption: false,
            compression: { algorithm: 'brotli', level: 5 },
            targets: { local: { driver: 'local', path: dir } },
          },
        },
      });
      try {
        const first = await passphrase.app.get(BackupService).run();
        expect(first.results[0]).toMatchObject({
          ok: true,
          manifest: { encryption: { kdf: 'scrypt' } },
        });
        const second = await plain.app.get(BackupService).run();
        if (!second.results[0].ok) throw new Error(second.results[0].message);
        expect(second.results[0].manifest.encryption).toBeNull();
        expect(
          (await plain.app.get(BackupService).verify(second.results[0].manifest.id, { full: true }))
            .mode,
        ).toBe('full');
      } finally {
        await passphrase.close();
        await plain.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('targets', () => {
    let s3: LocalService;

    beforeAll(async () => {
      s3 = await startS3rver('backups');
    });
    afterAll(() => s3.stop());

    it('should back up to the healthy targets and report, after retries, the unreachable and refusing ones', async () => {
      const s3Target = (endpoint: string, accessKeyId = 'S3RVER') => ({
        driver: 's3',
        bucket: 'backups',
        endpoint,
        forcePathStyle: true,
        accessKeyId,
        secretAccessKey: 'S3RVER',
        prefix: 'cryo',
      });
      const multi = await createTestApp('pglite', {
        overrides: localConfig({
          targets: {
            local: { driver: 'local', path: `${backupDir}-multi` },
            s3: s3Target(s3.endpoint),
            down: s3Target(`http://127.0.0.1:${await freePort()}`),
            refused: s3Target(s3.endpoint, 'WRONG'),
          },
        }),
      });
      try {
        const backups = multi.app.get(BackupService);
        const report = await backups.run();
        const byTarget = Object.fromEntries(
          report.results.map((result) => [result.target, result]),
        );
        expect(report.ok).toBe(false);
        expect(byTarget.local).toMatchObject({ ok: true });
        expect(byTarget.s3).toMatchObject({ ok: true });
        expect(byTarget.down).toMatchObject({
          ok: false,
          code: 'BACKUP_TARGET_UNREACHABLE',
          attempts: 2,
        });
        expect(byTarget.refused).toMatchObject({
          ok: false,
          code: 'BACKUP_TARGET_AUTH_FAILED',
          attempts: 2,
        });
        expect(await register.metrics()).toMatch(
          /cryoprotect_backup_failures_total\{target="down",schedule="manual"\} 1/,
        );
        const s3Backup = byTarget.s3.ok ? byTarget.s3.manifest.id : '';
        expect((await backups.verify(s3Backup, { target: 's3', full: true })).mode).toBe('full');
        expect((await backups.list('s3')).map((item) => item.id)).toEqual([s3Backup]);
      } finally {
        await multi.close();
      }
    });
  });

  it('should not list an interrupted backup and remove its leftovers on the next run', async () => {
    const leftover = join(backupDir, '20200101T000000Z-0badc0de');
    mkdirSync(leftover);
    writeFileSync(join(leftover, 'data.cpbk.partial-1234'), randomBytes(1000));
    expect((await sut.list()).map((item) => item.id)).not.toContain('20200101T000000Z-0badc0de');
    const report = await sut.run();
    expect(report.results[0]).toMatchObject({ ok: true, leftoversRemoved: 1 });
    expect(readdirSync(backupDir)).not.toContain('20200101T000000Z-0badc0de');
  });

  it('should keep the newest verified backup and show what would go when pruning with a dry run', async () => {
    await sut.run();
    const [report] = await sut.prune({ dryRun: true });
    expect(report.dryRun).toBe(true);
    const before = (await sut.list()).map((item) => item.id);
    expect(before.length).toBeGreaterThan(2);
    await sut.verify(before[before.length - 1]);
    const strict = await createTestApp('pglite', {
      overrides: localConfig({
        retention: { keepLast: 1, hourly: 0, daily: 0, weekly: 0, monthly: 0, yearly: 0 },
      }),
    });
    try {
      const backups = strict.app.get(BackupService);
      const verified = (await backups.list()).find((item) => item.verification);
      expect(verified).toBeDefined();
      const [pruned] = await backups.prune();
      const after = (await backups.list()).map((item) => item.id);
      expect(after).toContain(before[0]);
      expect(after).toContain(verified!.id);
      expect(pruned.removed.length).toBe(before.length - after.length);
    } finally {
      await strict.close();
    }
  });

  it('should skip and count a scheduled run when the previous run of that schedule is still going', async () => {
    const scheduled = await createTestApp('pglite', {
      overrides: localConfig({
        schedules: { hourly: { cron: '0 * * * *', verify: 'quick', prune: false } },
      }),
    });
    try {
      const scheduler = scheduled.app.get(BackupScheduler);
      const [first, second] = await Promise.all([
        scheduler.trigger('hourly'),
        scheduler.trigger('hourly'),
      ]);
      expect([first, second].sort()).toEqual([false, true]);
      expect(await register.metrics()).toMatch(
        /cryoprotect_backup_skipped_total\{schedule="hourly"\} 1/,
      );
      const newest = (await scheduled.app.get(BackupService).list())[0];
      expect(newest).toMatchObject({ schedule: 'hourly', verification: { mode: 'quick' } });
    } finally {
      await scheduled.close();
    }
  });
});

describe('backup configuration', () => {
  const load = (backup: Record<string, unknown>) => () =>
    loadConfig({ env: {}, overrides: { backup } });

  it('should fail startup naming the schedule when a cron expression is malformed', () => {
    expect(load({ schedules: { nightly: { cron: '61 25 * * *' } } })).toThrow(ConfigError);
    expect(load({ schedules: { nightly: { cron: '61 25 * * *' } } })).toThrow(
      /backup\.schedules\.nightly\.cron/,
    );
  });

  it('should fail startup naming the target when its driver is unknown', () => {
    expect(load({ targets: { offsite: { driver: 'ftp', host: 'x' } } })).toThrow(
      /backup\.targets\.offsite\.driver/,
    );
  });

  it('should fail startup when a schedule names a target that does not exist', () => {
    expect(load({ schedules: { nightly: { cron: '0 3 * * *', targets: ['nowhere'] } } })).toThrow(
      /unknown target "nowhere"/,
    );
  });
});
