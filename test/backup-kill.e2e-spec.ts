import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestDatabaseUrl, databaseKinds } from './support/test-app';

const root = join(__dirname, '..');
const cli = join(root, 'dist', 'src', 'cli.js');

/**
 * Kills the real CLI process (`backup run`, SIGKILL) at several points of a backup of a PostgreSQL
 * database large enough for the backup to take a few seconds: no partial backup may ever be
 * listed, every listed backup must verify, and the next run must succeed and clean up. The kill
 * points are states of the backup on disk (its data file created, at a share of a full backup's
 * size, complete without a manifest), watched as the run goes, so they land inside the backup
 * however fast the machine is at the time. A restore is killed the same way, at points watched
 * in the target database: the target must stay untouched, and the next restore must succeed.
 */

interface StoredFile {
  name: string;
  size: number;
}
(databaseKinds().includes('postgres') ? describe : describe.skip)(
  'backup run killed mid-way',
  () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'backup-kill-'));
    let database: { url: string; drop(): Promise<void> };
    let env: NodeJS.ProcessEnv;

    const runCli = (args: string[]) => {
      const result = spawnSync(process.execPath, [cli, ...args, '--json'], {
        env,
        encoding: 'utf8',
        timeout: 120_000,
      });
      return {
        status: result.status,
        json: result.stdout ? (JSON.parse(result.stdout) as unknown) : null,
        stderr: result.stderr,
      };
    };

    /** Runs `backup run` and kills it once a new backup folder's files satisfy `point`. */
    const runAndKillAt = (backups: string, point: (files: StoredFile[]) => boolean) =>
      new Promise<{ killed: boolean }>((resolve) => {
        const before = new Set(readdirSync(backups));
        const child = spawn(process.execPath, [cli, 'backup', 'run', '--json'], {
          env,
          stdio: 'ignore',
        });
        const watch = setInterval(() => {
          for (const id of readdirSync(backups)) {
            if (before.has(id)) continue;
            let files: StoredFile[];
            try {
              files = readdirSync(join(backups, id)).map((name) => ({
                name,
                size: statSync(join(backups, id, name)).size,
              }));
            } catch {
              continue; // renamed or removed between the listing and the stat: look again
            }
            if (point(files)) {
              clearInterval(watch);
              child.kill('SIGKILL');
              return;
            }
          }
        }, 2);
        child.once('exit', (_code, signal) => {
          clearInterval(watch);
          resolve({ killed: signal === 'SIGKILL' });
        });
      });

    beforeAll(async () => {
      database = await createTestDatabaseUrl();
      env = {
        PATH: process.env.PATH,
        DATA_DIR: dataDir,
        DATABASE_URL: database.url,
        BACKUP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        LOG_LEVEL: 'error',
        SEED_ON_FIRST_START: 'false',
      };
      expect(spawnSync(process.execPath, [cli, 'migrate'], { env, encoding: 'utf8' }).status).toBe(
        0,
      );
      const client = new Client({ connectionString: database.url });
      await client.connect();
      await client.query(
        `INSERT INTO users (email, display_name, role)
       SELECT 'user' || g || '@example.org', 'Researcher ' || g || ' ' || md5(g::text) || md5((g * 7)::text), 'viewer'
         FROM generate_series(1, 1000000) g`,
      );
      await client.end();
    }, 120_000);

    afterAll(async () => {
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('should never list a partial backup and should succeed on the next run when killed at many points', async () => {
      const baseline = runCli(['backup', 'run']);
      expect(baseline.status).toBe(0);
      const fullBytes = (
        baseline.json as { results: { manifest: { data: { sizeBytes: number } } }[] }
      ).results[0].manifest.data.sizeBytes;
      const backups = join(dataDir, 'backups');
      const writtenAtLeast = (share: number) => (files: StoredFile[]) =>
        files.some((file) => file.name.includes('.partial-') && file.size >= share * fullBytes);
      const points: ((files: StoredFile[]) => boolean)[] = [
        writtenAtLeast(0), // the data file was created
        writtenAtLeast(0.05),
        writtenAtLeast(0.3),
        writtenAtLeast(0.6),
        writtenAtLeast(0.9),
        // The data file is in place, the manifest not yet written.
        (files) =>
          files.some((file) => file.name === 'data.cpbk') &&
          !files.some((file) => file.name === 'manifest.json'),
      ];
      let leftoversSeen = 0;
      let killedRuns = 0;
      const verified = new Set<string>();
      for (const point of points) {
        const { killed } = await runAndKillAt(backups, point);
        if (killed) killedRuns++;
        const folders = readdirSync(backups);
        leftoversSeen += folders.filter(
          (id) => !existsSync(join(backups, id, 'manifest.json')),
        ).length;
        const listed = runCli(['backup', 'list']).json as { id: string }[];
        for (const { id } of listed) {
          expect(existsSync(join(backups, id, 'manifest.json'))).toBe(true);
          // Each backup is verified once when it is first listed (and all again at the end).
          if (verified.has(id)) continue;
          expect(runCli(['backup', 'verify', id]).status).toBe(0);
          verified.add(id);
        }
      }
      expect(killedRuns).toBeGreaterThan(3);
      expect(leftoversSeen).toBeGreaterThan(0);

      const next = runCli(['backup', 'run']);
      expect(next.status).toBe(0);
      expect(next.json).toMatchObject({ ok: true, results: [{ ok: true }] });
      const folders = readdirSync(backups);
      expect(folders.every((id) => existsSync(join(backups, id, 'manifest.json')))).toBe(true);
      for (const { id } of runCli(['backup', 'list']).json as { id: string }[])
        expect(runCli(['backup', 'verify', id]).status).toBe(0);
    }, 300_000);

    it('should leave the target database untouched when a restore is killed mid-way, and the next restore should clean up and succeed', async () => {
      const backup = runCli(['backup', 'run']);
      expect(backup.status).toBe(0);
      const id = (backup.json as { results: { manifest: { id: string } }[] }).results[0].manifest
        .id;
      const target = await createTestDatabaseUrl();
      const watcher = new Client({ connectionString: target.url });
      await watcher.connect();
      const one = async (sql: string) =>
        Number((await watcher.query<{ n: string }>(sql)).rows[0].n);
      const copied = () =>
        one(
          `SELECT coalesce(max(tuples_processed), 0)::text AS n FROM pg_stat_progress_copy WHERE datname = current_database()`,
        );
      const copying = () =>
        one(
          `SELECT count(*)::text AS n FROM pg_stat_progress_copy WHERE datname = current_database()`,
        );
      let concurrentCopies = 0;
      const building = () =>
        one(
          `SELECT count(*)::text AS n FROM pg_stat_progress_create_index WHERE datname = current_database()`,
        );
      const tablesOutsideStaging = () =>
        one(
          `SELECT count(*)::text AS n FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND schemaname NOT LIKE 'cryoprotect\\_restore\\_%'`,
        );
      const stagingSchemas = () =>
        one(
          `SELECT count(*)::text AS n FROM pg_namespace WHERE nspname LIKE 'cryoprotect\\_restore\\_%'`,
        );
      /** Runs `backup restore` into the target and kills it once `point` holds there. */
      const restoreAndKillAt = async (point: () => Promise<boolean>) => {
        const child = spawn(
          process.execPath,
          [cli, 'backup', 'restore', id, '--target-database', target.url, '--json'],
          { env, stdio: 'ignore' },
        );
        const exited = new Promise<NodeJS.Signals | null>((resolve) =>
          child.once('exit', (_code, signal) => resolve(signal)),
        );
        let running = true;
        void exited.then(() => (running = false));
        while (running && !(await point())) await new Promise((resolve) => setTimeout(resolve, 2));
        if (running) child.kill('SIGKILL');
        return (await exited) === 'SIGKILL';
      };
      try {
        let killed = 0;
        let stagingLeft = 0;
        for (const point of [
          async () => (await stagingSchemas()) > 0, // the staging schema was created
          async () => (await copied()) > 0,
          async () => {
            // Both connections load at once: two COPYs run in the target while the rows stream in.
            concurrentCopies = Math.max(concurrentCopies, await copying());
            return (await copied()) > 300_000;
          },
          async () => (await building()) > 0, // indexes and keys are being built
        ]) {
          if (await restoreAndKillAt(point)) killed++;
          // Nothing reaches the target's own schema; what was loaded stays in the staging schema.
          expect(await tablesOutsideStaging()).toBe(0);
          stagingLeft += await stagingSchemas();
        }
        expect(killed).toBeGreaterThan(2);
        expect(stagingLeft).toBeGreaterThan(0);
        expect(concurrentCopies).toBe(2);

        const restored = runCli(['backup', 'restore', id, '--target-database', target.url]);
        expect(restored.status).toBe(0);
        expect(await stagingSchemas()).toBe(0);
        const tables = (
          restored.json as { tables: { name: string; rows: number; expected: number }[] }
        ).tables;
        expect(tables.find((table) => table.name === 'users')?.rows).toBeGreaterThanOrEqual(
          1_000_000,
        );
        for (const table of tables)
          expect(await one(`SELECT count(*)::text AS n FROM "${table.name}"`)).toBe(table.expected);
      } finally {
        await watcher.end();
        await target.drop();
      }
    }, 300_000);
  },
);
