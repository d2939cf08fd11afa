// Backup vs pg_dump/pg_restore on the same PostgreSQL database (>= 200 MB of the service's tables),
// in the same run. Ratios, not wall-clock thresholds. Needs PostgreSQL at 127.0.0.1:5432 (trust).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createRequire } from 'node:module';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import { mean, median, writeResults } from './lib/results.mjs';

const require = createRequire(import.meta.url);
const { Client } = require('pg');
const { withAppContext } = require('../dist/src/cli/cli-context.js');
const { BackupService } = require('../dist/src/backup/backup.service.js');
const { EncryptStream } = require('../dist/src/backup/pipeline/encryption.js');
const { CountStream } = require('../dist/src/backup/pipeline/streams.js');
const {
  decoderCounts,
  decoderMemoryBytes,
} = require('../dist/src/backup/pipeline/block-worker.js');

const ADMIN = 'postgres://postgres@127.0.0.1:5432/postgres';
const SOURCE = 'cryoprotect_bench_backup';
const MIN_BYTES = 200 * 1024 * 1024;
/** Rounds of pg_dump + our (encrypted) backup. */
const BACKUP_ROUNDS = 7;
/**
 * Pairs of an encrypted and an unencrypted backup, back to back. 16 since run Q: one backup of a
 * process can take 20–30 % longer than the next when V8 collects its old space for the Buffers'
 * external memory (10–20 mark-compacts instead of 2–4, docs/backup.md), whether it encrypts or not,
 * so a pair's ratio moved from −20 % to +37 %, and the median of 8 pairs by a few percent between
 * runs of the same code.
 */
const ENCRYPTION_PAIRS = 16;
/** Pairs of the encryption stage alone against a pass-through, over one backup's stored bytes. */
const STAGE_PAIRS = 9;
const RESTORE_ROUNDS = 5;
const urlOf = (name) => `postgres://postgres@127.0.0.1:5432/${name}`;

async function admin(sql) {
  const client = new Client({ connectionString: ADMIN });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

async function freshDatabase(name) {
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${name}`);
  return urlOf(name);
}

/** Creates (once) and reuses a database of the service's schema with >= 200 MB of realistic rows. */
async function ensureSource(context) {
  const [exists] = await admin(
    `SELECT pg_database_size('${SOURCE}')::bigint AS size FROM pg_database WHERE datname = '${SOURCE}'`,
  );
  if (exists && Number(exists.size) >= MIN_BYTES) return Number(exists.size);
  await freshDatabase(SOURCE);
  await context(urlOf(SOURCE), async () => undefined); // boots the app once: migrations
  const client = new Client({ connectionString: urlOf(SOURCE) });
  await client.connect();
  console.log('generating the benchmark database (once)…');
  await client.query(`INSERT INTO users (email, display_name, role, password_hash)
    SELECT 'researcher' || g || '@lab' || (g % 97) || '.example.org', 'Researcher ' || g || ' ' || substr(md5(g::text), 1, 10),
           (ARRAY['viewer','researcher','curator','admin'])[1 + g % 4], '$argon2id$v=19$m=19456,t=2,p=1$' || md5(g::text) || '$' || md5((g * 3)::text)
      FROM generate_series(1, 400000) g`);
  await client.query(`INSERT INTO audit_events (occurred_at, actor_email, action, entity_type, entity_id, before, after, ip_address, request_id)
    SELECT now() - (g || ' seconds')::interval, 'researcher' || (g % 5000) || '@lab.example.org',
           (ARRAY['create','update','delete'])[1 + g % 3], 'Molecule', md5(g::text),
           CASE WHEN g % 3 = 0 THEN NULL ELSE jsonb_build_object('name', 'compound ' || g, 'smiles', 'OCC(O)CO', 'score', (g % 1000) / 10.0, 'tags', jsonb_build_array('cpa', 'polyol')) END,
           jsonb_build_object('name', 'compound ' || g, 'smiles', repeat('C', 1 + g % 30) || 'O', 'score', (g % 997) / 10.0, 'note', md5(g::text) || md5((g + 1)::text)),
           '10.0.' || (g % 255) || '.' || (g % 253), md5((g * 7)::text)
      FROM generate_series(1, 700000) g`);
  await client.query('VACUUM ANALYZE');
  await client.end();
  const [row] = await admin(`SELECT pg_database_size('${SOURCE}')::bigint AS size`);
  return Number(row.size);
}

/**
 * Peak memory of the process above what it used just before fn: JS heap plus memory outside it
 * (Buffers, zlib's native state), plus what a restore's decompression holds outside the main thread:
 * its reused slots and its worker's heap (garbage included: the worker reports it after each block,
 * and nothing forces its collection). This is the pipeline's own memory, which must stay bounded
 * whatever the database size; RSS also holds the app and freed-but-kept pages.
 * - sampled every 10 ms, garbage included both in the samples and in what the process held when the
 *   run started (the timed runs: nothing forces a collection around them);
 * - `live`: a full GC before every sample (every 100 ms), so only reachable memory counts; the GCs
 *   slow the run down, so such a run is not timed.
 */
async function peakMemory(fn, { live = false } = {}) {
  const used = () => {
    if (live) globalThis.gc();
    const { heapUsed, external } = process.memoryUsage();
    return heapUsed + external + decoderMemoryBytes();
  };
  // Only the untimed runs start from a full collection. Before a timed run it changed what is
  // measured: after a forced full collection V8 cleaned up the next backups' Buffers with 24–26
  // old-space collections each instead of alternating between 2–4 and 12–18, and backups took 10–12 %
  // longer on average (8 backups per process, twice each way; docs/backup.md, run Q).
  const before = used();
  let peak = before;
  const sampler = setInterval(
    () => {
      peak = Math.max(peak, used());
    },
    live ? 100 : 10,
  );
  try {
    const value = await fn();
    if (!live) peak = Math.max(peak, used());
    return { value, peakMiB: (peak - before) / 2 ** 20 };
  } finally {
    clearInterval(sampler);
  }
}

/** Old-space collections (mark-compacts) of this process since the last call. */
let majorCollections = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries())
    if (entry.detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) majorCollections++;
}).observe({ entryTypes: ['gc'] });
function takeMajorCollections() {
  const count = majorCollections;
  majorCollections = 0;
  return count;
}

function timed(fn) {
  const started = process.hrtime.bigint();
  return Promise.resolve(fn()).then((value) => ({
    value,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  }));
}

const dataDir = mkdtempSync(join(tmpdir(), 'bench-backup-'));
const key = randomBytes(32).toString('base64');
const context = (url, fn, backup = {}) =>
  withAppContext((app) => fn(app.get(BackupService)), {
    dataDir,
    database: { url },
    log: { level: 'error' },
    molecule: { seedOnFirstStart: false },
    backup: {
      encryptionKey: key,
      targets: { local: { driver: 'local', path: join(dataDir, 'backups') } },
      ...backup,
    },
  });

try {
  const sourceBytes = await ensureSource(context);
  const dumpFile = join(dataDir, 'bench.dump');

  const pgDumpOnce = () =>
    timed(() =>
      execFileSync('pg_dump', ['-h', '127.0.0.1', '-U', 'postgres', '-Fc', '-f', dumpFile, SOURCE]),
    );
  const run = (backup) =>
    context(
      urlOf(SOURCE),
      async (backups) => {
        // CPU time of the whole process (main thread and the thread pool's compression): less
        // sensitive than wall time to what else the machine runs, so it is reported next to it.
        const cpuBefore = process.cpuUsage();
        takeMajorCollections();
        const {
          value: { value, seconds },
          peakMiB,
        } = await peakMemory(() => timed(() => backups.run()));
        const { user, system } = process.cpuUsage(cpuBefore);
        const collections = takeMajorCollections();
        const result = value.results[0];
        if (!result.ok) throw new Error(result.message);
        return {
          manifest: result.manifest,
          seconds,
          cpuSeconds: (user + system) / 1e6,
          majorCollections: collections,
          peakMiB,
        };
      },
      backup,
    );
  // The machine is shared, so load swings between minutes. Each round puts the runs it compares
  // next to each other (pg_dump and our encrypted backup, their order alternating between rounds);
  // a ratio is taken within a round and the median over the rounds is reported, with every round's
  // value. Times are measured inside the booted app: the run only.
  const backupRounds = [];
  for (let round = 0; round < BACKUP_ROUNDS; round++) {
    let pgDump;
    let ours;
    if (round % 2 === 0) {
      pgDump = await pgDumpOnce();
      ours = await run({});
    } else {
      ours = await run({});
      pgDump = await pgDumpOnce();
    }
    backupRounds.push({
      pgDumpSeconds: pgDump.seconds,
      encryptedSeconds: ours.seconds,
      backupVsPgDumpTime: ours.seconds / pgDump.seconds,
      encrypted: ours,
    });
  }
  // What encryption adds: encrypted and unencrypted backups back to back in pairs (their order
  // alternating), nothing else between them. With a pg_dump of twice their length between the
  // pairs (the design of runs A–L), the pair's ratio moved by 4–17 % from round to round, more than
  // the effect measured; back to back it moved by a few percent.
  const encryptionPairs = [];
  for (let pair = 0; pair < ENCRYPTION_PAIRS; pair++) {
    const order = pair % 2 === 0 ? ['encrypted', 'unencrypted'] : ['unencrypted', 'encrypted'];
    const runs = {};
    for (const kind of order)
      runs[kind] = await run(kind === 'encrypted' ? {} : { encryption: false });
    encryptionPairs.push({
      encryptedSeconds: runs.encrypted.seconds,
      unencryptedSeconds: runs.unencrypted.seconds,
      encryptionOverhead: runs.encrypted.seconds / runs.unencrypted.seconds - 1,
      encryptedCpuSeconds: runs.encrypted.cpuSeconds,
      unencryptedCpuSeconds: runs.unencrypted.cpuSeconds,
      encryptionCpuOverhead: runs.encrypted.cpuSeconds / runs.unencrypted.cpuSeconds - 1,
      encryptedMajorCollections: runs.encrypted.majorCollections,
      unencryptedMajorCollections: runs.unencrypted.majorCollections,
      unencrypted: runs.unencrypted,
    });
  }
  // How much of each pair's difference the collector explains: least squares of the pair's overhead
  // on its difference in old-space collections (encrypted minus unencrypted). The intercept is what
  // encryption cost in pairs whose two backups were collected alike; the mean overhead is the
  // intercept plus the slope times the mean difference (what encryption's own Buffers add).
  const gcFit = (() => {
    const xs = encryptionPairs.map(
      (p) => p.encryptedMajorCollections - p.unencryptedMajorCollections,
    );
    const ys = encryptionPairs.map((p) => p.encryptionOverhead);
    const n = xs.length;
    const [mx, my] = [mean(xs), mean(ys)];
    const sxx = xs.reduce((sum, x) => sum + (x - mx) ** 2, 0);
    if (n < 3 || sxx === 0) return { meanOverhead: my, meanCollectionDifference: mx };
    const slope = xs.reduce((sum, x, i) => sum + (x - mx) * (ys[i] - my), 0) / sxx;
    const intercept = my - slope * mx;
    const residual = ys.reduce((sum, y, i) => sum + (y - intercept - slope * xs[i]) ** 2, 0);
    const interceptError = Math.sqrt((residual / (n - 2)) * (1 / n + mx ** 2 / sxx));
    return { meanOverhead: my, meanCollectionDifference: mx, slope, intercept, interceptError };
  })();
  const pgDumpBytes = statSync(dumpFile).size;
  const encrypted = backupRounds[0].encrypted;

  // The encryption stage alone, in process, over the compressed bytes of one unencrypted backup fed
  // in the pieces compression pushes (frame header, ~1 MiB of compressed block): EncryptStream as
  // the backup configures it against a pass-through that only counts, alternating, in pairs. The
  // difference per pair, over the median encrypted backup time, is what encryption adds to a backup
  // without the machine's load swings of whole runs (which move by more than the 5 % measured).
  const stored = readFileSync(
    join(dataDir, 'backups', ...encryptionPairs[0].unencrypted.manifest.data.key.split('/')),
  );
  const pieces = [];
  for (let offset = 0; offset < stored.length; offset += 1024 * 1024)
    pieces.push(stored.subarray(offset, offset + 1024 * 1024));
  const stageOnce = async (stage) => {
    const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    const started = process.hrtime.bigint();
    await pipeline(Readable.from(pieces), stage, sink);
    return Number(process.hrtime.bigint() - started) / 1e9;
  };
  const stageKey = randomBytes(32);
  const stagePairs = [];
  for (let pair = 0; pair < STAGE_PAIRS; pair++) {
    const encrypt = () => stageOnce(new EncryptStream(stageKey, 'bench', 1024 * 1024));
    const count = () => stageOnce(new CountStream());
    const [encryptSeconds, passSeconds] =
      pair % 2 === 0
        ? [await encrypt(), await count()]
        : [await count(), await encrypt()].reverse();
    stagePairs.push(encryptSeconds - passSeconds);
  }

  const restoreRounds = [];
  const blocksBefore = { ...decoderCounts };
  for (let round = 0; round < RESTORE_ROUNDS; round++) {
    const pgRestoreOnce = async () => {
      await freshDatabase('cryoprotect_bench_pg_restore');
      return timed(() =>
        execFileSync('pg_restore', [
          '-h',
          '127.0.0.1',
          '-U',
          'postgres',
          '-j',
          '2',
          '-d',
          'cryoprotect_bench_pg_restore',
          dumpFile,
        ]),
      );
    };
    const oursOnce = async () => {
      const url = await freshDatabase('cryoprotect_bench_restore');
      return context(urlOf(SOURCE), (backups) =>
        peakMemory(() =>
          timed(() => backups.restore(encrypted.manifest.id, { targetDatabase: url })),
        ),
      );
    };
    let pgRestore;
    let ours;
    if (round % 2 === 0) {
      pgRestore = await pgRestoreOnce();
      ours = await oursOnce();
    } else {
      ours = await oursOnce();
      pgRestore = await pgRestoreOnce();
    }
    restoreRounds.push({
      pgRestoreSeconds: pgRestore.seconds,
      restoreSeconds: ours.value.seconds,
      restoreVsPgRestoreTime: ours.value.seconds / pgRestore.seconds,
      tables: ours.value.value.tables,
      peakMiB: ours.peakMiB,
    });
  }
  const restoreBlocks = {
    blocks: decoderCounts.blocks - blocksBefore.blocks,
    unslotted: decoderCounts.unslotted - blocksBefore.unslotted,
  };
  const pick = (rounds, field) => rounds.map((round) => round[field]);
  const middle = (rounds, field) => median(pick(rounds, field));
  const backupSeconds = middle(backupRounds, 'encryptedSeconds');
  const rowsMatch = restoreRounds.every((round) =>
    round.tables.every((table) => table.rows === table.expected),
  );
  // One more backup and restore, untimed, for the pipeline's live memory.
  const liveRestoreUrl = await freshDatabase('cryoprotect_bench_live_restore');
  const live = await context(urlOf(SOURCE), async (backups) => {
    const backup = await peakMemory(() => backups.run(), { live: true });
    const restore = await peakMemory(
      () =>
        backups.restore(backup.value.results[0].manifest.id, { targetDatabase: liveRestoreUrl }),
      { live: true },
    );
    return { backupMiB: backup.peakMiB, restoreMiB: restore.peakMiB };
  });
  await admin('DROP DATABASE IF EXISTS cryoprotect_bench_live_restore WITH (FORCE)');
  await admin('DROP DATABASE IF EXISTS cryoprotect_bench_pg_restore WITH (FORCE)');
  await admin('DROP DATABASE IF EXISTS cryoprotect_bench_restore WITH (FORCE)');

  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  const data = {
    sourceDatabaseMiB: sourceBytes / 2 ** 20,
    rows: encrypted.manifest.tables.reduce((sum, table) => sum + table.rows, 0),
    backupRoundCount: BACKUP_ROUNDS,
    encryptionPairCount: ENCRYPTION_PAIRS,
    restoreRoundCount: RESTORE_ROUNDS,
    pgDumpSeconds: middle(backupRounds, 'pgDumpSeconds'),
    backupSeconds,
    backupVsPgDumpTime: middle(backupRounds, 'backupVsPgDumpTime'),
    pgDumpMiB: pgDumpBytes / 2 ** 20,
    backupMiB: encrypted.manifest.data.sizeBytes / 2 ** 20,
    backupVsPgDumpSize: encrypted.manifest.data.sizeBytes / pgDumpBytes,
    pgRestoreSeconds: middle(restoreRounds, 'pgRestoreSeconds'),
    restoreSeconds: middle(restoreRounds, 'restoreSeconds'),
    restoreVsPgRestoreTime: middle(restoreRounds, 'restoreVsPgRestoreTime'),
    encryptedPairSeconds: middle(encryptionPairs, 'encryptedSeconds'),
    unencryptedBackupSeconds: middle(encryptionPairs, 'unencryptedSeconds'),
    encryptionOverhead: middle(encryptionPairs, 'encryptionOverhead'),
    encryptionCpuOverhead: middle(encryptionPairs, 'encryptionCpuOverhead'),
    encryptionGcFit: gcFit,
    encryptionStageSeconds: median(stagePairs),
    encryptionStagePairs: stagePairs,
    encryptionStageOverhead: median(stagePairs) / backupSeconds,
    backupRounds: backupRounds.map(({ encrypted: _run, ...round }) => round),
    encryptionPairs: encryptionPairs.map(({ unencrypted: _run, ...pair }) => pair),
    restoreRounds: restoreRounds.map(({ tables: _tables, ...round }) => round),
    restoredRowCountsMatch: rowsMatch,
    peakRssMiB,
    backupPipelinePeakMiB: Math.max(...backupRounds.map((round) => round.encrypted.peakMiB)),
    restorePipelinePeakMiB: Math.max(...pick(restoreRounds, 'peakMiB')),
    backupPipelineLivePeakMiB: live.backupMiB,
    restorePipelineLivePeakMiB: live.restoreMiB,
    restoreBlocks: restoreBlocks.blocks,
    restoreBlocksUnslotted: restoreBlocks.unslotted,
    targets: {
      backupVsPgDumpTime: 0.5,
      backupVsPgDumpSize: 0.9,
      restoreVsPgRestoreTime: 1.15,
      encryptionOverhead: 0.05,
    },
  };
  const verdict = (value, limit) => (value <= limit ? 'met' : '**missed**');
  const f = (n, d = 2) => n.toFixed(d);
  const range = (rounds, field, scale = 1, digits = 2) =>
    pick(rounds, field)
      .map((value) => f(value * scale, digits))
      .join(', ');
  const markdown = `# Backup benchmark

Same PostgreSQL 15 database (${f(data.sourceDatabaseMiB, 0)} MiB, ${data.rows} rows in the service's tables), same run.
Our backup (default settings): dump format ${encrypted.manifest.version === 2 ? 'v2 (COPY text)' : 'v1'}, ${encrypted.manifest.compression.algorithm} level ${encrypted.manifest.compression.level} in independent ${f((encrypted.manifest.compression.blockBytes ?? 0) / 2 ** 20, 0)} MiB blocks compressed ${os.availableParallelism() + 1} at a time, AES-256-GCM in 1 MiB chunks, local target; times measured around the run inside the booted app.
Our restore loads with COPY FROM on two connections into a staging schema and moves it into place in one final transaction (pg_restore -j2 uses two connections and commits per table).
The machine is shared, so the runs compared are put side by side: ${BACKUP_ROUNDS} rounds of pg_dump + our encrypted backup (alternating order), then ${ENCRYPTION_PAIRS} pairs of our encrypted + unencrypted backup back to back (alternating order), then ${RESTORE_ROUNDS} rounds of pg_restore -j2 + our restore (alternating order). Each ratio is taken within a round or pair; the table gives the median over them (times: medians too), the values of every round follow.

| measure | ours | baseline | ratio (median) | ratio per round | target | verdict |
|---|---|---|---|---|---|---|
| backup time | ${f(backupSeconds)} s | pg_dump -Fc ${f(data.pgDumpSeconds)} s | ${f(data.backupVsPgDumpTime)} | ${range(backupRounds, 'backupVsPgDumpTime')} | ≤ 0.5 | ${verdict(data.backupVsPgDumpTime, 0.5)} |
| backup size | ${f(data.backupMiB, 1)} MiB | pg_dump -Fc ${f(data.pgDumpMiB, 1)} MiB | ${f(data.backupVsPgDumpSize)} | | ≤ 0.9 | ${verdict(data.backupVsPgDumpSize, 0.9)} |
| restore time | ${f(data.restoreSeconds)} s | pg_restore -j2 ${f(data.pgRestoreSeconds)} s | ${f(data.restoreVsPgRestoreTime)} | ${range(restoreRounds, 'restoreVsPgRestoreTime')} | ≤ 1.15 | ${verdict(data.restoreVsPgRestoreTime, 1.15)} |
| encryption overhead | ${f(data.encryptedPairSeconds)} s | unencrypted ${f(data.unencryptedBackupSeconds)} s | ${f(data.encryptionOverhead * 100, 1)} % | ${range(encryptionPairs, 'encryptionOverhead', 100, 1)} % | ≤ 5 % | ${verdict(data.encryptionOverhead, 0.05)} |

Encryption stage alone (in process, over this backup's ${f(stored.length / 2 ** 20, 1)} MiB of compressed data in 1 MiB pieces, against a pass-through, ${STAGE_PAIRS} alternating pairs): median ${f(data.encryptionStageSeconds * 1000, 0)} ms more (pairs ${stagePairs.map((seconds) => f(seconds * 1000, 0)).join(', ')} ms), **${f(data.encryptionStageOverhead * 100, 1)} %** of the median encrypted backup time.
Encryption's cost in CPU time of the backup process (main thread and thread pool; the server's COPY is not in it), median of the paired ratios: ${f(data.encryptionCpuOverhead * 100, 1)} % (per pair ${range(encryptionPairs, 'encryptionCpuOverhead', 100, 1)} %; encrypted ${range(encryptionPairs, 'encryptedCpuSeconds')} s, unencrypted ${range(encryptionPairs, 'unencryptedCpuSeconds')} s).
Old-space collections (mark-compacts) in each backup of the pairs: encrypted ${range(encryptionPairs, 'encryptedMajorCollections', 1, 0)}; unencrypted ${range(encryptionPairs, 'unencryptedMajorCollections', 1, 0)}. Mean overhead of the pairs ${f(gcFit.meanOverhead * 100, 1)} %, with ${f(gcFit.meanCollectionDifference, 1)} more collections in the encrypted backup on average${gcFit.slope === undefined ? '' : `; least squares of a pair's overhead on its difference in collections: ${f(gcFit.slope * 100, 2)} % per collection, and ${f(gcFit.intercept * 100, 1)} ± ${f(gcFit.interceptError * 100, 1)} % (standard error) at no difference`}.
Times per round (s): pg_dump ${range(backupRounds, 'pgDumpSeconds')}; our backup ${range(backupRounds, 'encryptedSeconds')}; encryption pairs, encrypted ${range(encryptionPairs, 'encryptedSeconds')}, unencrypted ${range(encryptionPairs, 'unencryptedSeconds')}; pg_restore -j2 ${range(restoreRounds, 'pgRestoreSeconds')}; our restore ${range(restoreRounds, 'restoreSeconds')}.
Restored row counts match the manifest: ${rowsMatch}.
Pipeline memory, live (peak JS heap + external memory above the idle app, full GC before each sample every 100 ms, separate untimed runs; the restore's also counts its decompression slots and its worker's heap, garbage included): backup ${f(data.backupPipelineLivePeakMiB, 0)} MiB, restore ${f(data.restorePipelineLivePeakMiB, 0)} MiB — ${verdict(Math.max(data.backupPipelineLivePeakMiB, data.restorePipelineLivePeakMiB), 64)} (≤ 64 MiB).
Pipeline memory including buffers not yet collected (same, sampled every 10 ms without forcing GC, in the timed runs): backup ${f(data.backupPipelinePeakMiB, 0)} MiB, restore ${f(data.restorePipelinePeakMiB, 0)} MiB.
Decompressed blocks of the timed restores: ${data.restoreBlocks}, of which ${data.restoreBlocksUnslotted} found no free reused slot and came back in a Buffer of their own.
Peak RSS of the whole benchmark process: ${f(peakRssMiB, 0)} MiB (the Nest application, RDKit WASM, the pg driver and pages kept after GC, not only the pipeline).
`;
  writeResults('backup', data, markdown);
  console.log(markdown);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
