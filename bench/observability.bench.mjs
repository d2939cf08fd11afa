// Observability cost: request throughput of the real service (node dist/src/main.js) with metrics
// and request logging ON vs OFF, measured in the same run. ON is measured twice: request lines to
// stdout only (a container), and to stdout plus the rotating file (docker-compose's setup). Target:
// ON costs at most 10 % of OFF's throughput.
//
// Two measures. Flips: inside one loaded server per scenario and configuration, metrics and request
// logging switched on and off every 250 ms (bench/lib/flips.mjs); the cost is the median of the
// adjacent phases' requests/s ratios, which cancels this VM's noise. Separate servers, swapped: ON
// and OFF servers side by side, the load moved between them every 250 ms (bench/lib/swaps.mjs),
// the same ratios between phases of different processes. The second also counts what an ON server
// pays whether or not a request is being observed, which the flips cannot see, and carries the
// difference between processes of one configuration, which several processes per configuration
// and several sets of them average out.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapInterval, median, processResampler, writeResults } from './lib/results.mjs';
import { hasCallgrind, instructionsPerRequest, sendRequests } from './lib/callgrind.mjs';
import { startFlippingService } from './lib/flips.mjs';
import { timeObserversInTurns } from './lib/observer-timing.mjs';
import { startService } from './lib/service.mjs';
import { placesInSet, startSwapServers } from './lib/swaps.mjs';

const CONNECTIONS = 16;

// In process, on the service's own hook classes, each configuration in fresh processes in turns.
const observerMicros = await timeObserversInTurns();
console.log(
  `in process: ON adds ${observerMicros.stdout.toFixed(2)} µs per request (${observerMicros.stdoutAndFile.toFixed(2)} µs with the file)`,
);

// Separate servers, swapped (bench/lib/swaps.mjs): per set, BENCH_SWAP_PROCESSES fresh processes each
// of ON and ON+file and twice as many OFF run side by side, and the load moves between an OFF server
// and an ON (or ON+file) one every 250 ms. Processes of one configuration differ by up to 20 % in
// their own speed (where their code and heap landed; it lasts as long as the process), so each set's
// cost is over all its processes' pairings, and the sets (new processes) show how far that still
// moves.
const SWAP_SETS = Number(process.env.BENCH_SWAP_SETS ?? 3);
const SWAP_PROCESSES = Number(process.env.BENCH_SWAP_PROCESSES ?? 3);
const SWAP_SECONDS = Number(process.env.BENCH_SWAP_SECONDS ?? 30);
const SWAP_MS = 250;
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

/** A swaps result's measure of one configuration against the baseline. */
const configurationOf = (result, config) => result.configurations.find((c) => c.config === config);
/** Per scenario and configuration: each set's result (bench/lib/swaps.mjs). */
const swapSets = new Map(SCENARIOS.map((scenario) => [scenario.path, []]));
for (let set = 0; set < (timed ? SWAP_SETS : 0); set++) {
  // Booted in turns (off, on, off, onFile, …): processes booted about the same time can be alike.
  // Twice as many OFF processes as of each other configuration, so that every process has the load
  // as often as every other (the OFF phases are half of all) and sits idle as long in between.
  const [[offName, offObservability, offFile], ...configured] = CONFIGURATIONS;
  const observed = placesInSet(configured, set);
  const swaps = await startSwapServers(
    Array.from({ length: SWAP_PROCESSES }, (_, copy) =>
      observed.flatMap(([config, observability, file], i) => [
        {
          name: `${offName}.${copy}.${i}`,
          config: offName,
          observability: offObservability,
          file: offFile,
        },
        { name: `${config}.${copy}`, config, observability, file },
      ]),
    ).flat(),
  );
  try {
    if (!swaps.servers.every(({ service }) => service.token)) {
      console.log('login failed: the authenticated scenarios are skipped');
      scenarios = scenarios.filter((scenario) => !scenario.auth);
    }
    for (const scenario of scenarios) {
      const result = await swaps.measure(scenario.path, SWAP_SECONDS, SWAP_MS);
      swapSets.get(scenario.path).push(result);
      const [on, onFile] = ['on', 'onFile'].map((config) => configurationOf(result, config));
      console.log(
        `set ${set + 1} of ${SWAP_SETS}, ${scenario.name}: off ${result.baseline.requestsPerSecond.toFixed(0)} req/s, on ${on.requestsPerSecond.toFixed(0)} (${(100 * on.throughputCost).toFixed(1)} %), on+file ${onFile.requestsPerSecond.toFixed(0)} (${(100 * onFile.throughputCost).toFixed(1)} %)`,
      );
    }
  } finally {
    await swaps.stop();
  }
}

const results = [];
for (const scenario of timed ? scenarios : []) {
  const sets = swapSets.get(scenario.path);
  const of = (config) => sets.map((set) => configurationOf(set, config));
  // A configuration's cost: the median of every set's adjacent-phase ratios pooled; beside it, each
  // set's own and each process's own (against all the OFF processes of its set).
  const summary = (config) => {
    const measured = of(config);
    return {
      requestsPerSecond: median(measured.map((m) => m.requestsPerSecond)),
      cpuMicrosPerRequest: median(measured.map((m) => m.cpuMicrosPerRequest)),
      throughputCost: 1 - median(measured.flatMap((m) => m.pairs.map((pair) => pair.ratio))),
      // Processes, not phases, drawn: they differ in their own speed (processResampler). With one
      // process per configuration there is nothing to draw.
      interval:
        SWAP_PROCESSES > 1
          ? bootstrapInterval(processResampler(measured.map((m) => m.pairs)))
          : undefined,
      ratios: measured.reduce((sum, m) => sum + m.ratios, 0),
      setCosts: measured.map((m) => m.throughputCost),
      processCosts: measured.flatMap((m) => m.servers.map((server) => server.throughputCost)),
      cpuCost: median(measured.map((m) => m.cpuCost)),
      mainThreadCpuCost: median(measured.map((m) => m.mainThreadCpuCost)),
    };
  };
  const row = {
    scenario: scenario.name,
    path: scenario.path,
    off: {
      requestsPerSecond: median(sets.map((set) => set.baseline.requestsPerSecond)),
      cpuMicrosPerRequest: median(sets.map((set) => set.baseline.cpuMicrosPerRequest)),
      processCosts: sets.flatMap((set) =>
        set.configurations[0].baselineServers.map((server) => server.throughputCost),
      ),
    },
    on: summary('on'),
    onFile: summary('onFile'),
  };
  results.push(row);
  console.log(
    `${scenario.name}, separate servers: off ${row.off.requestsPerSecond.toFixed(0)} req/s, on ${row.on.requestsPerSecond.toFixed(0)} (${(row.on.throughputCost * 100).toFixed(1)} %), on+file ${row.onFile.requestsPerSecond.toFixed(0)} (${(row.onFile.throughputCost * 100).toFixed(1)} %)`,
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
// With intervals: met when every interval's upper end is within the target, missed when a cost is
// above it, and otherwise not shown (the cost is within the target, its interval reaches above).
const judged = (...measured) =>
  measured.some((m) => m.throughputCost > 0.1)
    ? '**missed**'
    : measured.every((m) => (m.interval?.[1] ?? m.throughputCost) <= 0.1)
      ? 'met'
      : 'not shown';
const interval = (m) =>
  m.interval ? `${percent(m.interval[0])} to ${percent(m.interval[1])}` : '— (one process)';
const micros = (value) => `${value.toFixed(1)} µs`;
// A process none of whose phases had a rate (a slow route's marks collapsed: see swaps.mjs) has no
// cost of its own; it is left out of the range and counted.
const range = (values) => {
  const known = values.filter(Number.isFinite);
  const missing = values.length - known.length;
  return `${percent(Math.min(...known))} to ${percent(Math.max(...known))}${missing ? ` (${missing} without a rate)` : ''}`;
};
writeResults(
  'observability',
  {
    swaps: {
      sets: SWAP_SETS,
      processesPerConfiguration: SWAP_PROCESSES,
      secondsPerScenario: SWAP_SECONDS,
      swapMs: SWAP_MS,
    },
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
          "the two phases' requests/s ratio; cost = 1 − the median of the ratios, with its 95 % interval (bootstrap: blocks of 8",
          'adjacent ratios, 2 s, drawn from the runs; the middle half of the ratios themselves is in the JSON). The target is',
          "met when every interval's upper end is within it, missed when a cost is above it, otherwise not shown.",
          'The same tool with nothing switched reads 0 ± 1 % (`bench/results/observability-toggle.jsonl`, part',
          '`none`). What the phases share: the timing around each database query (and a request-line worker thread, when configured),',
          "so what an ON server pays whether or not it observes a request is not in this number; the separate servers' is.",
          '',
          '| scenario | OFF req/s | ON req/s | cost | 95 % interval | ON+file: OFF req/s | ON req/s | cost | 95 % interval | ≤ 10 % |',
          '|---|---:|---:|---:|---|---:|---:|---:|---|---|',
          ...flips.map((r) => {
            const cells = (m) =>
              `${m.requestsPerSecond.off.toFixed(0)} | ${m.requestsPerSecond.on.toFixed(0)} | ${percent(m.throughputCost)} | ${interval(m)}`;
            return `| ${r.scenario} | ${cells(r.on)} | ${cells(r.onFile)} | ${judged(r.on, r.onFile)} |`;
          }),
          '',
          'Process CPU per request (all threads: it counts a request-line worker thread when one is configured) and the',
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
    '## Separate ON and OFF servers, swapped',
    '',
    ...(results.length === 0
      ? ['Not measured in this run (BENCH_TIMED=0).']
      : [
          `${SWAP_SETS} sets of fresh processes of the real service, ${SWAP_PROCESSES} each of ON and ON+file and ${2 * SWAP_PROCESSES} OFF (${4 * SWAP_PROCESSES} side by side, booted in turns;`,
          'twice as many OFF processes because OFF phases are half of all, so every process has the load as often and is idle as long),',
          `each loaded by its own wrk (one thread, ${CONNECTIONS} connections) that is paused while another server has the load. Per scenario, the load`,
          `moves every ${SWAP_MS} ms for ${SWAP_SECONDS} s: an OFF server, an ON (or ON+file) one, another OFF server, … so that every OFF process is paired with`,
          'every ON process in turn (`bench/lib/swaps.mjs`); ON and ON+file swap their places in that order from set to set. Each server notes its answered requests and CPU time when its phase starts (20 ms',
          "in, after the other server's last answers) and when it ends. Each two adjacent phases give a requests/s ratio, as the flips do, so this",
          "VM's slow spells cancel; unlike the flips, each configuration is a server of its own, so what an ON server pays whether or not it",
          'observes a request (its heap and code, the query timing) is in the ratio too. cost = 1 − the median of the',
          'ratios of all sets. What does not cancel: processes of one configuration differ in their own speed for as long as they live (up',
          'to 20 % between OFF processes here), which the per-set and per-process columns show, and which the 95 % interval counts: it',
          "is drawn by the bootstrap over processes (per set, the configuration's processes and the OFF ones drawn with replacement, the",
          'ratios of every drawn pairing pooled). Met, missed and not shown as for the flips.',
          '',
          '| scenario | OFF req/s | ON req/s | cost | 95 % interval | per set | per ON process | ON+file req/s | cost | 95 % interval | per set | per process | ≤ 10 % |',
          '|---|---:|---:|---:|---|---|---|---:|---:|---|---|---|---|',
          ...results.map(
            (r) =>
              `| ${r.scenario} | ${r.off.requestsPerSecond.toFixed(0)} | ${r.on.requestsPerSecond.toFixed(0)} | ${percent(r.on.throughputCost)} | ${interval(r.on)} | ${r.on.setCosts.map(percent).join(', ')} | ${range(r.on.processCosts)} | ${r.onFile.requestsPerSecond.toFixed(0)} | ${percent(r.onFile.throughputCost)} | ${interval(r.onFile)} | ${r.onFile.setCosts.map(percent).join(', ')} | ${range(r.onFile.processCosts)} | ${judged(r.on, r.onFile)} |`,
          ),
          '',
          "The OFF processes' own spread, each against all the ON processes of its set: " +
            results.map((r) => `${r.path} ${range(r.off.processCosts)}`).join('; ') +
            '. CPU per request (the median over phases; all threads) and',
          "the medians of the phase pairs' CPU ratios, all threads and the main thread alone:",
          '',
          '| scenario | OFF CPU/request | ON CPU/request | cost | main thread | ON+file CPU/request | cost | main thread |',
          '|---|---:|---:|---:|---:|---:|---:|---:|',
          ...results.map(
            (r) =>
              `| ${r.scenario} | ${micros(r.off.cpuMicrosPerRequest)} | ${micros(r.on.cpuMicrosPerRequest)} | ${percent(r.on.cpuCost)} | ${percent(r.on.mainThreadCpuCost)} | ${micros(r.onFile.cpuMicrosPerRequest)} | ${percent(r.onFile.cpuCost)} | ${percent(r.onFile.mainThreadCpuCost)} |`,
          ),
        ]),
    '',
    `In process, on the service's own hook classes (best of 15 trials of 20,000 requests in each of 3 fresh processes per configuration, in turns), ON adds **${micros(observerMicros.stdout)}** per request`,
    `(**${micros(observerMicros.stdoutAndFile)}** with the log file): the shared onRequest and onSend hooks with their observers, the series update and the`,
    "request line's fields batched, and the batches formatted and written (to /dev/null, and the file, with real write",
    "calls) within the timing. Against the OFF servers' CPU per request above, that is:",
    '',
    '| scenario | OFF CPU/request | ON adds | cost | ON+file adds | cost |',
    '|---|---:|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.scenario} | ${micros(r.off.cpuMicrosPerRequest)} | ${micros(observerMicros.stdout)} | ${percent(observerMicros.stdout / (r.off.cpuMicrosPerRequest + observerMicros.stdout))} | ${micros(observerMicros.stdoutAndFile)} | ${percent(observerMicros.stdoutAndFile / (r.off.cpuMicrosPerRequest + observerMicros.stdoutAndFile))} |`,
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
