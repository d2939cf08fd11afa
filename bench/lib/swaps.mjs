// Separate servers loaded in quick turns. Every server of a set (the baseline's, say OFF, and the
// others': ON, ON with the file…) runs at once, each with its own wrk that never stops sending but
// is paused (SIGSTOP) while another server has the load. Every `swapMs` the load moves: a baseline
// server, another, a baseline server, another, … Each server notes the requests it has answered and
// its CPU time when told to (bench/lib/observer-toggle.cjs with OBSERVER_TOGGLE_MARKS: SIGURG), and
// it is told SETTLE_MS into each phase of its load and at the phase's end. Each two adjacent phases
// (a baseline server and another, a fraction of a second apart) give a ratio of requests/s. As with
// the flips (flips.mjs), a slow moment of this VM lasts seconds and hits both phases of a pair
// alike; unlike the flips, each configuration is a whole server of its own, so what a server pays
// whether or not it observes a request (its worker thread, its heap, its code) is in the ratio too.
// What is left is the difference between processes of the same configuration, which the per-process
// results and the sets (new processes each) show.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathHeaders, TOGGLE_PRELOAD } from './flips.mjs';
import { median, ratioCosts } from './results.mjs';
import { startService } from './service.mjs';
import { wrkArgs, wrkError, wrkFailures } from './wrk.mjs';

/** The first part of each phase is not counted: the other server's last answers and batches. */
const SETTLE_MS = 20;

// BENCH_PIN=server:wrk (CPU lists, e.g. 1:0): every thread of each server on the first, wrk on the
// second (taskset).
const PIN = process.env.BENCH_PIN
  ? Object.fromEntries(['server', 'wrk'].map((k, i) => [k, process.env.BENCH_PIN.split(':')[i]]))
  : undefined;

let logs = 0;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => Number(process.hrtime.bigint());

/**
 * Starts one server per entry ({ name, config, observability, file, env }; servers of the same
 * `config` are processes of one configuration; the first entry's is the baseline), each with the
 * toggle preloaded for its marks. Resolves { servers, measure(path, seconds, swapMs), stop() }.
 */
export async function startSwapServers(configurations) {
  const servers = [];
  try {
    for (const {
      name,
      config = name,
      observability,
      file = false,
      env = {},
      preloads = [],
    } of configurations) {
      const log = join(tmpdir(), `cryoprotect-swaps-${process.pid}-${++logs}.json`);
      const service = await startService(name, observability, file, undefined, {
        nodeArgs: [
          // BENCH_SERVER_NODE_ARGS: node options for every server (--random-seed=1 --hash-seed=1…).
          ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
          ...preloads.flatMap((preload) => ['--require', preload]),
          '--require',
          TOGGLE_PRELOAD,
        ],
        env: {
          ...env,
          OBSERVER_TOGGLE_PART: 'all',
          OBSERVER_TOGGLE_MARKS: '1',
          OBSERVER_TOGGLE_LOG: log,
        },
      });
      if (PIN) execFileSync('taskset', ['-a', '-p', '-c', PIN.server, String(service.pid)]);
      servers.push({ name, config, service, log });
    }
  } catch (error) {
    await Promise.all(servers.map(({ service }) => service.stop()));
    throw error;
  }
  return {
    servers,
    measure: (path, seconds, swapMs) => measure(servers, path, seconds, swapMs),
    async stop() {
      for (const { service, log } of servers) {
        await service.stop();
        rmSync(log, { force: true });
      }
    },
  };
}

/** wrk on one server's path, stopped by SIGINT (its own end is well after the measure's). */
function startWrk(service, path, seconds) {
  const args = wrkArgs({
    url: service.url + path,
    headers: pathHeaders(service, path),
    connections: 16,
    seconds,
  });
  const [command, ...rest] = PIN ? ['taskset', '-c', PIN.wrk, 'wrk', ...args] : ['wrk', ...args];
  const child = spawn(command, rest, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  const done = new Promise((resolve, reject) => {
    child.once('error', (error) => reject(wrkError(error)));
    child.once('exit', () => resolve(out));
  });
  return { child, done };
}

/** The first mark a server noted at or after `t` (ns). */
function markAt(marks, t) {
  const found = marks.find(([at]) => at >= t);
  if (!found) throw new Error('a server missed a mark');
  return found;
}

async function measure(servers, path, seconds, swapMs) {
  // The baseline's servers (those of the first server's configuration) between each of the others
  // in turn, paired with another baseline server each cycle so every pairing comes round:
  // b0 x0 b1 x1 b2 x2 …, then b1 x0 b2 x1 b0 x2 …
  const baseline = servers[0].config;
  const base = servers.flatMap((server, i) => (server.config === baseline ? [i] : []));
  const others = servers.flatMap((server, i) => (server.config === baseline ? [] : [i]));
  if (others.length === 0) others.push(...base.splice(1));
  const order = base.flatMap((_, cycle) =>
    others.flatMap((other, k) => [base[(k + cycle) % base.length], other]),
  );
  const warmSeconds = 4;
  const loads = servers.map(({ service }) => startWrk(service, path, warmSeconds + seconds + 30));
  let active = order[0];
  for (const [i, { child }] of loads.entries()) if (i !== active) child.kill('SIGSTOP');
  const swapTo = (next) => {
    if (next === active) return;
    loads[active].child.kill('SIGSTOP');
    loads[next].child.kill('SIGCONT');
    active = next;
  };
  const phases = [];
  try {
    // Warm-up: each server has had load in turns before anything is counted.
    for (let t = 0, k = 0; t < warmSeconds * 1000; t += swapMs, k++) {
      swapTo(order[k % order.length]);
      await sleep(swapMs);
    }
    for (const { service } of servers) process.kill(service.pid, 'SIGUSR1');
    const mark = (server) => process.kill(servers[server].service.pid, 'SIGURG');
    const end = now() + seconds * 1e9;
    for (let k = 0; now() < end; k++) {
      swapTo(order[k % order.length]);
      await sleep(SETTLE_MS);
      const start = now();
      mark(active);
      await sleep(swapMs - SETTLE_MS);
      const stop = now();
      mark(active);
      phases.push({ server: active, start, end: stop });
    }
  } finally {
    for (const { child } of loads) {
      child.kill('SIGCONT');
      child.kill('SIGINT');
    }
  }
  // The last marks are noted before the lists are written (two signals pending at once may be
  // handled in either order).
  await sleep(100);
  for (const { service } of servers) process.kill(service.pid, 'SIGUSR1');
  const outputs = await Promise.all(loads.map(({ done }) => done));
  for (const [i, out] of outputs.entries()) {
    const failure = wrkFailures(out);
    if (failure) throw new Error(`${servers[i].name} ${path}: ${failure}\n${out}`);
  }
  await sleep(200);
  const marks = servers.map(({ log }) => JSON.parse(readFileSync(log, 'utf8')));
  // The phases: requests/s, CPU per request and the main thread's CPU per request.
  const rates = phases.map(({ server, start, end }) => {
    const from = markAt(marks[server], start);
    const to = markAt(marks[server], end);
    const requests = to[1] - from[1];
    return {
      server,
      rps: requests / ((to[0] - from[0]) / 1e9),
      cpu: (to[2] - from[2]) / requests,
      main: (to[3] - from[3]) / requests,
    };
  });
  const isBase = (server) => base.includes(server);
  const ratiosOf = (accept) => {
    const throughput = [];
    const cpu = [];
    const main = [];
    for (let i = 0; i + 1 < rates.length; i++) {
      const pair = [rates[i], rates[i + 1]];
      const other = pair.find((phase) => !isBase(phase.server));
      const ofBase = pair.find((phase) => isBase(phase.server));
      if (!other || !ofBase || !accept(other.server, ofBase.server)) continue;
      if (!(other.rps > 0) || !(ofBase.rps > 0)) continue;
      throughput.push(other.rps / ofBase.rps);
      cpu.push(other.cpu / ofBase.cpu);
      main.push(other.main / ofBase.main);
    }
    return { throughput, cpu, main };
  };
  const summary = (ratios) => ({ ...ratioCosts(ratios), throughputRatios: ratios.throughput });
  const rpsOf = (accept) =>
    median(rates.filter((phase) => accept(phase.server)).map((phase) => phase.rps));
  const cpuOf = (accept) =>
    1e6 * median(rates.filter((phase) => accept(phase.server)).map((phase) => phase.cpu));
  // Per configuration other than the baseline: all its servers' ratios against the baseline's; and
  // per server (each against all the baseline's servers, each baseline server against all the
  // others): how far processes of one configuration differ.
  const configurations = [...new Set(others.map((i) => servers[i].config))];
  return {
    baseline: {
      config: baseline,
      requestsPerSecond: rpsOf(isBase),
      cpuMicrosPerRequest: cpuOf(isBase),
    },
    configurations: configurations.map((config) => {
      const mine = (server) => servers[server].config === config;
      return {
        config,
        requestsPerSecond: rpsOf(mine),
        cpuMicrosPerRequest: cpuOf(mine),
        ...summary(ratiosOf((other) => mine(other))),
        servers: others.filter(mine).map((server) => ({
          name: servers[server].name,
          throughputCost: summary(ratiosOf((other) => other === server)).throughputCost,
        })),
        baselineServers: base.map((server) => ({
          name: servers[server].name,
          throughputCost: summary(ratiosOf((other, b) => mine(other) && b === server))
            .throughputCost,
        })),
      };
    }),
  };
}
