// node bench/observability-toggle.mjs [part] [pairs] [seconds] [path] [--flip-ms=N] [--file] [--record] [--preload=file] — not part of
// `npm run bench`. One ON server (metrics and request logging on; dist must be built) with
// bench/lib/observer-toggle.cjs preloaded, so that a part of observability can be skipped while the
// process keeps its JIT state, heap and core (parts: see the preload).
//
// Rounds (the default): rounds of `seconds` alternate the part on and off (ON OFF, OFF ON, …),
// switched by SIGUSR2, and each pair of adjacent rounds gives a ratio of CPU per request (from
// /proc). Prints the median ratio: what the part costs a request.
//
// Flips (--flip-ms=N): the server switches the part itself every N ms while wrk loads it without a
// pause, `pairs` runs of `seconds` each, and reports per phase the requests it answered and its CPU
// time; each two adjacent phases (one on, one off, a fraction of a second apart) give a ratio of
// requests/s and one of CPU per request. Prints the medians: the part's cost in throughput and CPU.
// `--flip-ms` with part `none` switches nothing: the tool's own null. With --record, the result is
// also appended to bench/results/observability-toggle.jsonl (one JSON object per run).
import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine, median } from './lib/results.mjs';
import { startService } from './lib/service.mjs';
import { wrk } from './lib/wrk.mjs';

const preload = join(dirname(fileURLToPath(import.meta.url)), 'lib', 'observer-toggle.cjs');
const flags = process.argv.slice(2).filter((arg) => arg.startsWith('--'));
const flipMs = Number(
  /^--flip-ms=(\d+)$/.exec(flags.find((f) => f.startsWith('--flip-ms=')) ?? '')?.[1] ?? 0,
);
// --preload=file: a module preloaded before the toggle's (a change tried without a build, which the
// toggle then switches like the code it replaces).
const extraPreloads = flags
  .filter((f) => f.startsWith('--preload='))
  .flatMap((f) => ['--require', f.slice(10)]);
const positional = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const [
  part = 'all',
  pairs = flipMs ? '3' : '15',
  seconds = flipMs ? '20' : '2',
  path = '/health/live',
] = positional;
const phaseLog = join(tmpdir(), `cryoprotect-toggle-${process.pid}.json`);

// --file: the log file too (LOG_DIR), as docker-compose runs the service.
const service = await startService('toggle', true, flags.includes('--file'), undefined, {
  nodeArgs: [...extraPreloads, '--require', preload],
  env: {
    OBSERVER_TOGGLE_PART: part,
    ...(flipMs ? { OBSERVER_TOGGLE_FLIP_MS: String(flipMs), OBSERVER_TOGGLE_LOG: phaseLog } : {}),
  },
});
const headers = path.startsWith('/api/') ? { authorization: `Bearer ${service.token}` } : {};
const percent = (ratio) => `${(100 * ratio).toFixed(1)} %`;
const url = service.url + path;
const load = (secs) => wrk({ url, headers, connections: 16, seconds: secs, pid: service.pid });
try {
  await load(4);
  if (flipMs) await flips();
  else await rounds();
} finally {
  await service.stop();
  rmSync(phaseLog, { force: true });
}

async function rounds() {
  let on = true;
  const cpu = { on: [], off: [] };
  const ratios = [];
  for (let round = 0; round < 2 * Number(pairs); round++) {
    const wantOn = (Math.floor(round / 2) % 2 === 0) === (round % 2 === 0);
    if (wantOn !== on) {
      process.kill(service.pid, 'SIGUSR2');
      on = wantOn;
    }
    // A second of load after each switch, unmeasured: the JIT settles on the new path.
    await load(1);
    const { cpuMicrosPerRequest } = await load(Number(seconds));
    cpu[on ? 'on' : 'off'].push(cpuMicrosPerRequest);
    if (round % 2 === 1) ratios.push(cpu.on.at(-1) / cpu.off.at(-1));
  }
  const cost = median(ratios) - 1;
  console.log(
    `${part} on ${path}: CPU per request ${median(cpu.off).toFixed(1)} µs off, ${median(cpu.on).toFixed(1)} µs on; ` +
      `median of ${ratios.length} paired ratios ${percent(cost)} (pairs: ${ratios.map((r) => r.toFixed(2)).join(' ')})`,
  );
}

async function flips() {
  const throughput = [];
  const cpu = [];
  const rates = { on: [], off: [] };
  for (let run = 0; run < Number(pairs); run++) {
    // SIGUSR1 ends the list of phases: once before the run (the phases without load are dropped),
    // once after it (the run's phases are written to the log).
    process.kill(service.pid, 'SIGUSR1');
    await load(Number(seconds));
    process.kill(service.pid, 'SIGUSR1');
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The first and last phases were only partly under load.
    const phases = JSON.parse(readFileSync(phaseLog, 'utf8')).slice(1, -1);
    for (const phase of phases) rates[phase.on ? 'on' : 'off'].push(phase.requests / phase.seconds);
    for (let i = 0; i + 1 < phases.length; i++) {
      const [a, b] = [phases[i], phases[i + 1]];
      if (a.on === b.on || a.requests === 0 || b.requests === 0) continue;
      const [on, off] = a.on ? [a, b] : [b, a];
      throughput.push(on.requests / on.seconds / (off.requests / off.seconds));
      cpu.push(on.cpuSeconds / on.requests / (off.cpuSeconds / off.requests));
    }
  }
  const quartiles = (values) => {
    const sorted = [...values].sort((x, y) => x - y);
    return [sorted[Math.floor(sorted.length / 4)], sorted[Math.floor((3 * sorted.length) / 4)]];
  };
  const [tLow, tHigh] = quartiles(throughput);
  if (flags.includes('--record'))
    appendFileSync(
      join(dirname(fileURLToPath(import.meta.url)), 'results', 'observability-toggle.jsonl'),
      `${JSON.stringify({
        machine: machine(),
        part,
        path,
        file: flags.includes('--file'),
        flipMs,
        runs: Number(pairs),
        seconds: Number(seconds),
        requestsPerSecond: { off: median(rates.off), on: median(rates.on) },
        ratios: throughput.length,
        throughputCost: 1 - median(throughput),
        middleHalf: [1 - tHigh, 1 - tLow],
        cpuCost: median(cpu) - 1,
      })}\n`,
    );
  console.log(
    `${part} on ${path}${flags.includes('--file') ? ' (with the log file)' : ''}, flipped every ${flipMs} ms: ${median(rates.off).toFixed(0)} requests/s off, ` +
      `${median(rates.on).toFixed(0)} on; median of ${throughput.length} adjacent-phase ratios: ` +
      `throughput cost ${percent(1 - median(throughput))} (middle half ${percent(1 - tHigh)} to ${percent(1 - tLow)}), ` +
      `CPU per request ${percent(median(cpu) - 1)}`,
  );
}
