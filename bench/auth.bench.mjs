// What authentication costs per request: GET /api/v1/auth/me with a bearer access token and with an
// API key, against the public GET /health/live without credentials, on the same server in the same
// run. Both pass the same hooks, guards and filters; the differences are the credential check
// (passport, JWT verify or key hash, caller lookup), the policy guard, a larger body (~200 bytes vs
// ~30) and the rate limiter, which /health/live skips. Three servers, each in its own child process
// (autocannon must not share their event loop, and passport keeps strategies process-wide):
// - default: the configuration as shipped;
// - no-rate-limit: the auth routes also skip the rate limiter, which isolates authentication;
// - cache-off: AUTH_CALLER_CACHE_TTL_SECONDS=0, what a database lookup per request would cost.
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

async function serve(mode) {
  const dist = new URL('../dist/src/', import.meta.url);
  const callerCacheTtlSeconds = mode === 'cache-off' ? 0 : 10;
  if (mode === 'no-rate-limit') {
    // Bench only: separates the rate limiter's cost from authentication's by exempting the auth
    // routes from it, as /health/live already is.
    const { SkipThrottle } = await import('@nestjs/throttler');
    const { AuthController } = await import(new URL('auth/auth.controller.js', dist));
    SkipThrottle()(AuthController);
  }
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
        // A 1 s window keeps the throttler's per-address hit list as short as it is in production
        // (it scans the list on every request); the limit is high enough never to answer 429.
        server: { host: '127.0.0.1', port: 0, rateLimit: { limit: 1_000_000, windowSeconds: 1 } },
        log: { level: 'error', requests: false },
        auth: { jwtSecret: randomBytes(32).toString('hex'), callerCacheTtlSeconds },
        molecule: { seedOnFirstStart: false },
      },
    });
    const app = await createApp(config);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${app.getHttpServer().address().port}`;
    const password = randomBytes(16).toString('hex');
    const user = await app
      .get(UserService)
      .createUser({ email: 'bench@example.org', role: 'researcher', password });
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bench@example.org', password }),
    });
    const { accessToken } = await login.json();
    const caller = {
      id: user.id,
      email: user.email,
      displayName: user.displayName,
      role: user.role,
      via: 'password',
    };
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

function startServer(mode) {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', mode], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (server) => resolve({ ...server, stop: () => child.send('stop') }));
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
  });
}

async function measure(autocannon, url, headers) {
  const result = await autocannon({ url, headers, connections: CONNECTIONS, duration: SECONDS });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.average;
}

async function main() {
  const { default: autocannon } = await import('autocannon');
  const servers = [];
  try {
    for (const mode of MODES) servers.push({ mode, ...(await startServer(mode)) });
    await compare(autocannon, servers);
  } finally {
    for (const server of servers) server.stop();
  }
}

const MODES = ['default', 'no-rate-limit', 'cache-off'];

async function compare(autocannon, servers) {
  const scenarios = servers.flatMap((server) => [
    {
      mode: server.mode,
      kind: 'baseline',
      name: `[${server.mode}] public GET /health/live`,
      url: `${server.url}/health/live`,
      headers: {},
    },
    {
      mode: server.mode,
      kind: 'bearer',
      name: `[${server.mode}] GET /api/v1/auth/me, bearer token`,
      url: `${server.url}/api/v1/auth/me`,
      headers: { authorization: `Bearer ${server.accessToken}` },
    },
    {
      mode: server.mode,
      kind: 'apiKey',
      name: `[${server.mode}] GET /api/v1/auth/me, X-API-Key`,
      url: `${server.url}/api/v1/auth/me`,
      headers: { 'x-api-key': server.apiKey },
    },
  ]);
  for (const scenario of scenarios) {
    const probe = await fetch(scenario.url, { headers: scenario.headers });
    if (probe.status !== 200)
      throw new Error(`${scenario.name}: ${probe.status} ${await probe.text()}`);
    await measure(autocannon, scenario.url, scenario.headers); // warm-up
  }
  const samples = scenarios.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order so drift (thermal, GC, PGlite growth) does not favour one scenario.
    const order = scenarios.map((_, index) => index);
    if (round % 2 === 1) order.reverse();
    for (const index of order)
      samples[index].push(
        await measure(autocannon, scenarios[index].url, scenarios[index].headers),
      );
    console.log(
      `round ${round + 1}/${ROUNDS}: ${samples.map((list) => Math.round(list.at(-1))).join(' / ')} req/s`,
    );
  }
  const medians = samples.map(median);
  const rows = scenarios.map((scenario, index) => ({
    scenario: scenario.name,
    medianRequestsPerSecond: Math.round(medians[index]),
  }));
  const rps = (mode, kind) =>
    medians[scenarios.findIndex((scenario) => scenario.mode === mode && scenario.kind === kind)];
  const costs = Object.fromEntries(
    MODES.map((mode) => [
      mode,
      {
        bearer: 1 - rps(mode, 'bearer') / rps(mode, 'baseline'),
        apiKey: 1 - rps(mode, 'apiKey') / rps(mode, 'baseline'),
      },
    ]),
  );
  // Authentication alone: the server whose auth routes skip the rate limiter, like the baseline does.
  const pass =
    costs['no-rate-limit'].bearer <= TARGET_COST && costs['no-rate-limit'].apiKey <= TARGET_COST;
  const pct = (value) => `${(value * 100).toFixed(1)} %`;
  const markdown = [
    '# Authentication cost per request',
    '',
    `autocannon, ${CONNECTIONS} connections, ${SECONDS} s per sample, ${ROUNDS} alternating rounds, medians; each server on 127.0.0.1 in its own child process (embedded PGlite).`,
    'Baseline: the public `/health/live` (same hooks and guards; no credentials; it skips the rate limiter that `/auth/me` pays; smaller body), so the cost is an upper bound for authentication alone. Cost = 1 − authenticated / baseline throughput.',
    '',
    '| scenario | median req/s |',
    '|---|---|',
    ...rows.map((row) => `| ${row.scenario} | ${row.medianRequestsPerSecond} |`),
    '',
    '| credential | authentication alone (auth routes exempt from the rate limiter, like the baseline) | default server (auth + rate limiter) | cache off (DB lookup per request, + rate limiter) |',
    '|---|---|---|---|',
    `| bearer access token | ${pct(costs['no-rate-limit'].bearer)} | ${pct(costs.default.bearer)} | ${pct(costs['cache-off'].bearer)} |`,
    `| X-API-Key | ${pct(costs['no-rate-limit'].apiKey)} | ${pct(costs.default.apiKey)} | ${pct(costs['cache-off'].apiKey)} |`,
    '',
    `Target: authentication costs ≤ ${pct(TARGET_COST)} of throughput — **${pass ? 'met' : 'missed'}**. The difference between the first two columns is @nestjs/throttler's in-memory limiter, which scans its per-address hit list on every request.`,
  ].join('\n');
  writeResults(
    'auth',
    {
      rounds: ROUNDS,
      secondsPerSample: SECONDS,
      connections: CONNECTIONS,
      rows,
      costs,
      targetCost: TARGET_COST,
      pass,
    },
    markdown,
  );
  console.log(markdown);
}

if (process.argv[2] === '--serve') await serve(process.argv[3]);
else await main();
