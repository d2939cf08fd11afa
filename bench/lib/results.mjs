import { mkdirSync, writeFileSync } from 'node:fs';
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
