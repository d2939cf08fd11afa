import type { FastifyReply, FastifyRequest } from 'fastify';
import type * as winston from 'winston';
import { AuthenticatedRequest } from '../auth/access.decorators';
import { routeTemplate } from '../common/answered-requests';
import { RequestContext } from '../common/request-context';
import { elapsedMs } from '../common/request-timing';
import { isSecretKey, redactText, SECRET_TRIGGER_SOURCE } from './redaction';
import { LineTransport, MESSAGE } from './stdout.transport';

const LEVEL = Symbol.for('level');

/** The fields of a request line (ECS names; `http.route` is the route template). */
export function requestLine(
  request: FastifyRequest,
  reply: FastifyReply,
  route = routeTemplate(request),
  status = reply.statusCode,
  millis = elapsedMs(request),
): Record<string, unknown> {
  const query = request.url.indexOf('?');
  const path = query === -1 ? request.url : request.url.slice(0, query);
  return {
    message: `${request.method} ${path} ${status} ${millisText(millis)} ms`,
    level: levelOf(status),
    'event.kind': 'event',
    'event.category': ['web'],
    'event.outcome': status >= 400 ? 'failure' : 'success',
    'event.duration': Math.round(millis * 1e6),
    'http.request.id': request.id,
    'http.request.method': request.method,
    'http.response.status_code': status,
    'http.route': route,
    'url.path': path,
    'client.ip': request.ip,
    'user_agent.original': request.headers['user-agent'],
    'user.id': (request as AuthenticatedRequest).user?.id,
    'log.logger': 'http',
  };
}

/** The request forLogger passes through the logger's formats: every field of a line present. */
const PROBE_REQUEST = {
  method: 'GET',
  url: '/probe',
  id: 'probe-request',
  ip: '127.0.0.1',
  headers: { 'user-agent': 'probe' },
  user: { id: 'probe-user' },
} as unknown as FastifyRequest;

const levelOf = (status: number): 'warn' | 'info' => (status >= 500 ? 'warn' : 'info');

/**
 * Milliseconds with one decimal, as `toFixed(1)` writes them but without its call into the runtime
 * (a tenth of a millisecond is rounded on the scaled value, so a duration that lies exactly on a
 * half may round the other way; both request-line paths use this one function).
 */
export function millisText(millis: number): string {
  const tenths = Math.round(millis * 10);
  if (!(tenths >= 0 && tenths <= Number.MAX_SAFE_INTEGER)) return millis.toFixed(1);
  const whole = Math.floor(tenths / 10);
  return `${whole}.${tenths - whole * 10}`;
}

/**
 * `new Date().toISOString()` without a Date per line: the part up to the seconds is formatted once
 * per second, the milliseconds are appended (V8 formats a date through printf, a few thousand
 * instructions each time).
 */
let secondAt = -1;
let secondPrefix = '';
export function timestamp(now = Date.now()): string {
  const second = Math.floor(now / 1000);
  if (second !== secondAt) {
    const iso = new Date(second * 1000).toISOString();
    // Years 0–9999 only ('YYYY-MM-DDTHH:MM:SS.000Z'); any other date is formatted whole.
    if (iso.length !== 24) return new Date(now).toISOString();
    secondAt = second;
    secondPrefix = iso.slice(0, 20);
  }
  const millis = now - second * 1000;
  return `${secondPrefix}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}

/**
 * What a string needs more than quotes around it to be its JSON value with secrets masked: a
 * character JSON escapes (quote, backslash, control characters; all non-ASCII too, which covers
 * lone surrogates) or a substring a redaction rule needs. Most request fields (paths, ids, addresses,
 * user agents) have none, and are written without JSON.stringify's call into the runtime.
 */
// eslint-disable-next-line no-control-regex -- control characters are what JSON escapes
const JSON_ESCAPED = /["\\\u0000-\u001f\u007f-\uffff]/;
const NOT_PLAIN = new RegExp(`${JSON_ESCAPED.source}|${SECRET_TRIGGER_SOURCE}`);

/** A string's JSON text, and whether that text is ASCII only. */
type Encoded = { json: string; ascii: boolean };

/**
 * A string as a JSON value, with secrets masked as the logger's redaction step masks them. `ascii`
 * is true exactly when the string is written between quotes as it is (it passed the plain test,
 * which admits ASCII only).
 */
function masked(value: string): Encoded {
  return NOT_PLAIN.test(value)
    ? { json: JSON.stringify(redactText(value)), ascii: false }
    : { json: `"${value}"`, ascii: true };
}

const text = (value: string): string => masked(value).json;

// eslint-disable-next-line no-control-regex -- the test is for any character beyond ASCII
const NOT_ASCII = /[^\u0000-\u007f]/;

/** A string of ours (a route template, a user id) as a JSON value: no masking. */
function ours(value: string): Encoded {
  const json = JSON.stringify(value);
  return { json, ascii: !NOT_ASCII.test(json) };
}

/**
 * The JSON text of the last string seen of one field, kept until a different string comes, and
 * whether it is ASCII only (for a masked field: whether the string was written as it is).
 */
class LastText {
  private value: string | undefined;
  private json = '';
  ascii = true;

  constructor(private readonly encode: (value: string) => Encoded) {}

  of(value: string): string {
    if (value !== this.value) {
      ({ json: this.json, ascii: this.ascii } = this.encode(value));
      this.value = value;
    }
    return this.json;
  }
}

/**
 * Writes the one line per request without winston's object stream: the line is serialised here
 * from a template and handed to the logger's own transports (stdout, the rotating file). Per line
 * that saves the logger's stream hops and the generic format chain (context lookup, ECS mapping, a
 * redaction pass over every field, a stringify of the whole object) — most of what request logging
 * cost per request.
 *
 * The line is the one the logger would write: the fields the logger's formats add to a request line
 * (ECS version, service name and environment, dataset…) are not written here but read off the
 * logger itself, by passing a probe line through its formats once; the template is only used when
 * that probe shows the formats add fields and change none of the request's own (otherwise, or when
 * the logger has a transport that is not a plain line transport, `forLogger` returns undefined and
 * request lines go through winston as any other line). Every string is masked by the same
 * `redactText` as the logger's redaction step; the line's keys are fixed and none is a secret key.
 * request-line.writer.spec.ts compares the two outputs field by field.
 */
export class RequestLineWriter {
  // A client's address and agent repeat from request to request (keep-alive, one client's burst),
  // and so do a route, its path (a probe's, a list's) and a caller.
  private readonly clientIp = new LastText(masked);
  private readonly userAgent = new LastText(masked);
  private readonly path = new LastText(masked);
  private readonly route = new LastText(ours);
  private readonly userId = new LastText(ours);
  /** Whether the line serialise made last is ASCII only (see LineBatch.add). */
  private ascii = false;
  /** Whether the tail is ASCII only. */
  private readonly asciiTail: boolean;

  private constructor(
    private readonly logger: winston.Logger,
    /** `,"ecs.version":…,"service.name":…}`: what the formats add, closing the object. */
    private readonly tail: string,
  ) {
    this.asciiTail = !NOT_ASCII.test(tail);
  }

  /** A writer for this logger, or undefined when its lines cannot be written by template. */
  static forLogger(logger: winston.Logger): RequestLineWriter | undefined {
    if (!plainLineTransports(logger)) return undefined;
    // A request line as requestLine makes it, of a request with every field present.
    const probe: Record<string | symbol, unknown> = {
      ...requestLine(PROBE_REQUEST, { statusCode: 200 } as FastifyReply, '/probe', 200, 1),
      [LEVEL]: 'info',
    };
    const own = Object.keys(probe).filter((key) => key !== 'level');
    if (own.some(isSecretKey)) return undefined;
    const formatted = logger.format.transform(
      { ...probe } as winston.Logform.TransformableInfo,
      logger.format.options,
    ) as Record<string | symbol, unknown> | false;
    if (!formatted || typeof formatted[MESSAGE] !== 'string') return undefined;
    const written = JSON.parse(formatted[MESSAGE]) as Record<string, unknown>;
    for (const key of own)
      if (JSON.stringify(written[key]) !== JSON.stringify(probe[key])) return undefined;
    if (typeof written['@timestamp'] !== 'string' || written['log.level'] !== 'info')
      return undefined;
    const added = Object.entries(written).filter(
      ([key]) => !own.includes(key) && key !== '@timestamp' && key !== 'log.level',
    );
    const tail = added.map(([key, value]) => `,${JSON.stringify(key)}:${JSON.stringify(value)}`);
    return new RequestLineWriter(logger, `${tail.join('')}}`);
  }

  /**
   * Writes the line of an answered request (its route template, status and milliseconds as
   * observeAnsweredRequests reads them); false when the logger's transports changed since the
   * writer was made, and the caller must log the line through winston.
   */
  write(request: FastifyRequest, route: string, status: number, millis: number): boolean {
    const { logger } = this;
    const transports = plainLineTransports(logger);
    if (!transports) return false;
    if (logger.silent) return true;
    const level = levelOf(status);
    let line: string | undefined;
    for (const transport of transports) {
      if (transport.silent) continue;
      // winston-transport's rule: the transport's level, else the logger's, must admit the line.
      const threshold = transport.level ?? logger.level;
      if (logger.levels[threshold] >= logger.levels[level])
        transport.writeLine(
          (line ??= this.serialise(request, route, status, millis, level)),
          this.ascii,
        );
    }
    return true;
  }

  private serialise(
    request: FastifyRequest,
    route: string,
    status: number,
    millis: number,
    level: string,
  ): string {
    const url = request.url;
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const pathJson = this.path.of(path);
    const plainPath = this.path.ascii;
    const message = `${request.method} ${path} ${status} ${millisText(millis)} ms`;
    const id = String(request.id);
    const plainId = !NOT_PLAIN.test(id);
    const routeJson = this.route.of(route);
    const clientIp = this.clientIp.of(request.ip);
    const userAgent = request.headers['user-agent'];
    const userAgentJson = typeof userAgent === 'string' ? this.userAgent.of(userAgent) : undefined;
    const user = (request as AuthenticatedRequest).user?.id ?? RequestContext.current()?.userId;
    const userJson = user === undefined ? undefined : this.userId.of(user);
    // Every string written between quotes as it is passed the plain test, which admits ASCII only;
    // the other pieces are ours (numbers, constants, the tail).
    this.ascii =
      plainPath &&
      plainId &&
      this.clientIp.ascii &&
      this.route.ascii &&
      this.asciiTail &&
      (userAgentJson === undefined || this.userAgent.ascii) &&
      (userJson === undefined || this.userId.ascii);
    return (
      // Around the path, the message holds the method (one of the HTTP parser's known methods), the
      // status and the duration, separated by spaces: it needs escaping or masking only where its
      // path does, and no masking rule's trigger can span the spaces.
      `{"message":${plainPath ? `"${message}"` : text(message)}` +
      `,"event.kind":"event","event.category":["web"]` +
      `,"event.outcome":"${status >= 400 ? 'failure' : 'success'}"` +
      `,"event.duration":${Math.round(millis * 1e6)}` +
      `,"http.request.id":${plainId ? `"${id}"` : text(id)}` +
      // The method (a token the HTTP parser accepted), the route template (ours) and the user id
      // (ours) cannot hold a secret: no redaction pass for them.
      `,"http.request.method":"${request.method}"` +
      `,"http.response.status_code":${status}` +
      `,"http.route":${routeJson}` +
      `,"url.path":${pathJson}` +
      `,"client.ip":${clientIp}` +
      (userAgentJson === undefined ? '' : `,"user_agent.original":${userAgentJson}`) +
      (userJson === undefined ? '' : `,"user.id":${userJson}`) +
      `,"log.logger":"http","@timestamp":"${timestamp()}","log.level":"${level}"` +
      this.tail
    );
  }
}

/**
 * The logger's transports when every one is ours, without a format of its own (it writes
 * info[MESSAGE] only); otherwise undefined.
 */
function plainLineTransports(logger: winston.Logger): LineTransport[] | undefined {
  const transports = logger.transports;
  if (transports.length === 0) return undefined;
  for (const transport of transports)
    if (!(transport instanceof LineTransport) || transport.format !== undefined) return undefined;
  return transports as LineTransport[];
}
