/* global fetch */
// Molecule registration throughput through the real HTTP API (POST /api/v1/molecules), on embedded
// PGlite and on PostgreSQL, against two baselines measured in the same run: the chemistry port's
// analyse() alone (in process, no HTTP, no database) and POST /api/v1/chemistry/properties (HTTP and
// chemistry, no database). The ratios show what storage, audit and HTTP add per molecule.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { writeResults } from './lib/results.mjs';
import { signInResearcher } from './lib/sign-in.mjs';

const dist = new URL('../dist/src/', import.meta.url);
const { createApp } = await import(new URL('app.factory.js', dist));
const { loadConfig } = await import(new URL('config/config.loader.js', dist));
const { ChemistryPort } = await import(new URL('molecule/chemistry/chemistry.port.js', dist));

const COUNT = Number(process.env.BENCH_REGISTRATIONS ?? 400);
const CONCURRENCY = 8;
const POSTGRES_ADMIN_URL =
  process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** COUNT distinct small molecules: ethers, secondary amines and esters of two alkyl chains. */
function structures(count) {
  const out = [];
  for (let a = 1; a <= 30 && out.length < count * 3; a++) {
    for (let b = a; b <= 30; b++) {
      out.push(
        `${'C'.repeat(a)}O${'C'.repeat(b)}`,
        `${'C'.repeat(a)}N${'C'.repeat(b)}`,
        `${'C'.repeat(a)}C(=O)O${'C'.repeat(b)}`,
      );
    }
  }
  return out.slice(0, count);
}

async function runPool(items, concurrency, fn) {
  let next = 0;
  const workers = Array.from({ length: concurrency }, async () => {
    while (next < items.length) await fn(items[next++]);
  });
  await Promise.all(workers);
}

async function timed(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function startApp(kind) {
  const dataDir = mkdtempSync(join(tmpdir(), 'cryoprotect-bench-'));
  let dropDatabase = async () => undefined;
  let url;
  if (kind === 'postgres') {
    const name = `cp_bench_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const target = new URL(POSTGRES_ADMIN_URL);
    target.pathname = `/${name}`;
    url = target.toString();
    dropDatabase = async () => {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    };
  }
  const config = loadConfig({
    env: {},
    overrides: {
      env: 'test',
      dataDir,
      database: url ? { url } : {},
      server: { port: 0, host: '127.0.0.1', rateLimit: { limit: 1_000_000, windowSeconds: 60 } },
      log: { level: 'error', requests: false },
      auth: { jwtSecret: randomBytes(32).toString('hex') },
      molecule: { seedOnFirstStart: false },
    },
  });
  const app = await createApp(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${app.getHttpServer().address().port}`;
  const { accessToken } = await signInResearcher(app, base);
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` };
  return {
    app,
    post: async (path, body, expected) => {
      const response = await fetch(base + path, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
      });
      await response.arrayBuffer();
      if (response.status !== expected) throw new Error(`${path}: ${response.status}`);
    },
    close: async () => {
      await app.close();
      await dropDatabase();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function postgresReachable() {
  const client = new pg.Client({
    connectionString: POSTGRES_ADMIN_URL,
    connectionTimeoutMillis: 2_000,
  });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

const smiles = structures(COUNT * 2);
const kinds = (await postgresReachable()) ? ['pglite', 'postgres'] : ['pglite'];
const rows = [];

// The baselines are measured right before each database's registrations, so a busy machine skews
// both sides of each ratio alike.
for (const kind of kinds) {
  const target = await startApp(kind);
  try {
    const chemistry = target.app.get(ChemistryPort);
    for (const s of smiles.slice(0, 20)) chemistry.analyse({ smiles: s });
    const analyseSeconds = await timed(async () => {
      for (const s of smiles.slice(0, COUNT)) chemistry.analyse({ smiles: s });
    });
    const propertiesSeconds = await timed(() =>
      runPool(smiles.slice(0, COUNT), 1, (s) =>
        target.post('/api/v1/chemistry/properties', { smiles: s }, 200),
      ),
    );
    const sequentialSeconds = await timed(() =>
      runPool(smiles.slice(0, COUNT), 1, (s) =>
        target.post('/api/v1/molecules', { smiles: s, name: `bench ${s}` }, 201),
      ),
    );
    const concurrentSeconds = await timed(() =>
      runPool(smiles.slice(COUNT, COUNT * 2), CONCURRENCY, (s) =>
        target.post('/api/v1/molecules', { smiles: s, name: `bench ${s}` }, 201),
      ),
    );
    const row = {
      database: kind,
      analysePerSecond: COUNT / analyseSeconds,
      propertiesPerSecond: COUNT / propertiesSeconds,
      sequentialPerSecond: COUNT / sequentialSeconds,
      concurrentPerSecond: COUNT / concurrentSeconds,
    };
    rows.push(row);
    console.log(
      `${kind}: analyse ${row.analysePerSecond.toFixed(1)}/s, properties ${row.propertiesPerSecond.toFixed(1)}/s, ` +
        `register ${row.sequentialPerSecond.toFixed(1)}/s sequential, ${row.concurrentPerSecond.toFixed(1)}/s with ${CONCURRENCY} in flight`,
    );
  } finally {
    await target.close();
  }
}

const fmt = (value) => value.toFixed(1);
const markdown = [
  '# Molecule registration throughput',
  '',
  `${COUNT} distinct small molecules (ethers, amines, esters) registered through \`POST /api/v1/molecules\` over real HTTP on 127.0.0.1,`,
  `one at a time and with ${CONCURRENCY} requests in flight. Baselines measured in the same run, right before each database's`,
  "registrations: the chemistry port's `analyse()` alone (RDKit WASM, in process) and `POST /api/v1/chemistry/properties`",
  '(HTTP + auth + chemistry, nothing stored). Ratios are to analyse() of the same block.',
  '',
  '| database | analyse() /s | properties /s (ratio) | register sequential /s (ratio) | register, 8 in flight /s (ratio) |',
  '|---|---:|---:|---:|---:|',
  ...rows.map(
    (row) =>
      `| ${row.database} | ${fmt(row.analysePerSecond)} | ${fmt(row.propertiesPerSecond)} (${(row.propertiesPerSecond / row.analysePerSecond).toFixed(2)}) | ` +
      `${fmt(row.sequentialPerSecond)} (${(row.sequentialPerSecond / row.analysePerSecond).toFixed(2)}) | ` +
      `${fmt(row.concurrentPerSecond)} (${(row.concurrentPerSecond / row.analysePerSecond).toFixed(2)}) |`,
  ),
  '',
  'Each registration is one transaction (duplicate check, insert, audit event) followed by a search-index update: the',
  'gap to the properties call is the database work, the gap to analyse() is HTTP, auth and JSON. On 2 shared cores the',
  'absolute numbers move with the machine load; compare ratios within one row.',
].join('\n');
writeResults(
  'registration',
  {
    count: COUNT,
    concurrency: CONCURRENCY,
    results: rows,
  },
  markdown,
);
console.log(markdown);
process.exit(0);
