import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { UNMATCHED_ROUTE } from '../metrics/metric-names';
import { elapsedMs, markArrival } from './request-timing';

/** Told about every request as it arrives, before any guard or handler. */
export type ArrivalObserver = (request: FastifyRequest) => void;

/**
 * Told about every answered request, once its status is final: the route template (never the raw
 * URL), the status code and the milliseconds since it arrived.
 */
export type AnsweredRequestObserver = (
  request: FastifyRequest,
  reply: FastifyReply,
  route: string,
  status: number,
  millis: number,
) => void;

interface Observers {
  arrival: ArrivalObserver[];
  answered: AnsweredRequestObserver[];
}

const observersOf = new WeakMap<FastifyInstance, Observers>();

/**
 * A number an observer keeps on each request (the HTTP metrics: the request's slot in its table of
 * requests being served). Declared on every request up front, as Fastify advises, so that setting it
 * does not change the request's shape.
 */
const slotKey = Symbol('cryoprotect.observationSlot');
type SlottedRequest = FastifyRequest & { [slotKey]: number };

export function setObservationSlot(request: FastifyRequest, slot: number): void {
  (request as SlottedRequest)[slotKey] = slot;
}

/** The request's observation slot; -1 when none was set. */
export function observationSlot(request: FastifyRequest): number {
  return (request as SlottedRequest)[slotKey] ?? -1;
}

/**
 * Installs the server's one onRequest hook (first: it notes the arrival time) and one onSend hook,
 * through which the request's own set-up (`onArrival`, `onAnswer`: the request context, the
 * X-Request-Id header) and every observer (the HTTP metrics, the request log) see each request.
 * Each Fastify hook costs a step of its hook runner per request; one shared pair of hooks means
 * that turning metrics and request logging on adds no hook at all, only the observers' own work.
 *
 * onSend, not onResponse: the status is final there, and an onResponse hook makes Fastify hang
 * 'finish' and 'error' listeners on every response. 404s, guard rejections, throttled requests and
 * body-parser failures pass onSend too. The route template, status and duration are read once for
 * all answered-request observers, and not at all when there are none.
 */
export function installRequestHooks(
  fastify: FastifyInstance,
  onArrival: (request: FastifyRequest, done: () => void) => void,
  onAnswer: (request: FastifyRequest, reply: FastifyReply) => void,
): void {
  if (observersOf.has(fastify)) throw new Error('request hooks are already installed');
  const observers: Observers = { arrival: [], answered: [] };
  observersOf.set(fastify, observers);
  fastify.decorateRequest(slotKey, -1);
  const { arrival, answered } = observers;
  fastify.addHook('onRequest', (request, _reply, done) => {
    markArrival(request);
    for (let i = 0; i < arrival.length; i++) arrival[i](request);
    onArrival(request, done);
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    onAnswer(request, reply);
    if (answered.length > 0) {
      const route = routeTemplate(request);
      const status = reply.statusCode;
      const millis = elapsedMs(request);
      for (let i = 0; i < answered.length; i++) answered[i](request, reply, route, status, millis);
    }
    done(null, payload);
  });
}

/** A server's observers; its hooks are installed here when createApp has not done so. */
function observersFor(fastify: FastifyInstance): Observers {
  if (!observersOf.has(fastify))
    installRequestHooks(
      fastify,
      (_request, done) => done(),
      () => undefined,
    );
  return observersOf.get(fastify)!;
}

/** Adds an observer of arriving requests (the HTTP metrics' in-flight requests). */
export function observeArrivals(fastify: FastifyInstance, observer: ArrivalObserver): void {
  observersFor(fastify).arrival.push(observer);
}

/** Adds an observer of answered requests (the HTTP metrics, the request log). */
export function observeAnsweredRequests(
  fastify: FastifyInstance,
  observer: AnsweredRequestObserver,
): void {
  observersFor(fastify).answered.push(observer);
}

/**
 * Where Fastify keeps a request's route context, whose `config.url` is the matched route's template
 * (undefined for the 404 handler). Fastify's public `request.routeOptions` getter builds a new
 * twelve-field object on every access to hand out that same `url`: read once per request, it was
 * about a third of what metrics and request logging cost a trivial request (A/B under wrk). The
 * symbol is internal to Fastify, so it is only used once it has given the same template as
 * `routeOptions` for the first request that matched a route.
 */
const routeContextKey: symbol | undefined = (() => {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const symbols = require('fastify/lib/symbols') as { kRouteContext?: unknown };
    return typeof symbols.kRouteContext === 'symbol' ? symbols.kRouteContext : undefined;
  } catch {
    return undefined;
  }
})();
/** Whether the route context gives what `routeOptions` gives: unknown until a route matched. */
let routeContextUsable: boolean | undefined;

type RouteContextRequest = FastifyRequest &
  Record<symbol, { config?: { url?: string } } | undefined>;

/** The matched route's template (`/api/v1/molecules/:id`), or one shared value for unknown routes. */
export function routeTemplate(request: FastifyRequest): string {
  if (routeContextUsable)
    return (request as RouteContextRequest)[routeContextKey!]?.config?.url || UNMATCHED_ROUTE;
  const url = request.is404 ? undefined : request.routeOptions.url;
  if (routeContextUsable === undefined && url !== undefined)
    routeContextUsable =
      routeContextKey !== undefined &&
      (request as RouteContextRequest)[routeContextKey]?.config?.url === url;
  return url || UNMATCHED_ROUTE;
}
