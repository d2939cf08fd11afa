// Substructure search over 100,000 molecules, one thread.
//
// Molecules: the first 100,000 unique canonical SMILES of bench/lib/molecule-generator.mjs
// (combinatorial core × linker × substituent library, see there). The service's SubstructureIndex
// (RDKit.js SubstructLibrary segments: trusted SMILES + pattern-fingerprint screen, plus its
// JavaScript atom-type screen) is compared with Debian python3-rdkit
// rdSubstructLibrary.SubstructLibrary(CachedTrustedSmilesMolHolder, PatternHolder) on the same
// molecules and SMARTS in the same run: same hits, and time. Both run on one thread.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import initRDKitModule from '@rdkit/rdkit';
import { RdkitAdapter } from '../dist/src/molecule/chemistry/rdkit.adapter.js';
import { SubstructureIndex } from '../dist/src/molecule/search/substructure-index.js';
import { generateMolecules } from './lib/molecule-generator.mjs';
import { median, writeResults } from './lib/results.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const COUNT = 100_000;
const REPEATS = 3;
const QUERIES = [
  ['hydroxyl', '[OX2H][CX4,c]'],
  ['sulfoxide', '[#16X3]=O'],
  ['amide', '[NX3][CX3]=[OX1]'],
  ['benzene ring', 'c1ccccc1'],
  ['cyclohexane ring', 'C1CCCCC1'],
  ['carboxylic acid', '[CX3](=O)[OX2H1]'],
  ['nitro', '[N+](=O)[O-]'],
  ['thiophene', 'c1ccsc1'],
  ['heavy halide', '[Cl,Br,I]'],
  ['morpholine', 'C1COCCN1'],
  ['glycerol fragment', 'OCC(O)CO'],
];

const rdkit = await initRDKitModule();
rdkit.disable_logging();
console.log(`generating ${COUNT} molecules…`);
const smiles = generateMolecules(rdkit, COUNT);
const work = mkdtempSync(join(tmpdir(), 'substructure-bench-'));
try {
  writeFileSync(join(work, 'molecules.smi'), `${smiles.join('\n')}\n`);
  writeFileSync(join(work, 'queries.json'), JSON.stringify(QUERIES.map(([, smarts]) => smarts)));
  console.log('running python3-rdkit SubstructLibrary baseline…');
  const python = spawnSync(
    '/usr/bin/python3',
    [
      join(here, 'substructure_baseline.py'),
      join(work, 'molecules.smi'),
      join(work, 'queries.json'),
      String(REPEATS),
    ],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  if (python.status !== 0) throw new Error(`python baseline failed: ${python.stderr}`);
  const baseline = JSON.parse(python.stdout);

  const chemistry = await RdkitAdapter.load();
  globalThis.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const jsBefore = process.memoryUsage();
  let started = performance.now();
  const index = new SubstructureIndex(chemistry);
  smiles.forEach((text, i) => index.upsert(String(i), text));
  const buildMs = performance.now() - started;
  globalThis.gc?.();
  const rssAfter = process.memoryUsage().rss;
  const jsAfter = process.memoryUsage();

  const perQuery = [];
  for (const [[name, smarts], expected] of QUERIES.map((query, i) => [
    query,
    baseline.queries[i],
  ])) {
    const query = chemistry.compileSubstructureQuery({ smarts });
    const times = [];
    let ids = [];
    try {
      for (let r = 0; r < REPEATS; r++) {
        started = performance.now();
        ids = index.search(query, COUNT, Number.POSITIVE_INFINITY).ids;
        times.push(performance.now() - started);
      }
    } finally {
      query.dispose();
    }
    const hits = ids.map(Number).sort((a, b) => a - b);
    const same =
      hits.length === expected.hits.length && hits.every((hit, i) => hit === expected.hits[i]);
    const ours = new Set(hits);
    const theirs = new Set(expected.hits);
    perQuery.push({
      name,
      smarts,
      hits: hits.length,
      pythonHits: expected.hits.length,
      sameHits: same,
      ms: median(times),
      pythonMs: expected.medianSeconds * 1000,
      onlyService: hits
        .filter((hit) => !theirs.has(hit))
        .slice(0, 10)
        .map((hit) => smiles[hit]),
      onlyPython: expected.hits
        .filter((hit) => !ours.has(hit))
        .slice(0, 10)
        .map((hit) => smiles[hit]),
    });
  }
  const total = (key) => perQuery.reduce((sum, q) => sum + q[key], 0);
  const summary = {
    count: smiles.length,
    rdkitPython: baseline.rdkit,
    rdkitJs: rdkit.version(),
    buildMs,
    pythonBuildSeconds: baseline.buildSeconds,
    indexMemoryMiB: Math.round((rssAfter - rssBefore) / 2 ** 20),
    // JavaScript side of the index (screen fingerprints, type runs, ids): heap plus typed arrays.
    indexJsMemoryMiB: Math.round(
      (jsAfter.heapUsed + jsAfter.arrayBuffers - jsBefore.heapUsed - jsBefore.arrayBuffers) /
        2 ** 20,
    ),
    totalMs: total('ms'),
    pythonTotalMs: total('pythonMs'),
    ratioToPython: total('ms') / total('pythonMs'),
    allHitsIdentical: perQuery.every((q) => q.sameHits),
  };
  const targets = {
    sameHitsAsPython: summary.allHitsIdentical,
    atMost1xPython: summary.ratioToPython <= 1,
  };
  const rows = perQuery
    .map(
      (q) =>
        `| ${q.name} | \`${q.smarts}\` | ${q.hits} | ${q.sameHits ? 'yes' : `**no** (python ${q.pythonHits})`} | ${q.ms.toFixed(1)} | ${q.pythonMs.toFixed(1)} |`,
    )
    .join('\n');
  const differences = perQuery
    .filter((q) => !q.sameHits)
    .map(
      (q) =>
        `- ${q.name}: only service ${JSON.stringify(q.onlyService)}, only python ${JSON.stringify(q.onlyPython)}`,
    )
    .join('\n');
  const markdown = `# Substructure search, ${smiles.length.toLocaleString('en')} molecules, one thread

Medians of ${REPEATS} runs (ms). Service: SubstructureIndex over RDKit.js ${rdkit.version()} SubstructLibrary
segments of 4,096 molecules, with a JavaScript screen on per-molecule atom-type counts before the
WASM match (see docs/chemistry.md). Python: Debian python3-rdkit ${baseline.rdkit}
\`SubstructLibrary(CachedTrustedSmilesMolHolder(), PatternHolder())\`, \`GetMatches(q, numThreads=1)\`.
Both single-threaded; every query is compiled once and run ${REPEATS} times, nothing is cached
between runs.

| query | SMARTS | hits | same hits as python | service | python |
|---|---|---|---|---|---|
${rows}
| **total** | | | ${summary.allHitsIdentical ? 'all' : '**not all**'} | ${summary.totalMs.toFixed(1)} | ${summary.pythonTotalMs.toFixed(1)} |

| target | result | met |
|---|---|---|
| same hits as python SubstructLibrary | ${summary.allHitsIdentical ? 'identical for every query' : 'differences, see table'} | ${targets.sameHitsAsPython ? 'yes' : '**no**'} |
| time ≤ 1.0× python | ${summary.ratioToPython.toFixed(2)}× | ${targets.atMost1xPython ? 'yes' : '**no**'} |
${differences ? `\nHit differences (RDKit 2026.09 vs 2022.09):\n\n${differences}\n` : ''}
Index build ${(buildMs / 1000).toFixed(1)} s (pattern fingerprints computed in WASM and copied out for the
JavaScript screen, atom types read from the SMILES; python build
${baseline.buildSeconds.toFixed(1)} s); index memory ≈ ${summary.indexMemoryMiB} MiB RSS, of which
${summary.indexJsMemoryMiB} MiB JavaScript heap and typed arrays (the rest is WASM memory).
`;
  writeResults('substructure', { summary, targets, perQuery }, markdown);
  console.log(markdown);
} finally {
  rmSync(work, { recursive: true, force: true });
}
