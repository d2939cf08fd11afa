// Observability cost: request throughput of the real service (node dist/src/main.js) with metrics
// and request logging ON vs OFF, measured in the same run. ON is measured twice: request lines to
// stdout only (a container), and to stdout plus the rotating file (docker-compose's setup). Target:
// ON costs at most 10 % of OFF's throughput.
//
// Two measures. Flips: inside one loaded server per scenario and configuration, metrics and request
// logging switched on and off every 250 ms (bench/lib/flips.mjs); the cost is the median of the
// adjacent phases' requests/s ratios, which cancels this VM's noise. Separate servers: ON and OFF
// servers side by side, loaded by wrk (one client thread, so the load generator does not take a
// server's core) in rounds whose order rotates so drift hits all alike; medians compared. The
// second also counts what an ON server pays whether or not a request is being observed, which the
// flips cannot see; on these machines it moves by more than the target.
import { randomUUID } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mean, median, writeResults } from './lib/results.mjs';
import { hasCallgrind, instructionsPerRequest, sendRequests } from './lib/callgrind.mjs';
import { startFlippingService } from './lib/flips.mjs';
import { startService } from './lib/service.mjs';
import { wrk } from './lib/wrk.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const CONNECTIONS = 16;

function load(service, path, headers, seconds) {
  return wrk({
    url: service.url + path,
    headers,
    connections: CONNECTIONS,
    seconds,
    pid: service.pid,
  });
}

/**
 * What ON adds to a request, in process: the metrics' onRequest hook and the shared onSend hook
 * (series update + the request line through the real logger to stdout, written to /dev/null with
 * real write calls), on the service's own classes, for a request of each scenario's shape. The
 * request lines are formatted on the worker thread (request-line.offload.ts): what is timed is the
 * request's thread, as throughput sees it.
 * Microseconds per request, the best of 15 trials of 20,000 requests: unlike throughput, the best
 * of many short trials is not moved by what else runs on the machine.
 */
async function timeObservers(withFile) {
  const dist = new URL('../dist/src/', import.meta.url);
  const { Logger } = await import('@nestjs/common');
  const { loadConfig } = await import(new URL('config/config.loader.js', dist));
  const { createLogger } = await import(new URL('logging/logger.factory.js', dist));
  const { MetricsService } = await import(new URL('metrics/metrics.service.js', dist));
  const { HttpMetricsHook } = await import(new URL('metrics/http-metrics.hook.js', dist));
  const { RequestLoggingHook } = await import(new URL('logging/request-logging.hook.js', dist));
  const dataDir = mkdtempSync(join(tmpdir(), 'cryoprotect-bench-observers-'));
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir,
      log: { level: 'info', requests: true, ...(withFile ? { dir: 'logs' } : {}) },
      metrics: { enabled: true },
    },
  });
  const hooks = { onRequest: [], onSend: [] };
  const fastify = { addHook: (name, hook) => hooks[name].push(hook), decorateRequest: () => {} };
  const adapterHost = { httpAdapter: { getInstance: () => fastify } };
  const logger = createLogger(config);
  Logger.overrideLogger(logger);
  new HttpMetricsHook(new MetricsService(config), adapterHost).onModuleInit();
  const requestLogging = new RequestLoggingHook(config, adapterHost);
  requestLogging.onModuleInit();
  const devNull = openSync('/dev/null', 'w');
  const realWrite = process.stdout.write;
  process.stdout.write = (text) => writeSync(devNull, text) > 0;
  const done = () => {};
  const request = () => ({
    url: '/api/v1/auth/me',
    method: 'GET',
    id: randomUUID(),
    ip: '127.0.0.1',
    headers: { 'user-agent': 'wrk' },
    routeOptions: { url: '/api/v1/auth/me' },
    is404: false,
    user: { id: '4880d60f-fe13-4d73-bfd7-45b4306e9d92' },
    raw: {},
  });
  const reply = { statusCode: 200 };
  const trial = async (calls) => {
    const requests = Array.from({ length: calls }, request);
    const started = process.hrtime.bigint();
    for (const req of requests) {
      // The one onRequest hook (it notes the arrival) and the one onSend hook.
      for (const hook of hooks.onRequest) hook(req, reply, done);
      for (const hook of hooks.onSend) hook(req, reply, '{}', done);
    }
    // The lines' writes happen in a timer after the loop: wait for them, inside the timing.
    await new Promise((resolve) => setTimeout(resolve, 6));
    return Number(process.hrtime.bigint() - started) / calls / 1000;
  };
  try {
    await trial(20_000);
    let best = Infinity;
    for (let round = 0; round < 15; round++) best = Math.min(best, await trial(20_000));
    // The 6 ms wait for the last write, spread over the trial, is not the hooks' cost.
    return best - 6000 / 20_000;
  } finally {
    // The lines still with the formatting thread are written before stdout is given back.
    requestLogging.onModuleDestroy();
    process.stdout.write = realWrite;
    closeSync(devNull);
    logger.close?.();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
const observerMicros = {
  stdout: await timeObservers(false),
  stdoutAndFile: await timeObservers(true),
};
console.log(
  `in process: ON adds ${observerMicros.stdout.toFixed(2)} µs per request (${observerMicros.stdoutAndFile.toFixed(2)} µs with the file)`,
);

// Several processes per configuration: one process's own speed (where its code and heap landed,
// which core it shares) differed by 10–20 % from another's of the same configuration, as much as
// the effect measured; each round's sample of a configuration is the mean over its processes. A
// process takes ~1 GiB (the service with RDKit and PGlite), so more processes come in batches: each
// batch boots fresh processes, runs its rounds and stops them; the rounds of all batches are pooled.
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 3);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 1);
const CONFIGURATIONS = [
  ['off', false, false],
  ['on', true, false],
  ['onFile', true, true],
];
const SCENARIOS = [
  { name: 'GET /health/live (trivial handler: worst case)', path: '/health/live', auth: false },
  {
    name: 'GET /api/v1/auth/me (JWT guard + handler)',
    path: '/api/v1/auth/me',
    auth: true,
  },
  {
    name: 'GET /api/v1/molecules?limit=20 (a typical API read: guard, policy, database, 20 rows of JSON)',
    path: '/api/v1/molecules?limit=20',
    auth: true,
  },
];
let scenarios = SCENARIOS;
// BENCH_TIMED=0 skips the timed runs (to try the instruction counts alone).
const timed = process.env.BENCH_TIMED !== '0';
// Flips (see the top): one flipping server per scenario and configuration.
const FLIP_RUNS = Number(process.env.BENCH_FLIP_RUNS ?? 3);
const FLIP_SECONDS = Number(process.env.BENCH_FLIP_SECONDS ?? 20);
const FLIP_MS = 250;
const flips = [];
for (const scenario of FLIP_RUNS > 0 ? SCENARIOS : []) {
  const row = { scenario: scenario.name, path: scenario.path };
  for (const [name, file] of [
    ['on', false],
    ['onFile', true],
  ]) {
    const flipping = await startFlippingService({ part: 'all', flipMs: FLIP_MS, file });
    try {
      if (scenario.auth && !flipping.service.token)
        throw new Error('the bench admin could not log in');
      row[name] = await flipping.measure(scenario.path, FLIP_RUNS, FLIP_SECONDS);
    } finally {
      await flipping.stop();
    }
    const { requestsPerSecond, throughputCost } = row[name];
    console.log(
      `${scenario.name}${file ? ' (with the log file)' : ''}, flipped: off ${requestsPerSecond.off.toFixed(0)} req/s, on ${requestsPerSecond.on.toFixed(0)}; cost ${(100 * throughputCost).toFixed(1)} %`,
    );
  }
  flips.push(row);
}

/** Per scenario: each round's mean requests/s and CPU µs per request, per configuration. */
const collected = new Map(
  SCENARIOS.map((scenario) => [
    scenario.path,
    { samples: { off: [], on: [], onFile: [] }, cpu: { off: [], on: [], onFile: [] } },
  ]),
);
for (let batch = 0; batch < (timed ? BATCHES : 0); batch++) {
  const services = [];
  try {
    for (let copy = 0; copy < PROCESSES; copy++)
      for (const [name, observability, file] of CONFIGURATIONS)
        services.push(await startService(name, observability, file));
    if (!services.every((service) => service.token)) {
      console.log('login failed: the authenticated scenarios are skipped');
      scenarios = scenarios.filter((scenario) => !scenario.auth);
    }
    for (const scenario of scenarios) {
      const headers = (service) =>
        scenario.auth ? { authorization: `Bearer ${service.token}` } : {};
      for (const service of services) await load(service, scenario.path, headers(service), 2);
      const { samples, cpu } = collected.get(scenario.path);
      for (let round = 0; round < ROUNDS; round++) {
        const order = services.map((_, index) => services[(index + round) % services.length]);
        const round_ = { off: [], on: [], onFile: [] };
        for (const service of order)
          round_[service.name].push(await load(service, scenario.path, headers(service), SECONDS));
        for (const name of Object.keys(round_)) {
          samples[name].push(mean(round_[name].map((sample) => sample.rps)));
          cpu[name].push(mean(round_[name].map((sample) => sample.cpuMicrosPerRequest)));
        }
      }
    }
  } finally {
    for (const service of services) await service.stop();
  }
  if (BATCHES > 1) console.log(`batch ${batch + 1} of ${BATCHES} done`);
}

const results = [];
for (const scenario of timed ? scenarios : []) {
  const { samples, cpu } = collected.get(scenario.path);
  const offRps = median(samples.off);
  const onRps = median(samples.on);
  const onFileRps = median(samples.onFile);
  // Paired by round: the three configurations of one round ran back to back, so machine drift
  // between rounds cancels in their ratio.
  const pairedCost = (name) =>
    1 - median(samples[name].map((rps, round) => rps / samples.off[round]));
  const cost = pairedCost('on');
  const costWithFile = pairedCost('onFile');
  // From the servers' CPU time per request (1 − OFF/ON, paired by round): the throughput ratio of
  // servers that each have a core to themselves, moved less than requests/s by what else runs.
  const pairedCpuCost = (name) =>
    1 - median(cpu[name].map((micros, round) => cpu.off[round] / micros));
  const cpuCost = pairedCpuCost('on');
  const cpuCostWithFile = pairedCpuCost('onFile');
  results.push({
    scenario: scenario.name,
    path: scenario.path,
    offRps,
    onRps,
    onFileRps,
    cost,
    costWithFile,
    offCpuMicros: median(cpu.off),
    onCpuMicros: median(cpu.on),
    onFileCpuMicros: median(cpu.onFile),
    cpuCost,
    cpuCostWithFile,
    samples,
    cpuMicrosPerRequest: cpu,
  });
  console.log(
    `${scenario.name}: off ${offRps.toFixed(0)} req/s, on ${onRps.toFixed(0)} (${(cost * 100).toFixed(1)} %), on+file ${onFileRps.toFixed(0)} (${(costWithFile * 100).toFixed(1)} %); CPU cost ${(cpuCost * 100).toFixed(1)} % / ${(cpuCostWithFile * 100).toFixed(1)} %`,
  );
}

// Instructions per request (callgrind), ON vs OFF: the same comparison without the machine's noise.
// The servers boot under valgrind (minutes), are warmed up until their code is compiled and their
// heaps settled, then counted over CALLGRIND_WINDOWS windows of CALLGRIND_REQUESTS requests each,
// alternating; a configuration's value is the median of its windows.
const CALLGRIND_WARMUP = Number(process.env.BENCH_CALLGRIND_WARMUP ?? 15_000);
const CALLGRIND_REQUESTS = Number(process.env.BENCH_CALLGRIND_REQUESTS ?? 3_000);
const CALLGRIND_WINDOWS = Number(process.env.BENCH_CALLGRIND_WINDOWS ?? 3);
const instructions = [];
if (process.env.BENCH_CALLGRIND === '0')
  console.log('instruction counts skipped (BENCH_CALLGRIND=0)');
else if (!hasCallgrind()) console.log('valgrind is not installed: instruction counts skipped');
else {
  const outDir = mkdtempSync(join(tmpdir(), 'cryoprotect-bench-callgrind-'));
  const outPrefix = join(outDir, 'callgrind.out');
  console.log('instruction counts: booting the servers under callgrind (minutes)…');
  const counted = await Promise.all(
    CONFIGURATIONS.map(([name, observability, file]) =>
      startService(name, observability, file, outPrefix),
    ),
  );
  try {
    for (const scenario of scenarios.filter((s) => !s.path.startsWith('/api/v1/molecules'))) {
      const perConfiguration = Object.fromEntries(counted.map((service) => [service.name, []]));
      const loadOf = (service) => (count) =>
        sendRequests({
          url: service.url + scenario.path,
          headers: scenario.auth ? { authorization: `Bearer ${service.token}` } : {},
          count,
          connections: CONNECTIONS,
        });
      // Counts are per process, so the servers are loaded at the same time.
      await Promise.all(counted.map((service) => loadOf(service)(CALLGRIND_WARMUP)));
      for (let window = 0; window < CALLGRIND_WINDOWS; window++) {
        const counts = await Promise.all(
          counted.map((service) =>
            instructionsPerRequest({
              pid: service.pid,
              env: service.env,
              outPrefix,
              load: loadOf(service),
              requests: CALLGRIND_REQUESTS,
            }),
          ),
        );
        counted.forEach((service, index) => perConfiguration[service.name].push(counts[index]));
      }
      const value = (name, thread) =>
        median(perConfiguration[name].map((counts) => counts[thread]));
      const row = { scenario: scenario.name, windows: perConfiguration };
      for (const thread of ['main', 'all']) {
        const off = value('off', thread);
        const on = value('on', thread);
        const onFile = value('onFile', thread);
        row[thread] = { off, on, onFile, cost: 1 - off / on, costWithFile: 1 - off / onFile };
      }
      instructions.push(row);
      const { main } = row;
      console.log(
        `${scenario.name}: main-thread instructions per request off ${main.off.toFixed(0)}, on ${main.on.toFixed(0)} (${(main.cost * 100).toFixed(1)} %), on+file ${main.onFile.toFixed(0)} (${(main.costWithFile * 100).toFixed(1)} %)`,
      );
    }
  } finally {
    for (const service of counted) await service.stop();
    rmSync(outDir, { recursive: true, force: true });
  }
}

const percent = (value) => `${(value * 100).toFixed(1)} %`;
const verdict = (...costs) => (Math.max(...costs) <= 0.1 ? 'met' : '**missed**');
const rows = results.map(
  (r) =>
    `| ${r.scenario} | ${r.offRps.toFixed(0)} | ${r.onRps.toFixed(0)} | ${percent(r.cost)} | ${r.onFileRps.toFixed(0)} | ${percent(r.costWithFile)} | ${verdict(r.cost, r.costWithFile)} |`,
);
const micros = (value) => `${value.toFixed(1)} µs`;
const cpuRows = results.map(
  (r) =>
    `| ${r.scenario} | ${micros(r.offCpuMicros)} | ${micros(r.onCpuMicros)} | ${percent(r.cpuCost)} | ${micros(r.onFileCpuMicros)} | ${percent(r.cpuCostWithFile)} | ${verdict(r.cpuCost, r.cpuCostWithFile)} |`,
);
writeResults(
  'observability',
  {
    rounds: ROUNDS,
    processesPerConfiguration: PROCESSES,
    batches: BATCHES,
    secondsPerRound: SECONDS,
    connections: CONNECTIONS,
    targetMaxCost: 0.1,
    flips: { runs: FLIP_RUNS, secondsPerRun: FLIP_SECONDS, flipMs: FLIP_MS, results: flips },
    observerMicros,
    results,
    callgrind: {
      warmupRequests: CALLGRIND_WARMUP,
      requestsPerWindow: CALLGRIND_REQUESTS,
      windows: CALLGRIND_WINDOWS,
      instructions,
    },
  },
  [
    '# Observability cost: metrics + request logging ON vs OFF',
    '',
    `## Flips: ON and OFF in one server, switched every ${FLIP_MS} ms`,
    '',
    ...(flips.length === 0
      ? ['Not measured in this run (BENCH_FLIP_RUNS=0).']
      : [
          `One server per scenario and configuration (the real service, embedded PGlite) is loaded by wrk (one thread, ${CONNECTIONS}`,
          `connections) without a pause for ${FLIP_RUNS} runs of ${FLIP_SECONDS} s and switches metrics and request logging on and off itself every`,
          `${FLIP_MS} ms (\`bench/lib/observer-toggle.cjs\`, preloaded): while off, its one onRequest and one onSend hook do what they do`,
          'in a server with observability off (no observer is called, the route, status and duration are not read) and the',
          "database query durations' histogram is not updated. Each two adjacent phases, one on and one off, share the",
          "machine's state — this VM's slow spells last seconds and move requests/s by more than the target — so they cancel in",
          "the two phases' requests/s ratio; cost = 1 − the median of the ratios (the middle half of the costs shows their",
          'spread). The same tool with nothing switched reads 0 ± 1 % (`bench/results/observability-toggle.jsonl`, part',
          '`none`). What the phases share: the timing around each database query and the idle request-line worker thread,',
          "so what an ON server pays whether or not it observes a request is not in this number; the separate servers' is.",
          '',
          '| scenario | OFF req/s | ON req/s | cost | middle half | ON+file: OFF req/s | ON req/s | cost | middle half | ≤ 10 % |',
          '|---|---:|---:|---:|---|---:|---:|---:|---|---|',
          ...flips.map((r) => {
            const cells = (m) =>
              `${m.requestsPerSecond.off.toFixed(0)} | ${m.requestsPerSecond.on.toFixed(0)} | ${percent(m.throughputCost)} | ${percent(m.middleHalf[0])} to ${percent(m.middleHalf[1])}`;
            return `| ${r.scenario} | ${cells(r.on)} | ${cells(r.onFile)} | ${verdict(r.on.throughputCost, r.onFile.throughputCost)} |`;
          }),
          '',
          "Process CPU per request (all threads: it counts the request lines' formatting thread, beside the request's) and the",
          "main thread's alone, as medians of the same phase pairs:",
          '',
          '| scenario | CPU per request | main thread | ON+file: CPU per request | main thread |',
          '|---|---:|---:|---:|---:|',
          ...flips.map(
            (r) =>
              `| ${r.scenario} | ${percent(r.on.cpuCost)} | ${percent(r.on.mainThreadCpuCost)} | ${percent(r.onFile.cpuCost)} | ${percent(r.onFile.mainThreadCpuCost)} |`,
          ),
        ]),
    '',
    '## Separate ON and OFF servers',
    '',
    `Real service (\`node dist/src/main.js\`, embedded PGlite), ${PROCESSES} processes per configuration side by side (${PROCESSES * 3} in all)${BATCHES > 1 ? `, in ${BATCHES} batches of fresh processes (${PROCESSES * BATCHES} processes per configuration in all; the rounds of all batches pooled)` : ''}, wrk (one thread) with ${CONNECTIONS} connections,`,
    `${ROUNDS} rotating rounds of ${SECONDS} s per process${BATCHES > 1 ? ' and batch' : ''}; a round's value of a configuration is the mean over its processes; medians of requests/s, and cost = 1 − the median of the`,
    'per-round ON/OFF ratios (the configurations of a round run back to back, so drift between rounds cancels). ON = Prometheus metrics',
    '(HTTP hooks, query timing) + one ECS request line per request to stdout (/dev/null); ON+file also writes the',
    'rotating log file. Target: cost ≤ 10 %. The cost per request is roughly constant (the observers called from the',
    "service's own onRequest and onSend hooks, the series update, the request line's fields handed to the thread that formats",
    "the lines, their bytes copied into the transports' buffers, a share of one write per 5 ms), so it weighs most on the",
    'cheapest route; compare the columns of one row.',
    '',
    '| scenario | OFF req/s | ON req/s | cost | ON+file req/s | cost | ≤ 10 % |',
    '|---|---:|---:|---:|---:|---:|---|',
    ...rows,
    '',
    "The same runs measured by each server's CPU time per request, all its threads (from /proc; cost = 1 − the median of",
    'the per-round OFF/ON ratios). Requests/s on this 2-core machine also moves with whatever else takes a turn on the',
    "cores during a sample; CPU per request moves less, but it also counts the request lines' formatting thread, which",
    "runs beside the request's thread and does not bound throughput: the target is judged by requests/s.",
    '',
    '| scenario | OFF CPU/request | ON CPU/request | cost | ON+file CPU/request | cost | ≤ 10 % |',
    '|---|---:|---:|---:|---:|---:|---|',
    ...cpuRows,
    '',
    `In process, on the service's own hook classes (best of 15 trials of 20,000 requests), ON adds **${micros(observerMicros.stdout)}** per request`,
    `(**${micros(observerMicros.stdoutAndFile)}** with the log file): the shared onRequest and onSend hooks with their observers, the series update and the`,
    "request line's fields handed to its formatting thread (whose lines are written to /dev/null, and the file, with real",
    "write calls beside the timing). Against the OFF servers' CPU per request above, that is:",
    '',
    '| scenario | OFF CPU/request | ON adds | cost | ON+file adds | cost |',
    '|---|---:|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.scenario} | ${micros(r.offCpuMicros)} | ${micros(observerMicros.stdout)} | ${percent(observerMicros.stdout / (r.offCpuMicros + observerMicros.stdout))} | ${micros(observerMicros.stdoutAndFile)} | ${percent(observerMicros.stdoutAndFile / (r.offCpuMicros + observerMicros.stdoutAndFile))} |`,
    ),
    '',
    ...(instructions.length === 0
      ? [
          'Instructions per request (callgrind): not measured in this run (valgrind missing or BENCH_CALLGRIND=0).',
        ]
      : [
          `Instructions per request, counted by valgrind's callgrind in servers of each configuration (warmed up with ${CALLGRIND_WARMUP} requests, then`,
          `${CALLGRIND_WINDOWS} alternating windows of ${CALLGRIND_REQUESTS} requests each; median; 16 keep-alive connections from the benchmark process).`,
          'A count does not move with the machine: it is the cost without the noise of the timed tables above (it does not see cache misses or',
          "how fast each instruction runs). The main thread's count is what bounds a Node server's throughput; all threads add V8's background",
          "compiler and garbage-collector helpers, which run on the other core (and, under valgrind's slow clock, keep compiling for longer than",
          'in a real run). cost = 1 − OFF/ON. The database read is not counted (tens of milliseconds per request under valgrind).',
          '',
          '| scenario | thread | OFF instructions | ON instructions | cost | ON+file instructions | cost | ≤ 10 % |',
          '|---|---|---:|---:|---:|---:|---:|---|',
          ...instructions.flatMap((r) =>
            ['main', 'all'].map((thread) => {
              const c = r[thread];
              return `| ${r.scenario} | ${thread === 'main' ? 'main' : 'all threads'} | ${c.off.toFixed(0)} | ${c.on.toFixed(0)} | ${percent(c.cost)} | ${c.onFile.toFixed(0)} | ${percent(c.costWithFile)} | ${verdict(c.cost, c.costWithFile)} |`;
            }),
          ),
        ]),
  ].join('\n'),
);
