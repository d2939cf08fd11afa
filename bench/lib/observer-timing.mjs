// What ON adds to a request, timed in process on the service's own hook classes (see
// timeObservers). Each configuration is timed in fresh processes, in turns. Until stop 25 both were
// timed one after the other in the bench's own process, and each figure depended on the order
// (stdout 2.8 µs then the file 3.8 µs; the file first 2.2–2.6 µs, then stdout 1.3 µs; in fresh
// processes 2.2 µs each): stop 24's "4.9 µs with the file" was the order, not the file.
// `node bench/lib/observer-timing.mjs stdout|file` prints one timing; observability.bench.mjs calls
// timeObserversInTurns.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MARK = 'observer-timing:';

/**
 * What ON adds to a request, in process: the metrics' onRequest hook and the shared onSend hook
 * (series update + the request line through the real logger to stdout, written to /dev/null with
 * real write calls), on the service's own classes, for a request of each scenario's shape. The
 * request lines are formatted in batches on the request's thread (request-line.offload.ts), in the
 * timer or when a batch is full: both are timed. (Until stop 23 they were formatted on a worker
 * thread, and only the request's thread's share was timed: 1.0 µs in stop 22.)
 * Microseconds per request, the best of 15 trials of 20,000 requests: unlike throughput, the best
 * of many short trials is not moved by what else runs on the machine.
 */
async function timeObservers(withFile) {
  const dist = new URL('../../dist/src/', import.meta.url);
  const { Logger } = await import('@nestjs/common');
  const { loadConfig } = await import(new URL('config/config.loader.js', dist));
  const { createLogger } = await import(new URL('logging/logger.factory.js', dist));
  const { MetricsService } = await import(new URL('metrics/metrics.service.js', dist));
  const { HttpMetricsHook } = await import(new URL('metrics/http-metrics.hook.js', dist));
  const { RequestLoggingHook } = await import(new URL('logging/request-logging.hook.js', dist));
  const dataDir = mkdtempSync(join(tmpdir(), 'cryoprotect-bench-observers-'));
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir,
      log: { level: 'info', requests: true, ...(withFile ? { dir: 'logs' } : {}) },
      metrics: { enabled: true },
    },
  });
  const hooks = { onRequest: [], onSend: [] };
  const fastify = { addHook: (name, hook) => hooks[name].push(hook), decorateRequest: () => {} };
  const adapterHost = { httpAdapter: { getInstance: () => fastify } };
  const logger = createLogger(config);
  Logger.overrideLogger(logger);
  new HttpMetricsHook(new MetricsService(config), adapterHost).onModuleInit();
  const requestLogging = new RequestLoggingHook(config, adapterHost);
  requestLogging.onModuleInit();
  const devNull = openSync('/dev/null', 'w');
  const realWrite = process.stdout.write;
  process.stdout.write = (text) => writeSync(devNull, text) > 0;
  const done = () => {};
  const request = () => ({
    url: '/api/v1/auth/me',
    method: 'GET',
    id: randomUUID(),
    ip: '127.0.0.1',
    headers: { 'user-agent': 'wrk' },
    routeOptions: { url: '/api/v1/auth/me' },
    is404: false,
    user: { id: '4880d60f-fe13-4d73-bfd7-45b4306e9d92' },
    raw: {},
  });
  const reply = { statusCode: 200 };
  const trial = async (calls) => {
    const requests = Array.from({ length: calls }, request);
    const started = process.hrtime.bigint();
    for (const req of requests) {
      // The one onRequest hook (it notes the arrival) and the one onSend hook.
      for (const hook of hooks.onRequest) hook(req, reply, done);
      for (const hook of hooks.onSend) hook(req, reply, '{}', done);
    }
    // The lines' writes happen in a timer after the loop: wait for them, inside the timing.
    await new Promise((resolve) => setTimeout(resolve, 6));
    return Number(process.hrtime.bigint() - started) / calls / 1000;
  };
  try {
    await trial(20_000);
    let best = Infinity;
    for (let round = 0; round < 15; round++) best = Math.min(best, await trial(20_000));
    // The 6 ms wait for the last write, spread over the trial, is not the hooks' cost.
    return best - 6000 / 20_000;
  } finally {
    // The lines still batched are written before stdout is given back.
    requestLogging.onModuleDestroy();
    process.stdout.write = realWrite;
    closeSync(devNull);
    logger.close?.();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** One timing of `stdout` or `file` in a new process (this module run as a script). */
function timeInNewProcess(config) {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [fileURLToPath(import.meta.url), config],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => {
        const line = stdout?.split('\n').find((l) => l.startsWith(MARK));
        if (error || line === undefined) reject(error ?? new Error(`no timing from ${config}`));
        else resolve(Number(line.slice(MARK.length)));
      },
    ),
  );
}

/**
 * Microseconds ON adds per request, to stdout only and to stdout and the file: the best of `turns`
 * fresh processes of each, run in turns (stdout, file, stdout, …).
 */
export async function timeObserversInTurns(turns = 3) {
  const best = { stdout: Infinity, stdoutAndFile: Infinity };
  for (let turn = 0; turn < turns; turn++) {
    best.stdout = Math.min(best.stdout, await timeInNewProcess('stdout'));
    best.stdoutAndFile = Math.min(best.stdoutAndFile, await timeInNewProcess('file'));
  }
  return best;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const config = process.argv[2];
  if (config !== 'stdout' && config !== 'file')
    throw new Error('usage: observer-timing.mjs stdout|file');
  const micros = await timeObservers(config === 'file');
  process.stdout.write(`${MARK}${micros}\n`);
}
