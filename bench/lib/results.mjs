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
