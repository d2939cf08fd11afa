// node bench/observability-toggle.mjs [part] [pairs] [seconds] [path] [--flip-ms=N] [--file]
// [--record] [--preload=file] [--env=NAME=value] — not part of `npm run bench`. One ON server
// (metrics and request logging on; dist must be built) with bench/lib/observer-toggle.cjs preloaded,
// so that a part of observability can be skipped while the process keeps its JIT state, heap and
// core (parts: see the preload).
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
import { toolArgs } from './lib/args.mjs';
import { loadPath, startFlippingService, TOGGLE_PRELOAD } from './lib/flips.mjs';
import { appendRecord, median } from './lib/results.mjs';
import { startService } from './lib/service.mjs';
const { flags, flag, positional } = toolArgs();
const flipMs = Number(/^\d+$/.exec(flag('flip-ms', ''))?.[0] ?? 0);
// --preload=file: a module preloaded before the toggle's (a change tried without a build, which the
// toggle then switches like the code it replaces).
const extraPreloads = flags.filter((f) => f.startsWith('--preload=')).map((f) => f.slice(10));
// --env=NAME=value: added to the server's environment (LOG_REQUEST_WORKER=true…).
const extraEnv = Object.fromEntries(
  flags.filter((f) => f.startsWith('--env=')).map((f) => f.slice(6).split(/=(.*)/s, 2)),
);
const [
  part = 'all',
  pairs = flipMs ? '3' : '15',
  seconds = flipMs ? '20' : '2',
  path = '/health/live',
] = positional;
const percent = (ratio) => `${(100 * ratio).toFixed(1)} %`;
const file = flags.includes('--file');
if (flipMs) await flips();
else await rounds();

async function rounds() {
  // --file: the log file too (LOG_DIR), as docker-compose runs the service.
  const service = await startService('toggle', true, file, undefined, {
    nodeArgs: [...extraPreloads.flatMap((f) => ['--require', f]), '--require', TOGGLE_PRELOAD],
    env: { ...extraEnv, OBSERVER_TOGGLE_PART: part },
  });
  try {
    await roundsOn(service);
  } finally {
    await service.stop();
  }
}

async function roundsOn(service) {
  const load = (secs) => loadPath(service, path, secs);
  await load(4);
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
  const flipping = await startFlippingService({
    part,
    flipMs,
    file,
    preloads: extraPreloads,
    env: extraEnv,
  });
  let result;
  try {
    result = await flipping.measure(path, Number(pairs), Number(seconds));
  } finally {
    await flipping.stop();
  }
  if (flags.includes('--record'))
    appendRecord('observability-toggle.jsonl', {
      part,
      path,
      file,
      flipMs,
      runs: Number(pairs),
      seconds: Number(seconds),
      ...result,
    });
  const { requestsPerSecond, ratios, throughputCost, middleHalf, interval } = result;
  console.log(
    `${part} on ${path}${file ? ' (with the log file)' : ''}, flipped every ${flipMs} ms: ${requestsPerSecond.off.toFixed(0)} requests/s off, ` +
      `${requestsPerSecond.on.toFixed(0)} on; median of ${ratios} adjacent-phase ratios: ` +
      `throughput cost ${percent(throughputCost)} (95 % interval ${percent(interval[0])} to ${percent(interval[1])}; ` +
      `middle half of the ratios ${percent(middleHalf[0])} to ${percent(middleHalf[1])}), ` +
      `CPU per request ${percent(result.cpuCost)} (the main thread's ${percent(result.mainThreadCpuCost)})`,
  );
}
