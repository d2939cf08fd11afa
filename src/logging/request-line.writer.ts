import type { FastifyReply, FastifyRequest } from 'fastify';
import type * as winston from 'winston';
import { AuthenticatedRequest } from '../auth/access.decorators';
import { routeTemplate } from '../common/answered-requests';
import { RequestContext } from '../common/request-context';
import { elapsedMs } from '../common/request-timing';
import { isSecretKey } from './redaction';
import {
  emptyFields,
  levelOf,
  millisText,
  RequestLineChunk,
  RequestLineFields,
  RequestLineFormatter,
} from './request-line.format';
import { RequestLineOffload } from './request-line.offload';
import { LineTransport, MESSAGE } from './stdout.transport';

export { millisText, timestamp } from './request-line.format';

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

/**
 * Writes the one line per request without winston's object stream: the line is serialised from a
 * template (RequestLineFormatter) — in batches every 5 ms (RequestLineOffload), on this thread or,
 * configured so, on a worker thread — and handed to the logger's own transports (stdout, the
 * rotating file). Per line that saves the logger's stream hops and the generic format chain
 * (context lookup, ECS mapping, a redaction pass over every field, a stringify of the whole
 * object) — most of what request logging cost per request.
 *
 * The line is the one the logger would write: the fields the logger's formats add to a request line
 * (ECS version, service name and environment, dataset…) are not written here but read off the
 * logger itself, by passing a probe line through its formats once; the template is only used when
 * that probe shows the formats add fields and change none of the request's own (otherwise, or when
 * the logger has a transport that is not a plain line transport, `forLogger` returns undefined and
 * request lines go through winston as any other line). Every string is masked by the same
 * `redactText` as the logger's redaction step; the line's keys are fixed and none is a secret key.
 * request-line.writer.spec.ts compares the two outputs field by field, and request-line.offload.spec.ts
 * the lines formatted in batches (here and on the worker) with those formatted one by one.
 */
export class RequestLineWriter {
  private readonly formatter: RequestLineFormatter;
  /** The batches of lines (see request-line.offload.ts); undefined: each line formatted at once. */
  private offload: RequestLineOffload | undefined;
  /** The answered request's fields, refilled for each line (formatted or copied at once). */
  private readonly fields: RequestLineFields = emptyFields();
  /**
   * Which transports take a line (see LineRouting). Before it works them out anew, the lines
   * batched so far go where the logger sent lines when they were answered: their masks name those.
   */
  private readonly routing = new LineRouting(() => this.offload?.flush());

  private constructor(
    private readonly logger: winston.Logger,
    /** `,"ecs.version":…,"service.name":…}`: what the formats add, closing the object. */
    tail: string,
    { worker = false, batch = true }: WriterOptions,
  ) {
    this.formatter = new RequestLineFormatter(tail);
    // Lines are delivered and formatted in timers and message handlers: a failure there is
    // reported as the logger's transports report theirs (a 'warn' event), never thrown.
    const report = (error: unknown) => this.logger.emit('warn', error);
    const deliver = (chunk: RequestLineChunk) => {
      const transports = this.routing.routed ?? [];
      for (let i = 0; i < transports.length; i++)
        if (chunk.mask & (1 << i))
          try {
            transports[i].writeBytes(chunk.bytes);
          } catch (error) {
            // One failing transport does not keep the lines from the others.
            report(error);
          }
    };
    if (worker !== false)
      this.offload = RequestLineOffload.start(
        this.formatter,
        deliver,
        report,
        worker === true ? undefined : worker,
      );
    else if (batch) this.offload = RequestLineOffload.here(this.formatter, deliver, report);
  }

  /**
   * A writer for this logger, or undefined when its lines cannot be written by template. Lines are
   * formatted in batches every 5 ms on this thread (the default), or on a worker thread (`worker`:
   * when its compiled script is there; a path names another script, as tests run the compiled
   * one), or one by one as requests are answered (`batch: false`, without a worker).
   */
  static forLogger(
    logger: winston.Logger,
    options: WriterOptions = {},
  ): RequestLineWriter | undefined {
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
    return new RequestLineWriter(logger, `${tail.join('')}}`, options);
  }

  /** Whether lines are formatted on the worker thread. */
  get offloaded(): boolean {
    return this.offload?.threaded === true;
  }

  /**
   * Writes the line of an answered request (its route template, status and milliseconds as
   * observeAnsweredRequests reads them); false when the logger's transports changed since the
   * writer was made, and the caller must log the line through winston.
   */
  write(request: FastifyRequest, route: string, status: number, millis: number): boolean {
    const { logger, routing } = this;
    const transports = routing.transportsOf(logger);
    if (!transports) return false;
    if (logger.silent) return true;
    const mask = levelOf(status) === 'warn' ? routing.warnMask : routing.infoMask;
    if (mask === 0) return true;
    const { fields } = this;
    const userAgent = request.headers['user-agent'];
    fields.method = request.method;
    fields.url = request.url;
    fields.id = String(request.id);
    fields.ip = request.ip;
    fields.userAgent = typeof userAgent === 'string' ? userAgent : undefined;
    fields.userId = (request as AuthenticatedRequest).user?.id ?? RequestContext.current()?.userId;
    fields.route = route;
    fields.status = status;
    fields.millis = millis;
    fields.answeredAt = Date.now();
    if (this.offload) {
      this.offload.add(fields, mask);
      return true;
    }
    const line = this.formatter.format(fields);
    for (let i = 0; i < transports.length; i++)
      if (mask & (1 << i)) transports[i].writeLine(line, this.formatter.ascii);
    return true;
  }

  /**
   * Hands every line given so far to the transports and stops the worker thread; later lines are
   * formatted one by one.
   */
  close(): void {
    this.offload?.close();
    this.offload = undefined;
  }
}

export interface WriterOptions {
  /** Format on a worker thread (true), with this worker script, or not (false, the default). */
  worker?: boolean | string;
  /** Without a worker: batch the lines (true, the default) or format each one at once (false). */
  batch?: boolean;
}

/**
 * Which of a logger's transports take a request line (bit i of a mask: transport i), worked out
 * when what it depends on changes: the logger's transports (added, removed, replaced), their levels
 * and silence, their formats, the logger's level. Per line this checks those values are still the
 * ones it was worked out from — a few property reads — instead of winston's `transports` getter
 * (which builds two arrays per call when the logger has one transport), a class check per transport
 * and a lookup of each level's number.
 *
 * The transports are read off the logger's readable-stream state (`_readableState.pipes`: one
 * stream, or an array of them, which readable-stream changes in place), as winston's getter reads
 * them; a logger without it is read through the getter.
 */
class LineRouting {
  /** The plain line transports, or undefined when the logger has any other kind (or none). */
  private transports: LineTransport[] | undefined;
  /** What the masks were worked out from. */
  private readonly levels: (string | undefined)[] = [];
  private readonly silent: (boolean | undefined)[] = [];
  private loggerLevel: string | undefined;
  /** The transports that take an `info` line (status < 500) and a `warn` line (5xx). */
  infoMask = 0;
  warnMask = 0;

  /** `beforeChange` runs before the transports and masks are worked out anew. */
  constructor(private readonly beforeChange: () => void) {}

  /** The logger's transports when every one is a plain line transport (plainLineTransports). */
  transportsOf(logger: winston.Logger): LineTransport[] | undefined {
    if (!this.current(logger)) {
      this.beforeChange();
      this.work(logger);
    }
    return this.transports;
  }

  /** The transports as last worked out: bit i of the masks names transport i. */
  get routed(): LineTransport[] | undefined {
    return this.transports;
  }

  private current(logger: winston.Logger): boolean {
    const transports = this.transports;
    // Undefined before the first line, and while the logger has transports of other kinds.
    if (transports === undefined || logger.level !== this.loggerLevel) return false;
    const pipes = pipesOf(logger);
    if (Array.isArray(pipes)) {
      if (pipes.length !== transports.length) return false;
      for (let i = 0; i < transports.length; i++) if (pipes[i] !== transports[i]) return false;
    } else if (transports.length !== 1 || pipes !== transports[0]) return false;
    for (let i = 0; i < transports.length; i++) {
      const transport = transports[i];
      if (
        transport.level !== this.levels[i] ||
        transport.silent !== this.silent[i] ||
        transport.format !== undefined
      )
        return false;
    }
    return true;
  }

  private work(logger: winston.Logger): void {
    const transports = plainLineTransports(logger);
    this.transports = transports === undefined ? undefined : [...transports];
    this.loggerLevel = logger.level;
    this.levels.length = this.silent.length = 0;
    this.infoMask = this.warnMask = 0;
    for (const [i, transport] of (transports ?? []).entries()) {
      this.levels.push(transport.level);
      this.silent.push(transport.silent);
      // winston-transport's rule: the transport's level, else the logger's, must admit the line.
      const admits = (level: string) =>
        !transport.silent && logger.levels[transport.level ?? logger.level] >= logger.levels[level];
      if (admits('info')) this.infoMask |= 1 << i;
      if (admits('warn')) this.warnMask |= 1 << i;
    }
  }
}

/** readable-stream's pipes of the logger (what winston's `transports` getter reads). */
function pipesOf(logger: winston.Logger): unknown {
  const state = (logger as unknown as { _readableState?: { pipes?: unknown } })._readableState;
  return state === undefined ? logger.transports : state.pipes;
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
