// What authentication costs per request, measured as issue #3 asks: the same small resource on the
// same server, served by one handler on two routes that differ only in their access declaration —
// `@Public()` without credentials, `@Authenticated()` with a bearer access token or an X-API-Key.
// Both routes pass the same Fastify hooks, rate limiter, guards, filter and serialiser, so the
// difference is the credential check alone (passport, JWT verification or key hash, caller lookup).
// Two servers, each in its own child process (autocannon must not share their event loop, and
// passport keeps strategies process-wide):
// - default: the configuration as shipped (verified tokens and callers cached in memory);
// - cache-off: AUTH_CALLER_CACHE_TTL_SECONDS=0, what a database lookup per request would cost.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, writeResults } from './lib/results.mjs';
import { signInResearcher } from './lib/sign-in.mjs';

const ROUNDS = Number(process.env.BENCH_AUTH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_AUTH_SECONDS ?? 3);
const CONNECTIONS = 10;
const TARGET_COST = 0.1;
const PROBE = '/api/v1/bench-probe';

/** A bench-only module: one small resource behind a public and an authenticated route. */
async function probeModule(dist) {
  const { Controller, Get, Module } = await import('@nestjs/common');
  const { Authenticated, Public } = await import(new URL('auth/access.decorators.js', dist));
  const resource = {
    id: '7446df91-c25b-4e40-95ea-3770a05ba5d8',
    name: 'Glycerol',
    smiles: 'OCC(O)CO',
    inchikey: 'PEDCQBHIVMGVHV-UHFFFAOYSA-N',
    formula: 'C3H8O3',
    molecularWeight: 92.094,
    score: 97.93,
  };
  class AuthProbeController {
    getPublicResource() {
      return resource;
    }
    getAuthenticatedResource() {
      return resource;
    }
  }
  const decorate = (method, ...decorators) => {
    const descriptor = Object.getOwnPropertyDescriptor(AuthProbeController.prototype, method);
    for (const decorator of decorators)
      decorator(AuthProbeController.prototype, method, descriptor);
  };
  decorate('getPublicResource', Get('public'), Public());
  decorate('getAuthenticatedResource', Get('authenticated'), Authenticated());
  Controller(PROBE.slice(1))(AuthProbeController);
  class AuthProbeModule {}
  Module({ controllers: [AuthProbeController] })(AuthProbeModule);
  return AuthProbeModule;
}

async function serve(mode) {
  const dist = new URL('../dist/src/', import.meta.url);
  const callerCacheTtlSeconds = mode === 'cache-off' ? 0 : 10;
  const { createApp } = await import(new URL('app.factory.js', dist));
  const { loadConfig } = await import(new URL('config/config.loader.js', dist));
  const { ApiKeyService } = await import(new URL('auth/api-key.service.js', dist));
  const dataDir = mkdtempSync(join(tmpdir(), 'cryoprotect-bench-auth-'));
  const config = loadConfig({
    env: {},
    overrides: {
      env: 'production',
      dataDir,
      // The rate limiter runs on both routes as shipped; the limit is high enough never to answer 429.
      server: { host: '127.0.0.1', port: 0, rateLimit: { limit: 100_000_000 } },
      log: { level: 'error', requests: false },
      auth: { jwtSecret: randomBytes(32).toString('hex'), callerCacheTtlSeconds },
      molecule: { seedOnFirstStart: false },
    },
  });
  const app = await createApp(config, { imports: [await probeModule(dist)] });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${app.getHttpServer().address().port}`;
  const { user, accessToken } = await signInResearcher(app, url);
  const caller = {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    role: user.role,
    via: 'password',
  };
  const { key } = await app.get(ApiKeyService).createKey(caller, { name: 'bench' });
  process.send({ url, accessToken, apiKey: key });
  process.on('message', async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
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

const MODES = ['default', 'cache-off'];

async function compare(autocannon, servers) {
  const scenarios = servers.flatMap((server) => [
    {
      mode: server.mode,
      kind: 'baseline',
      name: `[${server.mode}] GET ${PROBE}/public, no credentials`,
      url: `${server.url}${PROBE}/public`,
      headers: {},
    },
    {
      mode: server.mode,
      kind: 'bearer',
      name: `[${server.mode}] GET ${PROBE}/authenticated, bearer token`,
      url: `${server.url}${PROBE}/authenticated`,
      headers: { authorization: `Bearer ${server.accessToken}` },
    },
    {
      mode: server.mode,
      kind: 'apiKey',
      name: `[${server.mode}] GET ${PROBE}/authenticated, X-API-Key`,
      url: `${server.url}${PROBE}/authenticated`,
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
  // Paired by round: the scenarios of one round ran back to back, so drift between rounds cancels.
  const samplesOf = (mode, kind) =>
    samples[scenarios.findIndex((scenario) => scenario.mode === mode && scenario.kind === kind)];
  const pairedCost = (mode, kind) => {
    const baseline = samplesOf(mode, 'baseline');
    return 1 - median(samplesOf(mode, kind).map((value, round) => value / baseline[round]));
  };
  const costs = Object.fromEntries(
    MODES.map((mode) => [
      mode,
      { bearer: pairedCost(mode, 'bearer'), apiKey: pairedCost(mode, 'apiKey') },
    ]),
  );
  const pass = costs.default.bearer <= TARGET_COST && costs.default.apiKey <= TARGET_COST;
  const pct = (value) => `${(value * 100).toFixed(1)} %`;
  const markdown = [
    '# Authentication cost per request',
    '',
    `autocannon, ${CONNECTIONS} connections, ${SECONDS} s per sample, ${ROUNDS} alternating rounds, medians; each server on 127.0.0.1 in its own child process (embedded PGlite).`,
    'One small resource (~200 bytes of JSON) served by the same handler on two routes of the same server that differ only in their access declaration: `@Public()` without credentials (the baseline) and `@Authenticated()` with a credential. Both pay the same hooks, rate limiter, guards, filter and serialisation. Cost = 1 − the median over rounds of authenticated / public throughput (paired within a round, so drift between rounds cancels).',
    '',
    '| scenario | median req/s |',
    '|---|---|',
    ...rows.map((row) => `| ${row.scenario} | ${row.medianRequestsPerSecond} |`),
    '',
    '| credential | cost, as shipped | cost with the caller cache off (a database lookup per request) |',
    '|---|---|---|',
    `| bearer access token | ${pct(costs.default.bearer)} | ${pct(costs['cache-off'].bearer)} |`,
    `| X-API-Key | ${pct(costs.default.apiKey)} | ${pct(costs['cache-off'].apiKey)} |`,
    '',
    `Target: authentication costs ≤ ${pct(TARGET_COST)} of throughput (as shipped) — **${pass ? 'met' : 'missed'}**.`,
  ].join('\n');
  writeResults(
    'auth',
    {
      rounds: ROUNDS,
      secondsPerSample: SECONDS,
      connections: CONNECTIONS,
      rows,
      samples: Object.fromEntries(
        scenarios.map((scenario, index) => [scenario.name, samples[index]]),
      ),
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
