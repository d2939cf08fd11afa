// Framework overhead: a trivial NestJS route on the real FastifyAdapter against a bare Fastify
// server answering the same JSON, measured in the same run, alternating, median of ROUNDS. A second
// row measures the real service's GET /health/live through createApp (default config, embedded
// PGlite in a temporary DATA_DIR), which adds the service's hooks, guards, helmet and throttler.
// Each server runs in its own child process so autocannon (in this process) does not share its
// event loop; on 2 cores load generator and server still compete, equally for every row.
import 'reflect-metadata';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { median, writeResults } from './lib/results.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const CONNECTIONS = 32;
// The service starts background work (chemistry engine, search index) right after boot; a few seconds
// of warm-up keep that out of the measured run.
const WARMUP_S = 3;
const TARGET = 0.8;

/** Child process: start one server on 127.0.0.1, a free port, and report the port to the parent. */
async function serve(kind) {
  const body = { status: 'ok' };
  let port;
  if (kind === 'bare') {
    const { default: Fastify } = await import('fastify');
    const app = Fastify({ logger: false });
    app.get('/ping', async () => body);
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = app.server.address().port;
  } else if (kind === 'nest') {
    const { Controller, Get, Module } = await import('@nestjs/common');
    const { NestFactory } = await import('@nestjs/core');
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    // Plain JS has no decorator syntax: apply Nest's decorators by hand.
    class PingController {
      ping() {
        return body;
      }
    }
    Get('ping')(
      PingController.prototype,
      'ping',
      Object.getOwnPropertyDescriptor(PingController.prototype, 'ping'),
    );
    Controller()(PingController);
    class BenchModule {}
    Module({ controllers: [PingController] })(BenchModule);
    const app = await NestFactory.create(BenchModule, new FastifyAdapter({ logger: false }), {
      logger: false,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = app.getHttpServer().address().port;
  } else {
    const dist = new URL('../dist/src/', import.meta.url);
    const { createApp } = await import(new URL('app.factory.js', dist));
    const { loadConfig } = await import(new URL('config/config.loader.js', dist));
    const dataDir = mkdtempSync(join(tmpdir(), 'cryoprotect-bench-'));
    process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
    // Default configuration, except a throwaway data dir, no first-start seed and warn-level logs
    // (info logs a line per request to stdout, which would measure the terminal).
    const config = loadConfig({
      env: {},
      overrides: { dataDir, log: { level: 'warn' }, molecule: { seedOnFirstStart: false } },
    });
    const app = await createApp(config);
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = app.getHttpServer().address().port;
  }
  process.send({ port });
}

function startServer(kind) {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', kind], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', ({ port }) => resolve({ child, port }));
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
}

async function measure(url) {
  // A short warm-up lets the JIT settle before the measured run.
  await autocannon({ url, connections: CONNECTIONS, duration: WARMUP_S });
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  }
  return { reqPerSec: result.requests.average, p99Ms: result.latency.p99 };
}

async function main() {
  const rows = { bare: [], nest: [], service: [] };
  const paths = { bare: '/ping', nest: '/ping', service: '/health/live' };
  for (let round = 1; round <= ROUNDS; round++) {
    // Alternate the order so drift (thermal, other load) does not favour one side.
    const order = round % 2 ? ['bare', 'nest', 'service'] : ['service', 'nest', 'bare'];
    for (const kind of order) {
      const { child, port } = await startServer(kind);
      try {
        const sample = await measure(`http://127.0.0.1:${port}${paths[kind]}`);
        rows[kind].push(sample);
        console.log(
          `round ${round} ${kind.padEnd(7)} ${sample.reqPerSec.toFixed(0)} req/s p99 ${sample.p99Ms} ms`,
        );
      } finally {
        child.removeAllListeners('exit');
        child.kill('SIGKILL');
      }
    }
  }
  const summary = Object.fromEntries(
    Object.entries(rows).map(([kind, samples]) => [
      kind,
      {
        medianReqPerSec: Math.round(median(samples.map((s) => s.reqPerSec))),
        medianP99Ms: median(samples.map((s) => s.p99Ms)),
        samples,
      },
    ]),
  );
  // Rounds are paired: each round measures every server back to back, so the median of per-round
  // ratios cancels slow drift (other work on the machine) better than a ratio of medians.
  const pairedRatio = (kind) =>
    median(rows[kind].map((sample, i) => sample.reqPerSec / rows.bare[i].reqPerSec));
  const nestRatio = pairedRatio('nest');
  const serviceRatio = pairedRatio('service');
  const markdown = [
    '# Foundation: NestJS on Fastify vs bare Fastify',
    '',
    `autocannon, ${CONNECTIONS} connections, ${DURATION_S} s per run after a ${WARMUP_S} s warm-up, median of ${ROUNDS} alternating rounds; each server in its own process on 127.0.0.1.`,
    '',
    '| server | route | median req/s | median p99 (ms) | median per-round ratio to bare Fastify |',
    '| --- | --- | ---: | ---: | ---: |',
    `| bare Fastify | GET /ping | ${summary.bare.medianReqPerSec} | ${summary.bare.medianP99Ms} | 1.00 |`,
    `| NestJS + FastifyAdapter, minimal module | GET /ping | ${summary.nest.medianReqPerSec} | ${summary.nest.medianP99Ms} | ${nestRatio.toFixed(2)} |`,
    `| CryoProtect service (createApp, default config) | GET /health/live | ${summary.service.medianReqPerSec} | ${summary.service.medianP99Ms} | ${serviceRatio.toFixed(2)} |`,
    '',
    `Target: NestJS ≥ ${TARGET.toFixed(2)}× bare Fastify — ${nestRatio >= TARGET ? 'met' : 'NOT met'} (${nestRatio.toFixed(2)}×).`,
  ].join('\n');
  writeResults(
    'foundation',
    {
      connections: CONNECTIONS,
      durationSeconds: DURATION_S,
      rounds: ROUNDS,
      target: TARGET,
      nestRatio,
      serviceRatio,
      summary,
    },
    markdown,
  );
  console.log(`\n${markdown}`);
}

const serveIndex = process.argv.indexOf('--serve');
if (serveIndex >= 0) {
  await serve(process.argv[serveIndex + 1]);
} else {
  await main();
}
