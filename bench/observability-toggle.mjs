// node bench/observability-toggle.mjs [part] [pairs] [seconds] [path] — not part of `npm run bench`.
// One ON server (metrics and request logging on; dist must be built) with bench/lib/observer-toggle.cjs
// preloaded: rounds alternate the part on and off (ON OFF, OFF ON, …), and each pair of adjacent
// rounds gives a ratio of CPU per request (from /proc), so the host's slow moments and the
// process's own speed cancel within a pair. Prints the median ratio: what the part costs a request.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './lib/results.mjs';
import { startService } from './lib/service.mjs';
import { wrk } from './lib/wrk.mjs';

const preload = join(dirname(fileURLToPath(import.meta.url)), 'lib', 'observer-toggle.cjs');
const [part = 'all', pairs = '15', seconds = '2', path = '/health/live'] = process.argv.slice(2);

const service = await startService('toggle', true, false, undefined, {
  nodeArgs: ['--require', preload],
  env: { OBSERVER_TOGGLE_PART: part },
});
try {
  const url = service.url + path;
  const load = (secs) => wrk({ url, connections: 16, seconds: secs, pid: service.pid });
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
      `median of ${ratios.length} paired ratios ${(100 * cost).toFixed(1)} % (pairs: ${ratios.map((r) => r.toFixed(2)).join(' ')})`,
  );
} finally {
  await service.stop();
}
