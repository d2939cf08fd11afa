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
 * The configurations measured against the baseline in set `set`'s order: their places in the
 * rotation alternate from set to set, so that neither is first throughout (stop 23 read the first
 * place about 4 points dearer, stop 24 no difference between identical configurations:
 * docs/observability-cost-log.md; alternating costs nothing).
 */
export const placesInSet = (configurations, set) =>
  set % 2 === 0 ? configurations : [...configurations].reverse();

/**
 * Starts one server per entry ({ name, config, observability, file, env }; servers of the same
 * `config` are processes of one configuration; the first entry's is the baseline), each with the
 * toggle preloaded for its marks. Resolves { servers, measure(path, seconds, swapMs),
 * measureFlipTurns(path, seconds, swapMs, segments), stop() }.
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
    measureFlipTurns: (path, seconds, swapMs, segments) =>
      measureFlipTurns(servers, path, seconds, swapMs, segments),
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

/** A server's requests/s, CPU per request and main-thread CPU per request between two times. */
function rateBetween(marks, start, end) {
  const from = markAt(marks, start);
  const to = markAt(marks, end);
  const requests = to[1] - from[1];
  return {
    rps: requests / ((to[0] - from[0]) / 1e9),
    cpu: (to[2] - from[2]) / requests,
    main: (to[3] - from[3]) / requests,
  };
}

/**
 * Whether a phase has a rate. A phase whose two marks are one (a slow route's server, busy past the
 * phase's end, noted the first only then) has none (0/0): it is left out of ratios and medians.
 */
const hasRate = (phase) => phase.rps > 0;

/** Adds the ratios of a phase with the thing measured over one without it, when both have a rate. */
function addRatio(ratios, withPart, without) {
  if (!hasRate(withPart) || !hasRate(without)) return;
  ratios.throughput.push(withPart.rps / without.rps);
  ratios.cpu.push(withPart.cpu / without.cpu);
  ratios.main.push(withPart.main / without.main);
}

/**
 * Every server's wrk running, the load given to one server at a time: before turn k,
 * `turns.serverAt(k)` gets it (the others' wrks paused), after `turns.leaving(server)` is told the
 * server that had it. 4 s of turns warm every server up; then for `seconds` each turn is a phase,
 * marked SETTLE_MS in and at its end (and, with `segments`, at as many equal steps). Resolves the
 * phases ({ server, times, ...turns.note(server) }) and each server's marks.
 */
async function loadInTurns(servers, path, seconds, swapMs, turns, segments = 1) {
  const warmSeconds = 4;
  const loads = servers.map(({ service }) => startWrk(service, path, warmSeconds + seconds + 30));
  let active = turns.serverAt(0);
  for (const [i, { child }] of loads.entries()) if (i !== active) child.kill('SIGSTOP');
  let k = 0;
  const nextTurn = () => {
    const next = turns.serverAt(k++);
    turns.leaving?.(active);
    if (next !== active) {
      loads[active].child.kill('SIGSTOP');
      loads[next].child.kill('SIGCONT');
    }
    active = next;
  };
  const phases = [];
  try {
    for (let t = 0; t < warmSeconds * 1000; t += swapMs) {
      nextTurn();
      await sleep(swapMs);
    }
    for (const { service } of servers) process.kill(service.pid, 'SIGUSR1');
    const mark = (server) => process.kill(servers[server].service.pid, 'SIGURG');
    const end = now() + seconds * 1e9;
    while (now() < end) {
      nextTurn();
      await sleep(SETTLE_MS);
      const times = [now()];
      mark(active);
      for (let segment = 0; segment < segments; segment++) {
        await sleep((swapMs - SETTLE_MS) / segments);
        times.push(now());
        mark(active);
      }
      phases.push({ server: active, times, ...turns.note?.(active) });
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
  return { phases, marks: servers.map(({ log }) => JSON.parse(readFileSync(log, 'utf8'))) };
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
  const { phases, marks } = await loadInTurns(servers, path, seconds, swapMs, {
    serverAt: (k) => order[k % order.length],
  });
  // The phases: requests/s, CPU per request and the main thread's CPU per request.
  const rates = phases.map(({ server, times }) => ({
    server,
    ...rateBetween(marks[server], times[0], times[times.length - 1]),
  }));
  const isBase = (server) => base.includes(server);
  /**
   * The adjacent phases, both with a rate, of another server and a baseline one that `accept`
   * takes: [other, base].
   */
  const adjacent = (accept) => {
    const pairs = [];
    for (let i = 0; i + 1 < rates.length; i++) {
      const pair = [rates[i], rates[i + 1]];
      const other = pair.find((phase) => !isBase(phase.server));
      const ofBase = pair.find((phase) => isBase(phase.server));
      if (
        other &&
        ofBase &&
        hasRate(other) &&
        hasRate(ofBase) &&
        accept(other.server, ofBase.server)
      )
        pairs.push([other, ofBase]);
    }
    return pairs;
  };
  const ratiosOf = (accept) => {
    const ratios = { throughput: [], cpu: [], main: [] };
    for (const [other, ofBase] of adjacent(accept)) addRatio(ratios, other, ofBase);
    return ratios;
  };
  // The requests/s ratios with their two processes: pooled over sets, and for an interval that
  // draws processes (processResampler).
  const pairsOf = (accept) =>
    adjacent(accept).map(([other, ofBase]) => ({
      other: other.server,
      base: ofBase.server,
      ratio: other.rps / ofBase.rps,
    }));
  const counted = (accept) => rates.filter((phase) => accept(phase.server) && hasRate(phase));
  const rpsOf = (accept) => median(counted(accept).map((phase) => phase.rps));
  const cpuOf = (accept) => 1e6 * median(counted(accept).map((phase) => phase.cpu));
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
        ...ratioCosts(ratiosOf((other) => mine(other))),
        pairs: pairsOf(mine),
        servers: others.filter(mine).map((server) => ({
          name: servers[server].name,
          throughputCost: ratioCosts(ratiosOf((other) => other === server)).throughputCost,
        })),
        baselineServers: base.map((server) => ({
          name: servers[server].name,
          throughputCost: ratioCosts(ratiosOf((other, b) => mine(other) && b === server))
            .throughputCost,
        })),
      };
    }),
  };
}

/**
 * Flips with idle turns: every server is flipped (its toggle switched with SIGUSR2) each time it
 * loses the load, and the load goes round the servers every `swapMs`. Each ratio is of one server's
 * two consecutive loaded phases, one with the part on and one off, so the difference between
 * processes drops out as in the flips; with one server this is the flips driven from outside (each
 * phase's first SETTLE_MS not counted), with N each server sits idle (N − 1) × swapMs between its
 * phases, as a server does in the swaps. The servers must start with the part on. With `segments`,
 * each of that many equal parts of the phases also gets its own cost: whether the cost changes as a
 * phase goes on, after the idle time.
 */
async function measureFlipTurns(servers, path, seconds, swapMs, segments = 1) {
  const on = servers.map(() => true);
  const { phases, marks } = await loadInTurns(
    servers,
    path,
    seconds,
    swapMs,
    {
      serverAt: (k) => k % servers.length,
      leaving: (server) => {
        process.kill(servers[server].service.pid, 'SIGUSR2');
        on[server] = !on[server];
      },
      note: (server) => ({ on: on[server] }),
    },
    segments,
  );
  /** Each phase's rate between its times[from] and times[to]. */
  const ratesBetween = (from, to) =>
    phases.map((phase) => ({
      server: phase.server,
      on: phase.on,
      ...rateBetween(marks[phase.server], phase.times[from], phase.times[to]),
    }));
  /** Ratios of each server's consecutive phases, on over off. */
  const ratiosOf = (rates) => {
    const ratios = { throughput: [], cpu: [], main: [] };
    const own = servers.map(() => []);
    for (const rate of rates) own[rate.server].push(rate);
    for (const list of own)
      for (let i = 0; i + 1 < list.length; i++) {
        const [a, b] = [list[i], list[i + 1]];
        if (a.on !== b.on) addRatio(ratios, ...(a.on ? [a, b] : [b, a]));
      }
    return ratios;
  };
  const whole = ratesBetween(0, segments);
  return {
    ...ratioCosts(ratiosOf(whole)),
    segmentCosts: Array.from(
      { length: segments },
      (_, s) => ratioCosts(ratiosOf(ratesBetween(s, s + 1))).throughputCost,
    ),
    requestsPerSecond: median(whole.filter(hasRate).map((rate) => rate.rps)),
  };
}
