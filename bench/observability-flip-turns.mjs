// node bench/observability-flip-turns.mjs [sets] [seconds] [path] [--servers=N] [--swap-ms=N]
// [--config=on|file] — not part of `npm run bench`. Flips with idle turns (bench/lib/swaps.mjs,
// measureFlipTurns): `servers` (4) new ON servers per set take the load in turn every `swap-ms`
// (250) for `seconds` (30), and each is flipped (request hooks on, then held off) each time it
// loses the load. Every ratio is of one server's own two phases, so processes' differences drop
// out; --servers=1 is the flips with the load never moving, --servers=N leaves each server idle
// (N − 1) × swap-ms between its phases, as the swaps do. BENCH_SEGMENTS=n: each nth of a phase also
// gets its own cost. dist must be built.
import { toolArgs } from './lib/args.mjs';
import { median } from './lib/results.mjs';
import { startSwapServers } from './lib/swaps.mjs';

const { flag, positional } = toolArgs();
const [sets = '3', seconds = '30', path = '/health/live'] = positional;
const count = Number(flag('servers', '4'));
const swapMs = Number(flag('swap-ms', '250'));
const file = flag('config', 'on') === 'file';
const segments = Number(process.env.BENCH_SEGMENTS || 1);
const percent = (ratio) => `${(100 * ratio).toFixed(1)} %`;
const costs = [];
for (let set = 0; set < Number(sets); set++) {
  const swaps = await startSwapServers(
    Array.from({ length: count }, (_, i) => ({ name: `on${i}`, observability: true, file })),
  );
  let result;
  try {
    result = await swaps.measureFlipTurns(path, Number(seconds), swapMs, segments);
  } finally {
    await swaps.stop();
  }
  costs.push(result.throughputCost);
  console.log(
    `set ${set + 1}: ${count} server(s) on ${path}, turns of ${swapMs} ms: ${result.requestsPerSecond.toFixed(0)} requests/s; ` +
      `median of ${result.ratios} ratios: throughput cost ${percent(result.throughputCost)} ` +
      `(middle half ${percent(result.middleHalf[0])} to ${percent(result.middleHalf[1])}), ` +
      `CPU per request ${percent(result.cpuCost)} (the main thread's ${percent(result.mainThreadCpuCost)})` +
      (result.segmentCosts.length > 1
        ? `; by segment ${result.segmentCosts.map(percent).join(', ')}`
        : ''),
  );
}
console.log(
  `median over ${costs.length} sets ${percent(median(costs))} (${costs.map(percent).join(', ')})`,
);
