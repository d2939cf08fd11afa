// node bench/observability-toggle.mjs [part] [pairs] [seconds] [path] — not part of `npm run bench`.
// One ON server (metrics and request logging on; dist must be built) with bench/lib/observer-toggle.cjs
// preloaded: rounds alternate the part on and off (ON OFF, OFF ON, …), and each pair of adjacent
// rounds gives a ratio of CPU per request (from /proc), so the host's slow moments and the
// process's own speed cancel within a pair. Prints the median ratio: what the part costs a request.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './lib/results.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [part = 'all', pairs = '15', seconds = '2', path = '/health/live'] = process.argv.slice(2);

/** User plus system CPU time of a process, in clock ticks (1/100 s). */
function cpuTicks(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

const wrk = (url, secs) =>
  Number(
    /(\d+) requests in/.exec(execFileSync('wrk', ['-t1', '-c16', `-d${secs}s`, url]).toString())[1],
  );

const port = 39_000 + Math.floor(Math.random() * 1000);
const dataDir = mkdtempSync(join(tmpdir(), 'cryoprotect-toggle-'));
const child = spawn(
  process.execPath,
  [
    '--require',
    join(root, 'bench', 'lib', 'observer-toggle.cjs'),
    join(root, 'dist', 'src', 'main.js'),
  ],
  {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'development',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      RATE_LIMIT: '100000000',
      AUTH_JWT_SECRET: 'bench-only-jwt-secret-0123456789abcdef0123456789',
      ADMIN_EMAIL: 'bench-admin@example.org',
      ADMIN_PASSWORD: 'bench-password-0123456789',
      METRICS_ENABLED: 'true',
      LOG_REQUESTS: 'true',
      OBSERVER_TOGGLE_DIST: join(root, 'dist'),
      OBSERVER_TOGGLE_PART: part,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  },
);
try {
  const url = `http://127.0.0.1:${port}${path}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
    try {
      if ((await globalThis.fetch(`http://127.0.0.1:${port}/health/live`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  wrk(url, 4);
  let on = true;
  const cpu = { on: [], off: [] };
  const ratios = [];
  for (let round = 0; round < 2 * Number(pairs); round++) {
    const wantOn = (Math.floor(round / 2) % 2 === 0) === (round % 2 === 0);
    if (wantOn !== on) {
      child.kill('SIGUSR2');
      on = wantOn;
    }
    wrk(url, 1);
    const before = cpuTicks(child.pid);
    const requests = wrk(url, seconds);
    cpu[on ? 'on' : 'off'].push(((cpuTicks(child.pid) - before) * 1e4) / requests);
    if (round % 2 === 1) ratios.push(cpu.on.at(-1) / cpu.off.at(-1));
  }
  const cost = median(ratios) - 1;
  console.log(
    `${part} on ${path}: CPU per request ${median(cpu.off).toFixed(1)} µs off, ${median(cpu.on).toFixed(1)} µs on; ` +
      `median of ${ratios.length} paired ratios ${(100 * cost).toFixed(1)} % (pairs: ${ratios.map((r) => r.toFixed(2)).join(' ')})`,
  );
} finally {
  child.kill();
  rmSync(dataDir, { recursive: true, force: true });
}
