import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** Where and when a benchmark ran, stored with its numbers. */
export function machine() {
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
  };
}

/** Appends one JSON line (with the machine) to bench/results/<file>: the record of a tool's runs. */
export function appendRecord(file, entry) {
  mkdirSync(resultsDir, { recursive: true });
  appendFileSync(join(resultsDir, file), `${JSON.stringify({ machine: machine(), ...entry })}\n`);
}

/** Writes bench/results/<name>.json (data + machine) and bench/results/<name>.md (markdown + machine). */
export function writeResults(name, data, markdown) {
  mkdirSync(resultsDir, { recursive: true });
  const env = machine();
  writeFileSync(
    join(resultsDir, `${name}.json`),
    `${JSON.stringify({ name, machine: env, ...data }, null, 2)}\n`,
  );
  const footer = `\n\n_Run ${env.date} on ${env.cpu} (${env.cores} cores, ${env.memoryGiB} GiB), Node ${env.node}._\n`;
  writeFileSync(join(resultsDir, `${name}.md`), `${markdown.trimEnd()}${footer}`);
}

/** Median of a list of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Arithmetic mean of a list of numbers. */
export function mean(values) {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/**
 * What adjacent-phase ratios say (bench/lib/flips.mjs, swaps.mjs): ratios of requests/s, of CPU per
 * request and of the main thread's CPU per request, each of a phase with the thing measured over
 * its neighbour without it. The cost is 1 − the median throughput ratio; the middle half of the
 * ratios shows their spread.
 */
export function ratioCosts({ throughput, cpu, main }) {
  const sorted = [...throughput].sort((x, y) => x - y);
  return {
    ratios: throughput.length,
    throughputCost: 1 - median(throughput),
    middleHalf: [
      1 - sorted[Math.floor((3 * sorted.length) / 4)],
      1 - sorted[Math.floor(sorted.length / 4)],
    ],
    cpuCost: median(cpu) - 1,
    mainThreadCpuCost: median(main) - 1,
  };
}

/** Resamples drawn for an interval (bootstrapInterval). */
const RESAMPLES = 2000;

/**
 * The 95 % interval of a cost (1 − the median of throughput ratios) by the bootstrap: `resample`
 * is given a random number source (uniform in [0, 1), seeded, so a run's interval is reproducible
 * from its ratios) and returns one resampled list of ratios. Resampling the units the ratios are
 * not independent across (a run's consecutive phases, a process's phases) is the caller's part.
 */
export function bootstrapInterval(resample) {
  let seed = 0x2545f491;
  const random = () => {
    // xorshift32
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const costs = [];
  for (let i = 0; i < RESAMPLES; i++) {
    const ratios = resample(random);
    if (ratios.length > 0) costs.push(1 - median(ratios));
  }
  costs.sort((a, b) => a - b);
  return [costs[Math.floor(0.025 * costs.length)], costs[Math.ceil(0.975 * costs.length) - 1]];
}

/**
 * Resampling for the flips: each run's ratios (in phase order) cut into blocks of `size`, blocks
 * drawn with replacement until as many ratios are drawn as there were. Neighbouring phases share the
 * machine's slow spells, so blocks keep that dependence inside what is drawn.
 */
export function blockResampler(runs, size = 8) {
  const blocks = runs.flatMap((ratios) =>
    Array.from({ length: Math.ceil(ratios.length / size) }, (_, b) =>
      ratios.slice(b * size, (b + 1) * size),
    ),
  );
  const total = runs.reduce((sum, ratios) => sum + ratios.length, 0);
  return (random) => {
    const drawn = [];
    while (drawn.length < total) drawn.push(...blocks[Math.floor(random() * blocks.length)]);
    return drawn;
  };
}

/**
 * Resampling for separate servers: per set, its processes of the configuration measured and its
 * baseline processes are each drawn with replacement, and the ratios of every drawn pairing are
 * pooled. Processes differ in their own speed for as long as they live, so a process, not a phase,
 * is the unit drawn. `sets`: per set, the ratios as { other, base, ratio } (process ids).
 */
export function processResampler(sets) {
  const prepared = sets.map((pairs) => {
    const byPair = new Map();
    for (const { other, base, ratio } of pairs) {
      const key = `${other} ${base}`;
      if (!byPair.has(key)) byPair.set(key, []);
      byPair.get(key).push(ratio);
    }
    return {
      byPair,
      others: [...new Set(pairs.map((pair) => pair.other))],
      bases: [...new Set(pairs.map((pair) => pair.base))],
    };
  });
  const draw = (list, random) => list.map(() => list[Math.floor(random() * list.length)]);
  return (random) => {
    const drawn = [];
    for (const { byPair, others, bases } of prepared) {
      const pickedBases = draw(bases, random);
      for (const other of draw(others, random))
        for (const base of pickedBases) drawn.push(...(byPair.get(`${other} ${base}`) ?? []));
    }
    return drawn;
  };
}
