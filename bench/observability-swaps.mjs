// node bench/observability-swaps.mjs [sets] [seconds] [path] [--configs=off,on,…] [--swap-ms=N]
// [--processes=N] [--preload=config:file] [--record] — not part of `npm run bench`, whose "Separate
// ON and OFF servers, swapped" section runs the same measure. Separate servers loaded in quick turns
// (bench/lib/swaps.mjs): per set, `processes` (1) new servers of each configuration after the first
// and as many of the first, the baseline, as of all the others together (its phases are half of
// all, so every process has the load as often); the load moves between a baseline server and one
// of the others every `swap-ms` (250) for `seconds` (20). Configurations:
//   off     metrics and request logging off
//   on      both on (request lines to stdout)
//   file    both on, request lines to stdout and the rotating file
//   held    an ON server whose request hooks are held in the OFF path (the flips' off phase): what
//           is left is what an ON server pays whether or not it observes a request
//   heldmetrics, heldlogging  held, with only metrics (or only request logging) on
//   worker  ON with the request lines formatted on a worker thread (LOG_REQUEST_WORKER=true)
// `--configs=off,off` is the measure's null; `--preload=held:file` adds configuration `held+`, held
// with `file` preloaded (a change tried without a build). dist must be built. With --record, each
// set's result is appended to bench/results/observability-toggle.jsonl.
import { toolArgs } from './lib/args.mjs';
import { appendRecord, bootstrapInterval, median, processResampler } from './lib/results.mjs';
import { placesInSet, startSwapServers } from './lib/swaps.mjs';

const HELD = { OBSERVER_TOGGLE_START: 'off' };
const CONFIGURATIONS = {
  off: { observability: false },
  on: { observability: true },
  file: { observability: true, file: true },
  held: { observability: true, env: HELD },
  heldmetrics: { observability: true, env: { ...HELD, LOG_REQUESTS: 'false' } },
  heldlogging: { observability: true, env: { ...HELD, METRICS_ENABLED: 'false' } },
  worker: { observability: true, env: { LOG_REQUEST_WORKER: 'true' } },
};
// --preload=name:file: configuration `name` also preloads `file` (a change tried without a build).
for (const spec of process.argv.slice(2).filter((arg) => arg.startsWith('--preload='))) {
  const [name, file] = spec.slice(10).split(/:(.*)/s, 2);
  CONFIGURATIONS[`${name}+`] = {
    ...CONFIGURATIONS[name],
    preloads: [...(CONFIGURATIONS[name].preloads ?? []), file],
  };
}

const { flags, flag, positional } = toolArgs();
const [sets = '3', seconds = '20', path = '/health/live'] = positional;
const names = flag('configs', 'off,on').split(',');
const swapMs = Number(flag('swap-ms', '250'));
for (const name of names)
  if (!CONFIGURATIONS[name])
    throw new Error(`unknown configuration ${name}: ${Object.keys(CONFIGURATIONS).join(', ')}`);
const percent = (ratio) => `${(100 * ratio).toFixed(1)} %`;

const processes = Number(flag('processes', '1'));
// The configurations measured against the first, each with its key in the results (name and place).
const others = names.slice(1).map((config, i) => ({ config, key: `${config}${i + 1}` }));
// Per configuration, each set's ratios with their processes: its cost, the pooled cost, the interval.
const pairs = new Map();
for (let set = 0; set < Number(sets); set++) {
  const swaps = await startSwapServers(
    // Booted in turns (off, on, off, held, …): processes booted about the same time can be alike.
    // The baseline's phases are half of all: it has as many processes as all the others together,
    // so every process has the load as often and sits idle as long in between.
    Array.from({ length: processes }, (_, p) =>
      placesInSet(others, set).flatMap(({ config, key }, i) => [
        { name: `${names[0]}0.${p}.${i}`, config: `${names[0]}0`, ...CONFIGURATIONS[names[0]] },
        { name: `${key}.${p}`, config: key, ...CONFIGURATIONS[config] },
      ]),
    ).flat(),
  );
  let result;
  try {
    result = await swaps.measure(path, Number(seconds), swapMs);
  } finally {
    await swaps.stop();
  }
  const { baseline } = result;
  for (const measured of result.configurations) {
    if (!pairs.has(measured.config)) pairs.set(measured.config, []);
    pairs.get(measured.config).push(measured.pairs);
    console.log(
      `set ${set + 1}: ${measured.config} against ${baseline.config} on ${path}, swapped every ${swapMs} ms: ` +
        `${baseline.requestsPerSecond.toFixed(0)} → ${measured.requestsPerSecond.toFixed(0)} requests/s; ` +
        `median of ${measured.ratios} adjacent-phase ratios: throughput cost ${percent(measured.throughputCost)} ` +
        `(middle half ${percent(measured.middleHalf[0])} to ${percent(measured.middleHalf[1])}), ` +
        `CPU per request ${percent(measured.cpuCost)} (the main thread's ${percent(measured.mainThreadCpuCost)}); ` +
        `per process ${measured.servers.map((x) => percent(x.throughputCost)).join(', ')}; ` +
        `per baseline process ${measured.baselineServers.map((x) => percent(x.throughputCost)).join(', ')}`,
    );
    if (flags.includes('--record'))
      appendRecord('observability-toggle.jsonl', {
        measure: 'swaps',
        path,
        swapMs,
        seconds: Number(seconds),
        processes,
        baseline,
        ...measured,
      });
  }
}
const costOf = (ratios) => 1 - median(ratios.map((pair) => pair.ratio));
for (const [name, perSet] of pairs) {
  const costs = perSet.map(costOf);
  const interval = bootstrapInterval(processResampler(perSet));
  console.log(
    `${name}: median over ${perSet.length} sets ${percent(median(costs))} (${costs.map(percent).join(', ')}); ` +
      `all sets' ratios ${percent(costOf(perSet.flat()))}, 95 % interval (processes drawn) ` +
      `${percent(interval[0])} to ${percent(interval[1])}`,
  );
}
