import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadReferenceSet } from '../src/molecule/molecule-seed.service';
import { listAllPages } from './support/molecule-fixtures';
import { createTestApp, databaseKinds } from './support/test-app';

const root = join(__dirname, '..');

/** Runs the compiled CLI against an embedded database in dataDir (no DATABASE_URL, no Redis). */
function cli(dataDir: string, args: string[]) {
  const result = spawnSync(process.execPath, ['dist/src/cli.js', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, NODE_ENV: 'test', DATA_DIR: dataDir },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('molecule seeding and CLI', () => {
  const reference = loadReferenceSet();
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'cryoprotect-seed-'));
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('should ship at least 30 reference cryoprotectants with unique names', () => {
    expect(reference.length).toBeGreaterThanOrEqual(30);
    expect(new Set(reference.map((entry) => entry.name)).size).toBe(reference.length);
    expect(reference.find((entry) => entry.name === 'Glycerol')).toMatchObject({
      densityGPerMl: 1.261,
      casNumber: '56-81-5',
    });
  });

  it('should seed every reference molecule once and skip them all on a second run', () => {
    const first = cli(dataDir, ['seed', '--json']);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    const report = JSON.parse(first.stdout) as {
      created: { id: string; name: string }[];
      skipped: unknown[];
    };
    expect(report.created).toHaveLength(reference.length);
    expect(report.skipped).toEqual([]);
    const second = JSON.parse(cli(dataDir, ['seed', '--json']).stdout) as {
      created: unknown[];
      skipped: { existingId: string }[];
    };
    expect(second.created).toEqual([]);
    expect(second.skipped.map((entry) => entry.existingId).sort()).toEqual(
      report.created.map((entry) => entry.id).sort(),
    );
  });

  it('should import a CSV file with a report and export it again', () => {
    const file = join(dataDir, 'extra.csv');
    writeFileSync(file, 'smiles,name\nCCCCCCCCO,Octanol\nOCC(O)CO,Glycerol copy\nC1CC,Broken\n');
    const imported = cli(dataDir, ['molecules', 'import', file, '--json']);
    expect(imported.status).toBe(0);
    const report = JSON.parse(imported.stdout) as {
      created: unknown[];
      duplicates: unknown[];
      errors: { record: number }[];
    };
    expect([
      report.created.length,
      report.duplicates.length,
      report.errors.map((entry) => entry.record),
    ]).toEqual([1, 1, [3]]);
    const out = join(dataDir, 'all.csv');
    const exported = cli(dataDir, ['molecules', 'export', '--format', 'csv', '--out', out]);
    expect(exported.status).toBe(0);
    const stdout = cli(dataDir, ['molecules', 'export']).stdout.trim().split('\n');
    expect(stdout).toHaveLength(reference.length + 2);
    expect(stdout[0]).toMatch(/^id,name,smiles,inchikey/);
  });

  it('should fail with a one-line message and exit code 2 when the format cannot be told', () => {
    const result = cli(dataDir, ['molecules', 'import', join(dataDir, 'file.txt')]);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('should seed the reference set on the first start of an empty embedded database', async () => {
    const app = await createTestApp('pglite', {
      overrides: { molecule: { seedOnFirstStart: true } },
    });
    try {
      const viewer = await app.signIn('viewer');
      const { items } = await listAllPages(app, viewer.headers, { limit: '200' });
      expect(items).toHaveLength(reference.length);
      expect(items.every((item) => item.createdBy === null)).toBe(true);
      expect(items.find((item) => item.name === 'Glycerol')?.inchikey).toBe(
        'PEDCQBHIVMGVHV-UHFFFAOYSA-N',
      );
    } finally {
      await app.close();
    }
  });

  (databaseKinds().includes('postgres') ? it : it.skip)(
    'should not seed a PostgreSQL database on start',
    async () => {
      const app = await createTestApp('postgres', {
        overrides: { molecule: { seedOnFirstStart: true } },
      });
      try {
        const viewer = await app.signIn('viewer');
        expect((await listAllPages(app, viewer.headers, { limit: '200' })).items).toEqual([]);
      } finally {
        await app.close();
      }
    },
  );
});
