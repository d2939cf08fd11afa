// Similarity search over 1,000,000 Morgan r2/2048 fingerprints, one thread.
//
// Fingerprints: 20,000 unique molecules from bench/lib/molecule-generator.mjs, fingerprinted with
// RDKit.js, each copied 50 times with a deterministic perturbation (every on-bit dropped with
// probability 0.1, then 0–3 on-bits of another random library molecule added), giving 1,000,000
// fingerprints with the bit vocabulary and popcount distribution of the library.
//
// Measured in this process: (1) a plain read (sum of every word) of the packed column array the
// index searches; (2) the full scan: FingerprintSegment.scoreAll, Tanimoto to every molecule;
// (3) the threshold-0.7 search with popcount and pigeonhole pruning. In the same run, Debian
// python3-rdkit BulkTanimotoSimilarity on the same fingerprints (bench/similarity_baseline.py).
// Exactness: for two queries every one of the 1,000,000 similarities is compared with RDKit's.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import initRDKitModule from '@rdkit/rdkit';
import { FingerprintSegment, onBits } from '../dist/src/molecule/search/fingerprint-index.js';
import { generateMolecules, random } from './lib/molecule-generator.mjs';
import { median, writeResults } from './lib/results.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const COUNT = 1_000_000;
const BASE_MOLECULES = 20_000;
const QUERIES = [5, 123_457, 250_001, 499_999, 777_777, 999_999];
const REPEATS = 5;

const rdkit = await initRDKitModule();
rdkit.disable_logging();
const morgan = JSON.stringify({ radius: 2, nBits: 2048 });
const base = generateMolecules(rdkit, BASE_MOLECULES).map((smiles) => {
  const mol = rdkit.get_mol(smiles);
  try {
    return Uint8Array.from(mol.get_morgan_fp_as_uint8array(morgan));
  } finally {
    mol.delete();
  }
});
const baseBits = base.map((fp) => onBits(fp));

const rnd = random(42);
const packed = new Uint8Array(COUNT * 256);
for (let i = 0; i < COUNT; i++) {
  const offset = i * 256;
  for (const bit of baseBits[i % base.length]) {
    if (rnd() >= 0.1) packed[offset + (bit >> 3)] |= 1 << (bit & 7);
  }
  const donor = baseBits[Math.floor(rnd() * base.length)];
  const extra = Math.floor(rnd() * 4);
  for (let e = 0; e < extra; e++) {
    const bit = donor[Math.floor(rnd() * donor.length)];
    packed[offset + (bit >> 3)] |= 1 << (bit & 7);
  }
}
const fingerprint = (i) => packed.subarray(i * 256, (i + 1) * 256);

const work = mkdtempSync(join(tmpdir(), 'similarity-bench-'));
try {
  writeFileSync(join(work, 'fps.bin'), packed);
  console.log(`running python3-rdkit baseline on ${COUNT} fingerprints…`);
  const python = spawnSync(
    '/usr/bin/python3',
    [
      join(here, 'similarity_baseline.py'),
      join(work, 'fps.bin'),
      String(COUNT),
      QUERIES.join(','),
      String(REPEATS),
      work,
    ],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  if (python.status !== 0) throw new Error(`python baseline failed: ${python.stderr}`);
  const baseline = JSON.parse(python.stdout);

  let started = performance.now();
  const segment = FingerprintSegment.build(
    (function* () {
      for (let i = 0; i < COUNT; i++) yield { id: String(i), fingerprint: fingerprint(i) };
    })(),
  );
  const buildMs = performance.now() - started;
  const positionOf = new Uint32Array(COUNT);
  for (let position = 0; position < COUNT; position++)
    positionOf[Number(segment.ids[position])] = position;

  const words = new Int32Array(
    segment.columns.buffer,
    segment.columns.byteOffset,
    segment.columns.length,
  );
  const plainRead = () => {
    let sum = 0;
    for (let i = 0; i < words.length; i++) sum = (sum + words[i]) | 0;
    return sum;
  };
  const scores = new Float64Array(COUNT);
  const perQuery = [];
  for (const query of QUERIES) {
    const bits = onBits(fingerprint(query));
    const plain = [];
    const full = [];
    const threshold = [];
    let hits = 0;
    for (let r = 0; r < REPEATS; r++) {
      started = performance.now();
      plainRead();
      plain.push(performance.now() - started);
      started = performance.now();
      segment.scoreAll(bits, scores);
      full.push(performance.now() - started);
      const found = [];
      started = performance.now();
      segment.search(bits, { threshold: 0.7, deadline: Number.POSITIVE_INFINITY }, found);
      threshold.push(performance.now() - started);
      hits = found.length;
    }
    const python = baseline.queries.find((entry) => entry.query === query);
    perQuery.push({
      query,
      onBits: bits.length,
      plainReadMs: median(plain),
      fullScanMs: median(full),
      threshold07Ms: median(threshold),
      threshold07Hits: hits,
      pythonBulkTanimotoMs: python.medianSeconds * 1000,
    });
  }

  // Exactness: all 1,000,000 similarities of the first two queries against RDKit's doubles.
  let compared = 0;
  let mismatches = 0;
  let maxDifference = 0;
  for (const query of QUERIES.slice(0, 2)) {
    const buffer = readFileSync(join(work, `similarity-${query}.bin`));
    const expected = new Float64Array(buffer.buffer, buffer.byteOffset, buffer.length / 8);
    segment.scoreAll(onBits(fingerprint(query)), scores);
    for (let i = 0; i < COUNT; i++) {
      const actual = scores[positionOf[i]];
      compared++;
      if (actual !== expected[i]) {
        mismatches++;
        maxDifference = Math.max(maxDifference, Math.abs(actual - expected[i]));
      }
    }
  }

  const total = (key) => perQuery.reduce((sum, entry) => sum + entry[key], 0);
  const summary = {
    count: COUNT,
    queries: QUERIES.length,
    repeats: REPEATS,
    buildMs,
    pythonBuildSeconds: baseline.buildSeconds,
    rdkitPython: baseline.rdkit,
    plainReadMs: total('plainReadMs') / perQuery.length,
    fullScanMs: total('fullScanMs') / perQuery.length,
    threshold07Ms: total('threshold07Ms') / perQuery.length,
    pythonBulkTanimotoMs: total('pythonBulkTanimotoMs') / perQuery.length,
    fullScanOverPlainRead: total('fullScanMs') / total('plainReadMs'),
    speedupOverPython: total('pythonBulkTanimotoMs') / total('fullScanMs'),
    thresholdOverFullScan: total('threshold07Ms') / total('fullScanMs'),
    exactness: { compared, mismatches, maxDifference },
    heapMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
  };
  const targets = {
    fullScanAtMost2xPlainRead: summary.fullScanOverPlainRead <= 2,
    atLeast10xFasterThanPython: summary.speedupOverPython >= 10,
    identicalToRdkit: mismatches === 0 && compared >= 10_000,
    threshold07AtMost03xFullScan: summary.thresholdOverFullScan <= 0.3,
  };
  const rows = perQuery
    .map(
      (q) =>
        `| ${q.query} | ${q.onBits} | ${q.plainReadMs.toFixed(1)} | ${q.fullScanMs.toFixed(1)} | ${q.threshold07Ms.toFixed(2)} (${q.threshold07Hits} hits) | ${q.pythonBulkTanimotoMs.toFixed(1)} |`,
    )
    .join('\n');
  const markdown = `# Similarity search, ${COUNT.toLocaleString('en')} Morgan r2/2048 fingerprints, one thread

Medians of ${REPEATS} runs per query (ms). Plain read = summing every 32-bit word of the packed
column array (${(words.length * 4) / 2 ** 20} MiB). Python = Debian python3-rdkit ${baseline.rdkit}
\`DataStructs.BulkTanimotoSimilarity\`, same fingerprints, same run.

| query | on-bits | plain read | full scan | threshold 0.7 | python Bulk |
|---|---|---|---|---|---|
${rows}

| target | result | met |
|---|---|---|
| full scan ≤ 2× plain read | ${summary.fullScanOverPlainRead.toFixed(3)}× | ${targets.fullScanAtMost2xPlainRead ? 'yes' : '**no**'} |
| ≥ 10× faster than python BulkTanimotoSimilarity | ${summary.speedupOverPython.toFixed(1)}× | ${targets.atLeast10xFasterThanPython ? 'yes' : '**no**'} |
| scores identical to RDKit | ${compared.toLocaleString('en')} pairs, ${mismatches} mismatches | ${targets.identicalToRdkit ? 'yes' : '**no**'} |
| threshold 0.7 ≤ 0.3× full scan | ${summary.thresholdOverFullScan.toFixed(3)}× | ${targets.threshold07AtMost03xFullScan ? 'yes' : '**no**'} |

Index build ${(buildMs / 1000).toFixed(1)} s (python bit-vector build ${baseline.buildSeconds.toFixed(1)} s); process RSS ${summary.heapMiB} MiB.
`;
  writeResults('similarity', { summary, targets, perQuery }, markdown);
  console.log(markdown);
} finally {
  rmSync(work, { recursive: true, force: true });
}
