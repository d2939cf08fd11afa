import { performance } from 'node:perf_hooks';
import type { FastifyReply, FastifyRequest } from 'fastify';
import * as winston from 'winston';
import { RequestContext } from '../common/request-context';
import { routeTemplate } from '../common/answered-requests';
import { elapsedMs, markArrival } from '../common/request-timing';
import { loadConfig } from '../config/config.loader';
import { createWinston } from './logger.factory';
import { millisText, RequestLineWriter, requestLine, timestamp } from './request-line.writer';
import { LineTransport } from './stdout.transport';

/** Collects what a transport is given, line by line. */
class Collector extends LineTransport {
  readonly lines: string[] = [];
  /** What the writer said of each line: ASCII only (copied without UTF-8 encoding) or not. */
  readonly ascii: boolean[] = [];
  writeLine(line: string, ascii = false): void {
    this.lines.push(line);
    this.ascii.push(ascii);
  }
}

interface Probe {
  url: string;
  status: number;
  method?: string;
  id?: string;
  userAgent?: string;
  userId?: string;
  route?: string;
  ip?: string;
}

function fakeRequest(probe: Probe): { request: FastifyRequest; reply: FastifyReply } {
  const request = {
    url: probe.url,
    method: probe.method ?? 'GET',
    id: probe.id ?? 'req-1',
    ip: probe.ip ?? '10.1.2.3',
    headers: probe.userAgent === undefined ? {} : { 'user-agent': probe.userAgent },
    routeOptions: { url: probe.route },
    is404: probe.route === undefined,
    user: probe.userId === undefined ? undefined : { id: probe.userId },
  } as unknown as FastifyRequest;
  markArrival(request);
  return { request, reply: { statusCode: probe.status } as FastifyReply };
}

/** What observeAnsweredRequests hands an observer, read off the request. */
const answered = (request: FastifyRequest, reply: FastifyReply) =>
  [request, routeTemplate(request), reply.statusCode, elapsedMs(request)] as const;

/** The service's winston logger (its formats), writing to a collector instead of stdout. */
function serviceLogger(level = 'info'): { logger: winston.Logger; collector: Collector } {
  const logger = createWinston(loadConfig({ env: {}, overrides: { log: { level } } }));
  for (const transport of logger.transports) logger.remove(transport);
  const collector = new Collector();
  logger.add(collector);
  return { logger, collector };
}

/** A line's fields without its timestamp (lines written at different instants are compared). */
const withoutTime = (line: string) => {
  const fields = JSON.parse(line) as Record<string, unknown>;
  expect(Date.parse(fields['@timestamp'] as string)).not.toBeNaN();
  delete fields['@timestamp'];
  return fields;
};

/**
 * Writers by template for the service's logger: one formatting each line at once, one batching
 * them (the service's default; closed, so its lines are out, before they are read).
 */
function templateWriters(level = 'info') {
  const eachLine = serviceLogger(level);
  const batched = serviceLogger(level);
  const writer = RequestLineWriter.forLogger(eachLine.logger, { batch: false });
  const batchWriter = RequestLineWriter.forLogger(batched.logger);
  expect(writer).toBeDefined();
  expect(batchWriter).toBeDefined();
  return {
    collector: eachLine.collector,
    write(request: FastifyRequest, reply: FastifyReply) {
      // The same duration for both: read once.
      const line = answered(request, reply);
      expect(writer!.write(...line)).toBe(true);
      expect(batchWriter!.write(...line)).toBe(true);
    },
    /** The lines of both, which must be the same lines. */
    done() {
      batchWriter!.close();
      expect(batched.collector.lines.map(withoutTime)).toEqual(
        eachLine.collector.lines.map(withoutTime),
      );
    },
  };
}

/** Both ways of writing the request's line, at the same instant: [through winston, by template]. */
function bothLines(probe: Probe, level = 'info', context?: { userId: string }) {
  const viaWinston = serviceLogger(level);
  const viaTemplate = templateWriters(level);
  // The request arrives at 1000 ms and is answered 12.345 ms later, for both lines.
  const now = jest.spyOn(performance, 'now').mockReturnValue(1000);
  const { request, reply } = fakeRequest(probe);
  now.mockReturnValue(1012.345);
  try {
    const write = () => {
      viaWinston.logger.log(requestLine(request, reply) as winston.LogEntry);
      viaTemplate.write(request, reply);
    };
    if (context) RequestContext.run({ requestId: 'ctx', ...context }, write);
    else write();
  } finally {
    now.mockRestore();
  }
  viaTemplate.done();
  return [
    viaWinston.collector.lines.map(withoutTime),
    viaTemplate.collector.lines.map(withoutTime),
  ];
}

/**
 * One winston logger and one writer serving the probes in turn, as a server's requests come: the
 * writer keeps state between requests, so later lines must not carry earlier requests' fields.
 */
function oneWriterServing(probes: Probe[]) {
  const viaWinston = serviceLogger();
  const viaTemplate = templateWriters();
  for (const probe of probes) {
    const { request, reply } = fakeRequest(probe);
    viaWinston.logger.log(requestLine(request, reply) as winston.LogEntry);
    viaTemplate.write(request, reply);
  }
  viaTemplate.done();
  return { viaWinston: viaWinston.collector, viaTemplate: viaTemplate.collector };
}

describe('RequestLineWriter', () => {
  it('should write the same fields as the winston formats when a request is answered', () => {
    const [winstonLines, templateLines] = bothLines({
      url: '/api/v1/molecules/42?fields=name',
      route: '/api/v1/molecules/:id',
      status: 200,
      userAgent: 'curl/8.0',
      userId: 'user-7',
    });
    expect(winstonLines).toHaveLength(1);
    expect(templateLines).toEqual(winstonLines);
    expect(templateLines[0]).toMatchObject({
      message: 'GET /api/v1/molecules/42 200 12.3 ms',
      'http.route': '/api/v1/molecules/:id',
      'url.path': '/api/v1/molecules/42',
      'user.id': 'user-7',
      'log.level': 'info',
      'ecs.version': expect.any(String),
      'service.name': 'cryoprotect',
    });
  });

  it('should write the agent and address of each request when one writer serves requests whose agent and address change', () => {
    const probes: Probe[] = [
      { url: '/a', status: 200, userAgent: 'curl/8.0', ip: '10.0.0.1' },
      { url: '/b', status: 200, userAgent: 'curl/8.0', ip: '10.0.0.1' },
      { url: '/c', status: 200, userAgent: 'agent "quoted" Bearer abc.def', ip: '10.0.0.2' },
      { url: '/d', status: 200, userAgent: 'curl/8.0', ip: '10.0.0.1' },
      { url: '/e', status: 200, ip: '::1' },
      { url: '/f', status: 200, userAgent: 'Mozilla/5.0 (X11; Linux x86_64) ünï', ip: '10.0.0.3' },
    ];
    const { viaWinston, viaTemplate } = oneWriterServing(probes);
    const fields = (lines: string[]) =>
      lines.map((line) => {
        const {
          '@timestamp': _time,
          message: _message,
          'event.duration': _duration,
          ...rest
        } = JSON.parse(line) as Record<string, unknown>;
        return rest;
      });
    expect(fields(viaTemplate.lines)).toEqual(fields(viaWinston.lines));
    expect(fields(viaTemplate.lines).map((line) => line['client.ip'])).toEqual(
      probes.map((probe) => probe.ip),
    );
  });

  it("should write each request's own path, method and status when one writer serves one route with changing requests", () => {
    const route = '/api/v1/molecules/:id';
    const probes: Probe[] = [
      { url: '/api/v1/molecules/1', route, status: 200 },
      { url: '/api/v1/molecules/1', route, status: 200 },
      { url: '/api/v1/molecules/2?fields=name', route, status: 200 },
      { url: '/api/v1/molecules/2', route, status: 404 },
      { url: '/api/v1/molecules/2', route, status: 200 },
      { url: '/api/v1/molecules/2', route, status: 200, method: 'DELETE' },
      { url: '/api/v1/molecules/2', route, status: 500, method: 'DELETE' },
      { url: '/api/v1/molecules/"3"', route, status: 200 },
      { url: '/api/v1/molecules/1', route, status: 200 },
      { url: '/health/live', route: '/health/live', status: 200 },
      { url: '/api/v1/molecules/1', route, status: 200, userId: 'user-9' },
      { url: '/nowhere', status: 404 },
      { url: '/nowhere/else', status: 404 },
    ];
    const { viaWinston, viaTemplate } = oneWriterServing(probes);
    const fields = (lines: string[]) =>
      lines.map((line) => {
        const { '@timestamp': _time, ...rest } = JSON.parse(line) as Record<string, unknown>;
        // The duration differs between the two calls; its place in the message is kept.
        const shown: Record<string, unknown> = {
          ...rest,
          message: String(rest.message).replace(/ [\d.]+ ms$/, ' ms'),
          'event.duration': typeof rest['event.duration'],
        };
        return shown;
      });
    const written = fields(viaTemplate.lines);
    expect(written).toEqual(fields(viaWinston.lines));
    expect(written.map((line) => line['url.path'])).toEqual(
      probes.map((probe) => probe.url.split('?')[0]),
    );
    expect(written.map((line) => line['log.level'])).toContain('warn');
  });

  it('should escape and redact client-controlled text exactly as the logger does when the path, agent and id hold quotes, control characters and secrets', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';
    const [winstonLines, templateLines] = bothLines({
      url: `/files/"quoted"\\back\u0001\u2028ünï/${jwt}/x=1&token=abc`,
      status: 404,
      method: 'POST',
      id: 'client "id"\n',
      userAgent: 'agent Bearer abc.def-ghi postgres://u:pw@db/x',
    });
    expect(templateLines).toEqual(winstonLines);
    const line = templateLines[0];
    expect(line['http.route']).toBe('unmatched');
    expect(line['user.id']).toBeUndefined();
    expect(JSON.stringify(line)).not.toContain(jwt);
    expect(JSON.stringify(line)).not.toContain('token=abc');
    expect(JSON.stringify(line)).not.toContain(':pw@');
    expect(JSON.stringify(line)).not.toContain('abc.def-ghi');
  });

  it('should write every character as the logger does when each one is alone in a path, agent and id', () => {
    // Every ASCII character (the ones written as they are and the ones JSON escapes), a few beyond
    // ASCII (Latin-1, a line separator, an astral character and lone surrogates) and each text the
    // redaction rules look for: the boundary between the quoted fast path and JSON.stringify.
    const characters = [
      ...Array.from({ length: 128 }, (_, code) => String.fromCharCode(code)),
      'é',
      '\u2028',
      '🧊',
      '\ud83e',
      '\udddd',
      '://',
      'eyJ',
      'Bearer x',
      'Basic x',
    ];
    for (const character of characters) {
      const [winstonLines, templateLines] = bothLines({
        url: `/a${character}b`,
        route: '/a',
        status: 200,
        id: `id${character}`,
        userAgent: `agent${character}`,
      });
      expect(templateLines).toEqual(winstonLines);
    }
  });

  it('should call a line ASCII only when every character of it is, whichever field holds the others', () => {
    const probes: Probe[] = [
      { url: '/health/live', route: '/health/live', status: 200, userAgent: 'wrk' },
      { url: '/api/v1/m/é', route: '/api/v1/m/:id', status: 200 },
      { url: '/a', route: '/a', status: 200, userAgent: 'agent ünï' },
      { url: '/a', route: '/a', status: 200, id: 'id-é' },
      { url: '/a', route: '/a', status: 200, ip: '10.0.0.é' },
      { url: '/a', route: '/a', status: 200, userId: 'usér' },
      { url: '/ä', route: '/ä', status: 404 },
      { url: '/a?q=é', route: '/a', status: 200, userAgent: 'wrk', userId: 'user-7' },
      { url: '/a\u0001b', route: '/a', status: 200 },
    ];
    const { viaWinston, viaTemplate } = oneWriterServing(probes);
    expect(viaTemplate.lines.map((line) => JSON.parse(line) as unknown)).toHaveLength(9);
    expect(viaWinston.lines).toHaveLength(9);
    const isAscii = (line: string) => [...line].every((character) => character.charCodeAt(0) < 128);
    // Never ASCII when it is not: the batch would write Latin-1 bytes for those characters.
    viaTemplate.lines.forEach((line, index) => {
      if (viaTemplate.ascii[index]) expect(isAscii(line)).toBe(true);
    });
    // The usual lines are: a probe's, and one whose query string (not logged) holds the rest.
    expect(viaTemplate.ascii).toEqual([
      true,
      false,
      false,
      false,
      false,
      false,
      false,
      true,
      false,
    ]);
  });

  it('should write milliseconds as toFixed(1) does when the duration is not on a half', () => {
    for (let step = 0; step < 50_000; step++) {
      const millis = step * 0.0173 + step ** 2 * 1e-7;
      const scaled = millis * 10;
      if (Math.abs(scaled - Math.floor(scaled) - 0.5) < 1e-6) continue;
      expect(millisText(millis)).toBe(millis.toFixed(1));
    }
    expect([0, 0.04, 0.06, 9.96, 1234.5678, 1e9 + 0.25].map(millisText)).toEqual([
      '0.0',
      '0.0',
      '0.1',
      '10.0',
      '1234.6',
      '1000000000.3',
    ]);
  });

  it('should stamp the same time as toISOString when lines fall on millisecond and second boundaries', () => {
    const start = Date.UTC(2026, 11, 31, 23, 59, 58, 990);
    const instants = [
      ...Array.from({ length: 2_100 }, (_, step) => start + step),
      0,
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      Date.UTC(10000, 0, 1),
      Date.UTC(-1, 0, 1, 0, 0, 0, 5),
    ];
    for (const instant of instants)
      expect(timestamp(instant)).toBe(new Date(instant).toISOString());
  });

  it('should log a server error at warn and take the user from the request context when the request carries none', () => {
    const [winstonLines, templateLines] = bothLines(
      { url: '/api/v1/boom', route: '/api/v1/boom', status: 503 },
      'info',
      { userId: 'from-context' },
    );
    expect(templateLines).toEqual(winstonLines);
    expect(templateLines[0]).toMatchObject({ 'log.level': 'warn', 'user.id': 'from-context' });
  });

  it('should drop what the level drops when the logger level is warn', () => {
    const [okWinston, okTemplate] = bothLines({ url: '/a', route: '/a', status: 200 }, 'warn');
    expect(okWinston).toEqual([]);
    expect(okTemplate).toEqual([]);
    const [failWinston, failTemplate] = bothLines({ url: '/a', route: '/a', status: 500 }, 'warn');
    expect(failWinston).toHaveLength(1);
    expect(failTemplate).toEqual(failWinston);
  });

  it('should refuse the template when a transport is not a plain line transport or a format changes request fields', () => {
    const { logger } = serviceLogger();
    logger.add(new winston.transports.Console({ silent: true }));
    expect(RequestLineWriter.forLogger(logger)).toBeUndefined();

    const renaming = winston.createLogger({
      format: winston.format.combine(
        winston.format((info) => ({ ...info, 'url.path': '/elsewhere' }))(),
        winston.format.json(),
      ),
      transports: [new Collector()],
    });
    expect(RequestLineWriter.forLogger(renaming)).toBeUndefined();
  });

  it.each([
    ['formatted one by one', { batch: false }],
    ['batched', {}],
  ])(
    "should follow changes to the transports, their levels and silence and the logger's level made between lines %s",
    (_, options) => {
      const { logger, collector: first } = serviceLogger();
      const writer = RequestLineWriter.forLogger(logger, options)!;
      const second = new Collector();
      logger.add(second);
      const serve = (status: number, id: string) => {
        const { request, reply } = fakeRequest({ url: '/a', route: '/a', status, id });
        expect(writer.write(...answered(request, reply))).toBe(true);
      };
      const ids = (collector: Collector) =>
        collector.lines.map(
          (line) => (JSON.parse(line) as Record<string, unknown>)['http.request.id'],
        );
      serve(200, 'both');
      second.level = 'warn';
      serve(200, 'first-only');
      serve(503, 'warn-both');
      second.level = undefined;
      serve(200, 'both-again');
      first.silent = true;
      serve(200, 'second-only');
      first.silent = false;
      logger.level = 'error';
      serve(503, 'dropped');
      logger.level = 'info';
      // One removed and another added: as many transports as before, in the same array.
      const spare = new Collector();
      logger.add(spare);
      serve(200, 'three');
      const third = new Collector();
      logger.remove(second);
      logger.add(third);
      serve(200, 'replaced');
      logger.remove(first);
      serve(200, 'without-first');
      writer.close();
      expect(ids(first)).toEqual([
        'both',
        'first-only',
        'warn-both',
        'both-again',
        'three',
        'replaced',
      ]);
      expect(ids(second)).toEqual(['both', 'warn-both', 'both-again', 'second-only', 'three']);
      expect(ids(third)).toEqual(['replaced', 'without-first']);
      expect(ids(spare)).toEqual(['three', 'replaced', 'without-first']);
      // A transport that is not a plain line transport: the caller logs through winston.
      logger.add(new winston.transports.Console({ silent: true }));
      const { request, reply } = fakeRequest({ url: '/a', route: '/a', status: 200 });
      expect(writer.write(...answered(request, reply))).toBe(false);
    },
  );

  it('should hand the line back to the caller, and write the lines batched before, when a transport was added after the writer was made', () => {
    const { logger, collector } = serviceLogger();
    const writer = RequestLineWriter.forLogger(logger)!;
    const before = fakeRequest({ url: '/a', route: '/a', status: 200, id: 'before' });
    expect(writer.write(...answered(before.request, before.reply))).toBe(true);
    expect(collector.lines).toHaveLength(0);
    logger.add(new winston.transports.Console({ silent: true }));
    const { request, reply } = fakeRequest({ url: '/a', route: '/a', status: 200 });
    expect(writer.write(...answered(request, reply))).toBe(false);
    // The batched line went where lines went when it was answered.
    expect(collector.lines.map((line) => JSON.parse(line)['http.request.id'])).toEqual(['before']);
    writer.close();
  });
});
