// What authentication costs per request: GET /api/v1/auth/me with a bearer access token and with an
// API key, against GET /health/live without credentials, all on the same server in the same run.
// Both routes pass the same global hooks, throttler, guards and filters; /health/live is @Public, so
// the difference is the credential check (strategy, JWT verify or key hash, caller lookup) plus the
// policy guard and a slightly larger body (~200 bytes vs ~30). A second server with the caller cache
// off (AUTH_CALLER_CACHE_TTL_SECONDS=0) shows what a database lookup per request would cost.
// Each server runs in its own child process, so autocannon (the load generator) does not share its
// event loop, and because passport keeps strategies in a process-wide registry (one app per process).
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, writeResults } from './lib/results.mjs';

const ROUNDS = Number(process.env.BENCH_AUTH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_AUTH_SECONDS ?? 3);
const CONNECTIONS = 10;
const TARGET_COST = 0.1;

async function serve(callerCacheTtlSeconds) {
  const dist = new URL('../dist/src/', import.meta.url);
  const { createApp } = await import(new URL('app.factory.js', dist));
  const { loadConfig } = await import(new URL('config/config.loader.js', dist));
  const { UserService } = await import(new URL('auth/user.service.js', dist));
  const { ApiKeyService } = await import(new URL('auth/api-key.service.js', dist));
  const dirs = [];

  async function start() {
    const dataDir = mkdtempSync(join(tmpdir(), 'cryoprotect-bench-auth-'));
    dirs.push(dataDir);
    const config = loadConfig({
      env: {},
      overrides: {
        env: 'production',
        dataDir,
        server: { host: '127.0.0.1', port: 0, rateLimit: { limit: 10_000_000, windowSeconds: 60 } },
        log: { level: 'error', requests: false },
        auth: { jwtSecret: randomBytes(32).toString('hex'), callerCacheTtlSeconds },
        molecule: { seedOnFirstStart: false },
      },
    });
    const app = await createApp(config);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${app.getHttpServer().address().port}`;
    const password = randomBytes(16).toString('hex');
    const user = await app.get(UserService).createUser({ email: 'bench@example.org', role: 'researcher', password });
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bench@example.org', password }),
    });
    const { accessToken } = await login.json();
    const caller = { id: user.id, email: user.email, displayName: user.displayName, role: user.role, via: 'password' };
    const { key } = await app.get(ApiKeyService).createKey(caller, { name: 'bench' });
    return { app, url, accessToken, apiKey: key };
  }

  const server = await start();
  process.send({ url: server.url, accessToken: server.accessToken, apiKey: server.apiKey });
  process.on('message', async () => {
    await server.app.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
}

function startServer(callerCacheTtlSeconds) {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', String(callerCacheTtlSeconds)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (server) => resolve({ ...server, stop: () => child.send('stop') }));
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
  });
}

async function measure(autocannon, url, headers) {
  const result = await autocannon({ url, headers, connections: CONNECTIONS, duration: SECONDS });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.average;
}

async function main() {
  const { default: autocannon } = await import('autocannon');
  const cached = await startServer(10);
  const uncached = await startServer(0).catch((error) => {
    cached.stop();
    throw error;
  });
  try {
    await compare(autocannon, cached, uncached);
  } finally {
    cached.stop();
    uncached.stop();
  }
}

async function compare(autocannon, cached, uncached) {
  const scenarios = [
    { name: 'public GET /health/live (no credentials)', url: `${cached.url}/health/live`, headers: {} },
    { name: 'GET /api/v1/auth/me, bearer token', url: `${cached.url}/api/v1/auth/me`, headers: { authorization: `Bearer ${cached.accessToken}` } },
    { name: 'GET /api/v1/auth/me, X-API-Key', url: `${cached.url}/api/v1/auth/me`, headers: { 'x-api-key': cached.apiKey } },
    { name: 'public GET /health/live, cache-off server', url: `${uncached.url}/health/live`, headers: {} },
    { name: 'GET /api/v1/auth/me, bearer, cache off', url: `${uncached.url}/api/v1/auth/me`, headers: { authorization: `Bearer ${uncached.accessToken}` } },
    { name: 'GET /api/v1/auth/me, X-API-Key, cache off', url: `${uncached.url}/api/v1/auth/me`, headers: { 'x-api-key': uncached.apiKey } },
  ];
  for (const scenario of scenarios) {
    const probe = await fetch(scenario.url, { headers: scenario.headers });
    if (probe.status !== 200) throw new Error(`${scenario.name}: ${probe.status} ${await probe.text()}`);
    await measure(autocannon, scenario.url, scenario.headers); // warm-up
  }
  const samples = scenarios.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order so drift (thermal, GC, PGlite growth) does not favour one scenario.
    const order = scenarios.map((_, index) => index);
    if (round % 2 === 1) order.reverse();
    for (const index of order) samples[index].push(await measure(autocannon, scenarios[index].url, scenarios[index].headers));
    console.log(`round ${round + 1}/${ROUNDS}: ${samples.map((list) => Math.round(list.at(-1))).join(' / ')} req/s`);
  }
  const medians = samples.map(median);
  const cost = (authIndex, baseIndex) => 1 - medians[authIndex] / medians[baseIndex];
  const rows = scenarios.map((scenario, index) => ({ scenario: scenario.name, medianRequestsPerSecond: Math.round(medians[index]) }));
  const costs = {
    bearer: cost(1, 0),
    apiKey: cost(2, 0),
    bearerCacheOff: cost(4, 3),
    apiKeyCacheOff: cost(5, 3),
  };
  const pass = costs.bearer <= TARGET_COST && costs.apiKey <= TARGET_COST;
  const pct = (value) => `${(value * 100).toFixed(1)} %`;
  const markdown = [
    '# Authentication cost per request',
    '',
    `autocannon, ${CONNECTIONS} connections, ${SECONDS} s per sample, ${ROUNDS} alternating rounds, medians; each server on 127.0.0.1 in its own child process (embedded PGlite).`,
    'Baseline: the public `/health/live` (same hooks, throttler and guards; no credentials; smaller body). Cost = 1 − authenticated / baseline throughput.',
    '',
    '| scenario | median req/s |',
    '|---|---|',
    ...rows.map((row) => `| ${row.scenario} | ${row.medianRequestsPerSecond} |`),
    '',
    '| credential | cost (caller cache on, default) | cost (cache off: DB lookup per request) |',
    '|---|---|---|',
    `| bearer access token | ${pct(costs.bearer)} | ${pct(costs.bearerCacheOff)} |`,
    `| X-API-Key | ${pct(costs.apiKey)} | ${pct(costs.apiKeyCacheOff)} |`,
    '',
    `Target: ≤ ${pct(TARGET_COST)} with the default configuration — **${pass ? 'met' : 'missed'}**.`,
  ].join('\n');
  writeResults('auth', { rounds: ROUNDS, secondsPerSample: SECONDS, connections: CONNECTIONS, rows, costs, targetCost: TARGET_COST, pass }, markdown);
  console.log(markdown);
}

if (process.argv[2] === '--serve') await serve(Number(process.argv[3]));
else await main();
