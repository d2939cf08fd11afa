// Observability switched on and off inside one loaded server (bench/lib/observer-toggle.cjs with
// OBSERVER_TOGGLE_FLIP_MS): the server flips the named part every `flipMs` while wrk loads it without
// a pause, and each two adjacent phases (one on, one off, a fraction of a second apart, with the same
// JIT state, heap and core) give a ratio of requests/s. A slow moment of this VM lasts seconds, so it
// hits both phases of a pair alike and cancels in their ratio; the median over a few hundred pairs is
// the part's cost. Used by bench/observability.bench.mjs and bench/observability-toggle.mjs.
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { blockResampler, bootstrapInterval, median, ratioCosts } from './results.mjs';
import { startService } from './service.mjs';
import { wrk } from './wrk.mjs';

export const TOGGLE_PRELOAD = join(dirname(fileURLToPath(import.meta.url)), 'observer-toggle.cjs');

let logs = 0;

/** The headers a request to `path` needs: the bench admin's token for /api/. */
export function pathHeaders(service, path) {
  return path.startsWith('/api/') ? { authorization: `Bearer ${service.token}` } : {};
}

/** wrk on one of the service's paths for `seconds` (16 connections). */
export function loadPath(service, path, seconds) {
  return wrk({
    url: service.url + path,
    headers: pathHeaders(service, path),
    connections: 16,
    seconds,
    pid: service.pid,
  });
}

/**
 * Starts an ON server (metrics and request lines; `file`: the log file too) with the toggle preloaded
 * for `part`, flipped every `flipMs`. Resolves { service, measure(path, runs, seconds), stop() }.
 */
export async function startFlippingService({
  part = 'all',
  flipMs = 250,
  file = false,
  preloads = [],
  env = {},
}) {
  const phaseLog = join(tmpdir(), `cryoprotect-flips-${process.pid}-${++logs}.json`);
  const service = await startService('flips', true, file, undefined, {
    nodeArgs: [
      ...preloads.flatMap((preload) => ['--require', preload]),
      '--require',
      TOGGLE_PRELOAD,
    ],
    env: {
      ...env,
      OBSERVER_TOGGLE_PART: part,
      OBSERVER_TOGGLE_FLIP_MS: String(flipMs),
      OBSERVER_TOGGLE_LOG: phaseLog,
    },
  });
  const load = (path, seconds) => loadPath(service, path, seconds);
  return {
    service,
    /** `runs` loads of `seconds` on `path` after 4 s of warm-up: the phases' ratios, summarised. */
    async measure(path, runs, seconds) {
      await load(path, 4);
      const throughput = [];
      // Each run's ratios apart, in phase order: the interval's blocks stay within a run.
      const byRun = [];
      const cpu = [];
      const mainCpu = [];
      const rates = { on: [], off: [] };
      for (let run = 0; run < runs; run++) {
        // SIGUSR1 ends the list of phases: once before the run (the phases without load are
        // dropped), once after it (the run's phases are written to the log).
        process.kill(service.pid, 'SIGUSR1');
        await load(path, seconds);
        process.kill(service.pid, 'SIGUSR1');
        await new Promise((resolve) => setTimeout(resolve, 200));
        // The first and last phases were only partly under load.
        const phases = JSON.parse(readFileSync(phaseLog, 'utf8')).slice(1, -1);
        const before = throughput.length;
        for (const phase of phases)
          rates[phase.on ? 'on' : 'off'].push(phase.requests / phase.seconds);
        for (let i = 0; i + 1 < phases.length; i++) {
          const [a, b] = [phases[i], phases[i + 1]];
          if (a.on === b.on || a.requests === 0 || b.requests === 0) continue;
          const [on, off] = a.on ? [a, b] : [b, a];
          throughput.push(on.requests / on.seconds / (off.requests / off.seconds));
          cpu.push(on.cpuSeconds / on.requests / (off.cpuSeconds / off.requests));
          mainCpu.push(on.mainThreadSeconds / on.requests / (off.mainThreadSeconds / off.requests));
        }
        byRun.push(throughput.slice(before));
      }
      return {
        requestsPerSecond: { off: median(rates.off), on: median(rates.on) },
        ...ratioCosts({ throughput, cpu, main: mainCpu }),
        interval: bootstrapInterval(blockResampler(byRun)),
      };
    },
    async stop() {
      await service.stop();
      rmSync(phaseLog, { force: true });
    },
  };
}
