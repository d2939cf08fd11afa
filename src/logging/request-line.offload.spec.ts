import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyRequest } from 'fastify';
import * as winston from 'winston';
import { loadConfig } from '../config/config.loader';
import { createWinston } from './logger.factory';
import { RequestLineFormatter } from './request-line.format';
import { MAX_BATCHES_IN_FLIGHT } from './request-line.offload';
import { RequestLineWriter } from './request-line.writer';
import { LineTransport } from './stdout.transport';

/**
 * The worker thread runs compiled JavaScript: these tests start the build's worker script (`npm
 * test` builds first), the same file the service starts from dist.
 */
const distLogging = join(__dirname, '..', '..', 'dist', 'src', 'logging');
const WORKER_SCRIPT = join(distLogging, 'request-line.worker.js');

beforeAll(() => {
  if (!existsSync(WORKER_SCRIPT))
    throw new Error(`${WORKER_SCRIPT} is missing: run npm run build (npm test builds first)`);
});

class Collector extends LineTransport {
  readonly lines: string[] = [];
  writeLine(line: string): void {
    this.lines.push(line);
  }
}

/** The service's logger formats, writing to collectors (the second at warn). */
function serviceLogger(): { logger: winston.Logger; info: Collector; warn: Collector } {
  const logger = createWinston(loadConfig({ env: {}, overrides: { log: { level: 'info' } } }));
  for (const transport of logger.transports) logger.remove(transport);
  const info = new Collector();
  const warn = new Collector({ level: 'warn' });
  logger.add(info);
  logger.add(warn);
  return { logger, info, warn };
}

interface Answered {
  url: string;
  status: number;
  id: string;
  route?: string;
  userAgent?: string;
  userId?: string;
  ip?: string;
  millis?: number;
}

const request = (answered: Answered) =>
  ({
    url: answered.url,
    method: 'GET',
    id: answered.id,
    ip: answered.ip ?? '10.1.2.3',
    headers: answered.userAgent === undefined ? {} : { 'user-agent': answered.userAgent },
    user: answered.userId === undefined ? undefined : { id: answered.userId },
  }) as unknown as FastifyRequest;

function write(writer: RequestLineWriter, requests: Answered[]): void {
  for (const answered of requests)
    expect(
      writer.write(
        request(answered),
        answered.route ?? 'unmatched',
        answered.status,
        answered.millis ?? 1.25,
      ),
    ).toBe(true);
}

/** Requests whose fields repeat, change, need escaping, masking or UTF-8, some at warn. */
function requests(count: number): Answered[] {
  const agents = ['curl/8.0', 'curl/8.0', 'agent "quoted" Bearer abc.def', 'ünï', undefined];
  return Array.from({ length: count }, (_, n) => ({
    url: n % 7 === 0 ? `/api/v1/molecules/${n}?token=eyJabc.def` : '/health/live',
    route: n % 7 === 0 ? '/api/v1/molecules/:id' : '/health/live',
    status: n % 11 === 0 ? 503 : n % 5 === 0 ? 404 : 200,
    id: `req-${n}`,
    userAgent: agents[n % agents.length],
    userId: n % 3 === 0 ? `user-${n % 2}` : undefined,
    ip: n % 13 === 0 ? '::1' : '10.1.2.3',
    millis: n / 7,
  }));
}

/** A line without its timestamp (the two writers stamp their own instants). */
const withoutTime = (line: string) => {
  const fields = JSON.parse(line) as Record<string, unknown>;
  delete fields['@timestamp'];
  return fields;
};

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('RequestLineOffload (lines formatted in batches, here or on a worker thread)', () => {
  it.each([
    ['the worker formats them', { worker: WORKER_SCRIPT }, true],
    ['they are batched on the request thread (the default)', {}, false],
  ] as const)(
    'should write the lines formatted one by one, in order and to the transports whose level takes them, when %s',
    async (_, options, threaded) => {
      const inline = serviceLogger();
      const batched = serviceLogger();
      const here = RequestLineWriter.forLogger(inline.logger, { batch: false })!;
      const writer = RequestLineWriter.forLogger(batched.logger, options)!;
      expect(here.offloaded).toBe(false);
      expect(writer.offloaded).toBe(threaded);
      const answered = requests(3000);
      write(here, answered);
      write(writer, answered);
      // Not formatted as each request is answered: the last batch waits for its 5 ms.
      expect(batched.info.lines.length).toBeLessThan(answered.length);
      // Delivered by the worker's messages or the batch's timer, not only by close().
      await until(() => batched.info.lines.length === answered.length);
      writer.close();
      expect(batched.info.lines.map(withoutTime)).toEqual(inline.info.lines.map(withoutTime));
      expect(batched.warn.lines.map(withoutTime)).toEqual(inline.warn.lines.map(withoutTime));
      expect(batched.warn.lines.length).toBe(answered.filter((a) => a.status >= 500).length);
      expect(batched.info.lines.map((line) => JSON.parse(line)['http.request.id'])).toEqual(
        answered.map((a) => a.id),
      );
      // Secrets are masked in batches as line by line.
      expect(batched.info.lines.join('\n')).not.toContain('eyJabc');
    },
  );

  describe('failures in the batch timer (an exception there would stop the service)', () => {
    let warnings: jest.SpyInstance;
    beforeEach(() => {
      warnings = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    });
    afterEach(() => warnings.mockRestore());

    /** The process warnings about log writes whose message names `text`. */
    const reported = (text: string) =>
      warnings.mock.calls.filter(
        ([message, options]) =>
          String(message).includes(text) &&
          (options as { code?: string } | undefined)?.code === 'CRYOPROTECT_LOG_WRITE',
      );

    it('should report a transport that fails, once a minute, and still give the lines to the other transports', async () => {
      const { logger, info, warn } = serviceLogger();
      const failure = Object.assign(new Error('log disk gone'), { code: 'ETESTDISKGONE' });
      const writeLine = info.writeLine.bind(info);
      info.writeLine = () => {
        throw failure;
      };
      const writer = RequestLineWriter.forLogger(logger)!;
      const answered = requests(200);
      const serverErrors = answered.filter((a) => a.status >= 500).length;
      write(writer, answered.slice(0, 100));
      await until(
        () => warn.lines.length === answered.slice(0, 100).filter((a) => a.status >= 500).length,
      );
      write(writer, answered.slice(100));
      await until(() => warn.lines.length === serverErrors);
      // Reported on stderr once for the two failed batches (same kind, within a minute).
      expect(reported('log disk gone')).toHaveLength(1);
      expect(info.lines).toEqual([]);
      // The transport works again: later lines reach it.
      info.writeLine = writeLine;
      write(writer, requests(3));
      writer.close();
      expect(info.lines).toHaveLength(3);
    });

    it('should report a batch that cannot be formatted and go on with the next', async () => {
      const { logger, info } = serviceLogger();
      const writer = RequestLineWriter.forLogger(logger)!;
      const encodeInto = jest
        .spyOn(RequestLineFormatter.prototype, 'encodeInto')
        .mockImplementationOnce(() => {
          throw new RangeError('formatter broke');
        });
      try {
        write(writer, requests(10));
        await until(() => reported('formatter broke').length === 1);
        write(writer, requests(4));
        await until(() => info.lines.length === 4);
        writer.close();
      } finally {
        encodeInto.mockRestore();
      }
    });
  });

  it('should format each line at once after the writer was closed', () => {
    const { logger, info } = serviceLogger();
    const writer = RequestLineWriter.forLogger(logger)!;
    write(writer, requests(2));
    writer.close();
    expect(info.lines).toHaveLength(2);
    write(writer, requests(3));
    expect(info.lines).toHaveLength(5);
  });

  it('should stamp each line with the time its request was answered when the worker formats it later', async () => {
    const { logger, info } = serviceLogger();
    const writer = RequestLineWriter.forLogger(logger, { worker: WORKER_SCRIPT })!;
    const before = Date.now();
    write(writer, requests(1));
    const after = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 50));
    writer.close();
    const stamped = Date.parse(JSON.parse(info.lines[0])['@timestamp'] as string);
    expect(stamped).toBeGreaterThanOrEqual(before);
    expect(stamped).toBeLessThanOrEqual(after);
  });

  it('should format on the request thread, losing and repeating no line, when the worker dies', async () => {
    const { logger, info } = serviceLogger();
    const writer = RequestLineWriter.forLogger(logger, { worker: WORKER_SCRIPT })!;
    const answered = requests(2000);
    write(writer, answered.slice(0, 1000));
    const worker = (writer as unknown as { offload: { worker: { terminate(): Promise<number> } } })
      .offload.worker;
    await worker.terminate();
    await until(() => !writer.offloaded);
    write(writer, answered.slice(1000));
    await until(() => info.lines.length === answered.length);
    writer.close();
    expect(info.lines.map((line) => JSON.parse(line)['http.request.id'])).toEqual(
      answered.map((a) => a.id),
    );
  });

  it('should hold a bounded number of batches, losing and repeating no line, when the worker falls behind', async () => {
    // A worker that takes 5 ms more per batch (the real worker code, each batch handed to it late):
    // the request thread waits for it rather than queue without bound.
    const dir = mkdtempSync(join(tmpdir(), 'cryoprotect-slow-worker-'));
    const script = join(dir, 'slow-worker.js');
    writeFileSync(
      script,
      `const threads = require('node:worker_threads');
       const real = threads.workerData.port;
       const sleeper = new Int32Array(new SharedArrayBuffer(4));
       threads.workerData.port = {
         on: (event, listener) =>
           real.on(event, (batch) => { Atomics.wait(sleeper, 0, 0, 5); listener(batch); }),
         postMessage: (message, transfer) => real.postMessage(message, transfer),
       };
       require(${JSON.stringify(WORKER_SCRIPT)});`,
    );
    try {
      const { logger, info } = serviceLogger();
      const writer = RequestLineWriter.forLogger(logger, { worker: script })!;
      const offload = (writer as unknown as { offload: { inFlight: unknown[]; post(): void } })
        .offload;
      const answered = requests(MAX_BATCHES_IN_FLIGHT * 3);
      let most = 0;
      // One line per batch, posted at once: far more batches than the worker may hold.
      for (const one of answered) {
        write(writer, [one]);
        offload.post();
        most = Math.max(most, offload.inFlight.length);
      }
      expect(writer.offloaded).toBe(true);
      expect(most).toBeLessThanOrEqual(MAX_BATCHES_IN_FLIGHT + 1);
      await until(() => info.lines.length === answered.length);
      writer.close();
      expect(info.lines.map((line) => JSON.parse(line)['http.request.id'])).toEqual(
        answered.map((a) => a.id),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('should batch on the request thread when the worker script is not there', async () => {
    const { logger, info } = serviceLogger();
    const writer = RequestLineWriter.forLogger(logger, {
      worker: join(distLogging, 'missing.js'),
    })!;
    expect(writer.offloaded).toBe(false);
    write(writer, requests(3));
    await until(() => info.lines.length === 3);
    writer.close();
  });

  it.each([
    ['the worker formats them', true],
    ['they are batched on the request thread', false],
  ] as const)(
    'should have every line on stdout when the process exits right after its requests were answered and %s',
    (_, worker) => {
      // A child process writes 5,000 lines through the service's own logger (stdout) and calls
      // process.exit() at once: the batch is formatted at exit, and the lines the worker holds are
      // waited for, the rest formatted there.
      const script = `
      const { loadConfig } = require(${JSON.stringify(join(distLogging, '..', 'config', 'config.loader.js'))});
      const { createWinston } = require(${JSON.stringify(join(distLogging, 'logger.factory.js'))});
      const { RequestLineWriter } = require(${JSON.stringify(join(distLogging, 'request-line.writer.js'))});
      const logger = createWinston(loadConfig({ env: {} }));
      const writer = RequestLineWriter.forLogger(logger, { worker: ${worker} });
      if (writer.offloaded !== ${worker}) throw new Error('offloaded: ' + writer.offloaded);
      let n = 0;
      const burst = () => {
        for (let i = 0; i < 1000; i++, n++)
          writer.write({ url: '/health/live', method: 'GET', id: 'req-' + n, ip: '127.0.0.1', headers: {} }, '/health/live', 200, 0.5);
        if (n < 5000) setImmediate(burst);
        else process.exit(0);
      };
      burst();`;
      const out = execFileSync(process.execPath, ['-e', script], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      const ids = out
        .split('\n')
        .filter((line) => line.includes('"http.request.id"'))
        .map((line) => JSON.parse(line)['http.request.id']);
      expect(ids).toEqual(Array.from({ length: 5000 }, (_, n) => `req-${n}`));
    },
  );
});
