// What authentication costs per request, measured as issue #3 asks: the same small resource on the
// same server, served by one handler on two routes that differ only in their access declaration —
// `@Public()` without credentials, `@Authenticated()` with a bearer access token or an X-API-Key.
// Both routes pass the same Fastify hooks, rate limiter, guards, filter and serialiser, so the
// difference is the credential check alone (passport, JWT verification or key hash, caller lookup).
// Load from wrk (one client thread), so the load generator does not take the server's core.
// Two servers, each in its own child process (passport keeps strategies process-wide):
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
import { wrk } from './lib/wrk.mjs';

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
  return { module: AuthProbeModule, controller: AuthProbeController };
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
  const probe = await probeModule(dist);
  const app = await createApp(config, { imports: [probe.module] });
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
  const guardMicros =
    mode === 'default'
      ? await timeGuards(app, dist, probe.controller, { accessToken, apiKey: key })
      : undefined;
  process.send({ url, accessToken, apiKey: key, guardMicros });
  process.on('message', async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
}

/**
 * The access and policy guards alone, in process, for each scenario: microseconds per request, the
 * best of 15 trials of 20,000 calls. Throughput on a shared 2-core machine swings by tens of percent
 * between rounds; the best-of time of the code that differs between the two routes does not.
 */
async function timeGuards(app, dist, controller, { accessToken, apiKey }) {
  const { Reflector } = await import('@nestjs/core');
  const { ExecutionContextHost } = await import('@nestjs/core/helpers/execution-context-host.js');
  const { AccessGuard } = await import(new URL('auth/access.guard.js', dist));
  const { BearerStrategy } = await import(new URL('auth/bearer.strategy.js', dist));
  const { ApiKeyStrategy } = await import(new URL('auth/api-key.strategy.js', dist));
  const { PoliciesGuard } = await import(new URL('rbac/policies.guard.js', dist));
  const { AbilityFactory } = await import(new URL('rbac/ability.factory.js', dist));
  const { RequestContext } = await import(new URL('common/request-context.js', dist));
  const reflector = app.get(Reflector);
  const lookup = { strict: false };
  const guards = [
    new AccessGuard(reflector, app.get(BearerStrategy, lookup), app.get(ApiKeyStrategy, lookup)),
    new PoliciesGuard(reflector, app.get(AbilityFactory, lookup)),
  ];
  const scenarios = {
    baseline: [controller.prototype.getPublicResource, {}],
    bearer: [
      controller.prototype.getAuthenticatedResource,
      { authorization: `Bearer ${accessToken}` },
    ],
    apiKey: [controller.prototype.getAuthenticatedResource, { 'x-api-key': apiKey }],
  };
  const trial = (handler, headers, calls) =>
    RequestContext.run({ requestId: 'bench' }, async () => {
      const started = process.hrtime.bigint();
      for (let i = 0; i < calls; i++) {
        const context = new ExecutionContextHost(
          [{ headers, raw: {} }, {}, () => {}],
          controller,
          handler,
        );
        context.setType('http');
        for (const guard of guards) {
          const result = guard.canActivate(context);
          if ((typeof result === 'boolean' ? result : await result) !== true)
            throw new Error('guard refused');
        }
      }
      return Number(process.hrtime.bigint() - started) / calls / 1000;
    });
  const best = {};
  for (const [handler, headers] of Object.values(scenarios)) await trial(handler, headers, 20_000);
  for (let round = 0; round < 15; round++)
    for (const [name, [handler, headers]] of Object.entries(scenarios))
      best[name] = Math.min(best[name] ?? Infinity, await trial(handler, headers, 20_000));
  return best;
}

function startServer(mode) {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', mode], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (server) =>
      resolve({ ...server, pid: child.pid, stop: () => child.send('stop') }),
    );
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
  });
}

function measure(url, headers, pid) {
  return wrk({ url, headers, connections: CONNECTIONS, seconds: SECONDS, pid });
}

async function main() {
  const servers = [];
  try {
    for (const mode of MODES) servers.push({ mode, ...(await startServer(mode)) });
    await compare(servers);
  } finally {
    for (const server of servers) server.stop();
  }
}

const MODES = ['default', 'cache-off'];

async function compare(servers) {
  const scenarios = servers.flatMap((server) => [
    {
      mode: server.mode,
      kind: 'baseline',
      name: `[${server.mode}] GET ${PROBE}/public, no credentials`,
      url: `${server.url}${PROBE}/public`,
      pid: server.pid,
      headers: {},
    },
    {
      mode: server.mode,
      kind: 'bearer',
      name: `[${server.mode}] GET ${PROBE}/authenticated, bearer token`,
      url: `${server.url}${PROBE}/authenticated`,
      pid: server.pid,
      headers: { authorization: `Bearer ${server.accessToken}` },
    },
    {
      mode: server.mode,
      kind: 'apiKey',
      name: `[${server.mode}] GET ${PROBE}/authenticated, X-API-Key`,
      url: `${server.url}${PROBE}/authenticated`,
      pid: server.pid,
      headers: { 'x-api-key': server.apiKey },
    },
  ]);
  for (const scenario of scenarios) {
    const probe = await fetch(scenario.url, { headers: scenario.headers });
    if (probe.status !== 200)
      throw new Error(`${scenario.name}: ${probe.status} ${await probe.text()}`);
    await measure(scenario.url, scenario.headers, scenario.pid); // warm-up
  }
  const samples = scenarios.map(() => []);
  const cpuSamples = scenarios.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order so drift (thermal, GC, PGlite growth) does not favour one scenario.
    const order = scenarios.map((_, index) => index);
    if (round % 2 === 1) order.reverse();
    for (const index of order) {
      const { url, headers, pid } = scenarios[index];
      const { rps, cpuMicrosPerRequest } = await measure(url, headers, pid);
      samples[index].push(rps);
      cpuSamples[index].push(cpuMicrosPerRequest);
    }
    console.log(
      `round ${round + 1}/${ROUNDS}: ${samples.map((list) => Math.round(list.at(-1))).join(' / ')} req/s; ${cpuSamples.map((list) => list.at(-1).toFixed(1)).join(' / ')} µs CPU per request`,
    );
  }
  const medians = samples.map(median);
  const cpuMedians = cpuSamples.map(median);
  const rows = scenarios.map((scenario, index) => ({
    scenario: scenario.name,
    medianRequestsPerSecond: Math.round(medians[index]),
    medianCpuMicrosPerRequest: Number(cpuMedians[index].toFixed(2)),
  }));
  // Paired by round: the scenarios of one round ran back to back, so drift between rounds cancels.
  const samplesOf = (mode, kind) =>
    samples[scenarios.findIndex((scenario) => scenario.mode === mode && scenario.kind === kind)];
  const pairedCost = (mode, kind) => {
    const baseline = samplesOf(mode, 'baseline');
    return 1 - median(samplesOf(mode, kind).map((value, round) => value / baseline[round]));
  };
  // The same from CPU time: the public route's CPU per request over the authenticated one's is the
  // throughput ratio of a server that has its core to itself.
  const cpuOf = (mode, kind) =>
    cpuSamples[scenarios.findIndex((scenario) => scenario.mode === mode && scenario.kind === kind)];
  const pairedCpuCost = (mode, kind) => {
    const baseline = cpuOf(mode, 'baseline');
    return 1 - median(cpuOf(mode, kind).map((value, round) => baseline[round] / value));
  };
  const costs = Object.fromEntries(
    MODES.map((mode) => [
      mode,
      { bearer: pairedCost(mode, 'bearer'), apiKey: pairedCost(mode, 'apiKey') },
    ]),
  );
  const cpuCosts = Object.fromEntries(
    MODES.map((mode) => [
      mode,
      { bearer: pairedCpuCost(mode, 'bearer'), apiKey: pairedCpuCost(mode, 'apiKey') },
    ]),
  );
  const pass = costs.default.bearer <= TARGET_COST && costs.default.apiKey <= TARGET_COST;
  const cpuPass = cpuCosts.default.bearer <= TARGET_COST && cpuCosts.default.apiKey <= TARGET_COST;
  const guards = servers.find((server) => server.mode === 'default').guardMicros;
  const baselineMicros = 1e6 / medians[0];
  const micros = (value) => `${value.toFixed(2)} µs`;
  const pct = (value) => `${(value * 100).toFixed(1)} %`;
  const markdown = [
    '# Authentication cost per request',
    '',
    `wrk (one thread), ${CONNECTIONS} connections, ${SECONDS} s per sample, ${ROUNDS} alternating rounds, medians; each server on 127.0.0.1 in its own child process (embedded PGlite).`,
    'One small resource (~200 bytes of JSON) served by the same handler on two routes of the same server that differ only in their access declaration: `@Public()` without credentials (the baseline) and `@Authenticated()` with a credential. Both pay the same hooks, rate limiter, guards, filter and serialisation. Cost = 1 − the median over rounds of authenticated / public throughput (paired within a round, so drift between rounds cancels).',
    '',
    '| scenario | median req/s | median server CPU per request |',
    '|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.scenario} | ${row.medianRequestsPerSecond} | ${micros(row.medianCpuMicrosPerRequest)} |`,
    ),
    '',
    "Cost measured two ways, each the median over rounds of a ratio paired within the round: by requests/s (1 − authenticated/public), and by the server's CPU time per request read from /proc (1 − public/authenticated: the throughput ratio of a server with a core to itself; it moves less than requests/s when other processes share the machine, though it still moves: cache and core sharing slow every instruction).",
    '',
    '| credential | cost by req/s, as shipped | cost by CPU per request, as shipped | by req/s, caller cache off (a database lookup per request) | by CPU, caller cache off |',
    '|---|---|---|---|---|',
    `| bearer access token | ${pct(costs.default.bearer)} | ${pct(cpuCosts.default.bearer)} | ${pct(costs['cache-off'].bearer)} | ${pct(cpuCosts['cache-off'].bearer)} |`,
    `| X-API-Key | ${pct(costs.default.apiKey)} | ${pct(cpuCosts.default.apiKey)} | ${pct(costs['cache-off'].apiKey)} | ${pct(cpuCosts['cache-off'].apiKey)} |`,
    '',
    `Target: authentication costs ≤ ${pct(TARGET_COST)} of throughput (as shipped) — by requests/s **${pass ? 'met' : 'missed'}**, by CPU per request **${cpuPass ? 'met' : 'missed'}**.`,
    '',
    'The guards alone (access + policy guard, in process, best of 15 trials of 20,000 calls; the code that differs between the two routes), against the time one public request takes at the median throughput above:',
    '',
    '| scenario | guards per request | added over the public route | share of a public request |',
    '|---|---|---|---|',
    ...['baseline', 'bearer', 'apiKey'].map(
      (name) =>
        `| ${name} | ${micros(guards[name])} | ${name === 'baseline' ? '—' : micros(guards[name] - guards.baseline)} | ${name === 'baseline' ? '—' : pct((guards[name] - guards.baseline) / baselineMicros)} |`,
    ),
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
      cpuMicrosPerRequestSamples: Object.fromEntries(
        scenarios.map((scenario, index) => [scenario.name, cpuSamples[index]]),
      ),
      costs,
      cpuCosts,
      guardMicros: guards,
      targetCost: TARGET_COST,
      pass,
      cpuPass,
    },
    markdown,
  );
  console.log(markdown);
}

if (process.argv[2] === '--serve') await serve(process.argv[3]);
else await main();
