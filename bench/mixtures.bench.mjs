// Mixture listing and prediction accuracy at scale, on embedded PGlite and on PostgreSQL.
// - Listing: 10,000 mixtures × 3 components, paged through MixtureService.list (200 per page).
//   Baseline in the same run: the bare keyset page query alone. Every query the driver sees is
//   counted (a wrapper on pool.query / pglite.query), so "queries per page" proves there is no N+1.
// - Accuracy: 100,000 prediction/measurement pairs (10,000 mixtures × 1 measured viability × 10
//   predictions from 5 methods × 2 versions), aggregated in SQL by PredictionService.accuracy.
//   Baseline: a plain count(*) over the same join.
// Fixture rows are bulk-inserted with SQL (generate_series), not through the API.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { writeResults } from './lib/results.mjs';

const dist = new URL('../dist/src/', import.meta.url);
const { createApp } = await import(new URL('app.factory.js', dist));
const { loadConfig } = await import(new URL('config/config.loader.js', dist));
const { Database } = await import(new URL('database/database.js', dist));
const { MixtureService } = await import(new URL('molecule/mixture.service.js', dist));
const { PredictionService } = await import(new URL('molecule/prediction.service.js', dist));

const MIXTURES = Number(process.env.BENCH_MIXTURES ?? 10_000);
const PREDICTIONS_PER_MIXTURE = 10;
const PAGE = 200;
const POSTGRES_ADMIN_URL =
  process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function timed(fn) {
  const start = process.hrtime.bigint();
  const result = await fn();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, result };
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
      log: { level: 'error', requests: false },
      auth: { jwtSecret: randomBytes(32).toString('hex') },
      molecule: { seedOnFirstStart: false },
    },
  });
  const database = await Database.connect(config, { pgliteDataDir: 'memory://' });
  const queries = countQueries(database);
  const app = await createApp(config, { database });
  return {
    app,
    database,
    queries,
    close: async () => {
      await app.close();
      await database.close();
      await dropDatabase();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Counts every statement sent through the driver handle Drizzle uses. */
function countQueries(database) {
  const counter = { count: 0 };
  const handle = database.pool ?? database.pglite;
  const original = handle.query.bind(handle);
  handle.query = (...args) => {
    counter.count++;
    return original(...args);
  };
  return counter;
}

async function seed(database) {
  await database.session(async (session) => {
    await session.exec(`
      INSERT INTO molecules (name, input_structure, canonical_smiles, inchi, inchikey, formula, molecular_weight,
        exact_mass, logp, tpsa, hbd, hba, descriptors, score, scores, score_model_version, fingerprint,
        density_g_per_ml, tg_celsius)
      VALUES
        ('Glycerol', 'OCC(O)CO', 'OCC(O)CO', 'InChI=1S/C3H8O3/bench', 'BENCH-GLYCEROL', 'C3H8O3', 92.094, 92.047, -1.67, 60.69, 3, 3, '{}', 97.9, '{}', 'bench', decode(repeat('00', 256), 'hex'), 1.261, -93),
        ('DMSO', 'CS(C)=O', 'CS(C)=O', 'InChI=1S/C2H6OS/bench', 'BENCH-DMSO', 'C2H6OS', 78.13, 78.014, -0.0, 17.07, 0, 1, '{}', 87.5, '{}', 'bench', decode(repeat('00', 256), 'hex'), 1.100, NULL),
        ('Ethylene glycol', 'OCCO', 'OCCO', 'InChI=1S/C2H6O2/bench', 'BENCH-EG', 'C2H6O2', 62.07, 62.037, -1.03, 40.46, 2, 2, '{}', 99.9, '{}', 'bench', decode(repeat('00', 256), 'hex'), 1.113, -128);
      INSERT INTO mixtures (name, carrier, created_at)
        SELECT 'bench mixture ' || i, 'water', now() - (i || ' seconds')::interval FROM generate_series(1, ${MIXTURES}) AS i;
      INSERT INTO mixture_components (mixture_id, molecule_id, position, value, unit)
        SELECT x.id, m.id, m.position, 1 + (random() * 9)::int, m.unit
        FROM mixtures x CROSS JOIN (
          SELECT id, CASE name WHEN 'DMSO' THEN 0 WHEN 'Glycerol' THEN 1 ELSE 2 END AS position,
                 CASE name WHEN 'DMSO' THEN '% v/v' WHEN 'Glycerol' THEN '% w/v' ELSE 'M' END AS unit
          FROM molecules) AS m;
      INSERT INTO experiments (mixture_id, title, sample_type, performed_at)
        SELECT id, 'bench', 'cell_line', now() FROM mixtures;
      INSERT INTO experiment_results (experiment_id, property_key, value, unit, canonical_value)
        SELECT id, 'post_thaw_viability', v, '%', v FROM (SELECT id, 40 + random() * 50 AS v FROM experiments) AS e;
      INSERT INTO predictions (mixture_id, property_key, value, unit, canonical_value, method_name, method_version)
        SELECT x.id, 'post_thaw_viability', p, '%', p, 'method ' || (k % 5), 'v' || (k % 2)
        FROM mixtures x CROSS JOIN generate_series(1, ${PREDICTIONS_PER_MIXTURE}) AS k
        CROSS JOIN LATERAL (SELECT 40 + random() * 50 AS p) AS r;
      ANALYZE;`);
  });
}

const kinds = (await postgresReachable()) ? ['pglite', 'postgres'] : ['pglite'];
const rows = [];
for (const kind of kinds) {
  const target = await startApp(kind);
  try {
    const seeded = await timed(() => seed(target.database));
    const mixtures = target.app.get(MixtureService);
    const predictions = target.app.get(PredictionService);

    await mixtures.list({ limit: PAGE });
    const baseline = await timed(async () => {
      let after = null;
      let pages = 0;
      do {
        const rowsOfPage = await target.database.session((session) =>
          session.query(
            `SELECT id, created_at::text AS k FROM mixtures ${after ? 'WHERE (created_at, id) > ($1::timestamptz, $2::uuid)' : ''} ORDER BY created_at, id LIMIT ${PAGE}`,
            after ? [after.k, after.id] : [],
          ),
        );
        pages++;
        after = rowsOfPage.length === PAGE ? rowsOfPage[rowsOfPage.length - 1] : null;
      } while (after);
      return pages;
    });

    const before = target.queries.count;
    const listing = await timed(async () => {
      let cursor;
      let pages = 0;
      let items = 0;
      let components = 0;
      do {
        const page = await mixtures.list({ limit: PAGE, cursor });
        pages++;
        items += page.items.length;
        components += page.items.reduce((sum, item) => sum + item.components.length, 0);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return { pages, items, components };
    });
    const listQueries = target.queries.count - before;

    const pairCount = await timed(() =>
      target.database.session((session) =>
        session.query(
          `SELECT count(*)::int AS n FROM predictions p JOIN experiments e ON e.mixture_id = p.mixture_id
           JOIN experiment_results r ON r.experiment_id = e.id AND r.property_key = p.property_key`,
        ),
      ),
    );
    const accuracyBefore = target.queries.count;
    const accuracy = await timed(() => predictions.accuracy({}));
    const accuracyQueries = target.queries.count - accuracyBefore;
    const pairs = accuracy.result.items.reduce((sum, item) => sum + item.count, 0);
    if (listing.result.items !== MIXTURES)
      throw new Error(`listed ${listing.result.items} of ${MIXTURES} mixtures`);
    if (pairs !== Number(pairCount.result[0].n))
      throw new Error('accuracy pairs disagree with the plain count');

    const row = {
      database: kind,
      seedSeconds: seeded.seconds,
      mixtures: listing.result.items,
      components: listing.result.components,
      pages: listing.result.pages,
      listSeconds: listing.seconds,
      baselinePageSeconds: baseline.seconds,
      listQueries,
      queriesPerPage: listQueries / listing.result.pages,
      pairs,
      accuracyGroups: accuracy.result.items.length,
      accuracySeconds: accuracy.seconds,
      accuracyQueries,
      pairCountSeconds: pairCount.seconds,
    };
    rows.push(row);
    console.log(
      `${kind}: listed ${row.mixtures} mixtures (${row.components} components) in ${row.pages} pages, ${row.listSeconds.toFixed(2)} s, ` +
        `${row.queriesPerPage.toFixed(2)} queries/page; accuracy over ${row.pairs} pairs ${row.accuracySeconds.toFixed(3)} s in ${row.accuracyQueries} query`,
    );
  } finally {
    await target.close();
  }
}

const markdown = [
  '# Mixtures: listing and prediction accuracy',
  '',
  `${MIXTURES.toLocaleString('en')} mixtures with 3 components each, bulk-inserted with SQL, listed through \`MixtureService.list\``,
  `(${PAGE} per page, the read model with normalised components and estimates built for every mixture). Baseline: the`,
  'bare keyset page query over the same pages. Queries are counted at the driver (every statement Drizzle sends).',
  '',
  '| database | mixtures | pages | list s | baseline s (ratio) | queries | queries/page |',
  '|---|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    (row) =>
      `| ${row.database} | ${row.mixtures} | ${row.pages} | ${row.listSeconds.toFixed(2)} | ${row.baselinePageSeconds.toFixed(2)} (${(row.listSeconds / row.baselinePageSeconds).toFixed(1)}×) | ${row.listQueries} | ${row.queriesPerPage.toFixed(2)} |`,
  ),
  '',
  `Accuracy report over every (prediction, measurement) pair: ${MIXTURES.toLocaleString('en')} mixtures × 1 measured viability ×`,
  `${PREDICTIONS_PER_MIXTURE} predictions (5 methods × 2 versions). Baseline: \`count(*)\` over the same join.`,
  '',
  '| database | pairs | groups | accuracy s | queries | count(*) s (ratio) |',
  '|---|---:|---:|---:|---:|---:|',
  ...rows.map(
    (row) =>
      `| ${row.database} | ${row.pairs} | ${row.accuracyGroups} | ${row.accuracySeconds.toFixed(3)} | ${row.accuracyQueries} | ${row.pairCountSeconds.toFixed(3)} (${(row.accuracySeconds / row.pairCountSeconds).toFixed(2)}×) |`,
  ),
  '',
  'Two queries per page (the page, then all components of the page in one `IN (...)` query) whatever the page size:',
  'no query per mixture. The accuracy report is one aggregate query; rows are never loaded into the service.',
].join('\n');
writeResults('mixtures', { rows }, markdown);
