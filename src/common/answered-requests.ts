import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { UNMATCHED_ROUTE } from '../metrics/metric-names';
import { elapsedMs } from './request-timing';

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

const observersOf = new WeakMap<FastifyInstance, AnsweredRequestObserver[]>();

/**
 * Adds an observer of answered requests (the HTTP metrics, the request log). All observers of one
 * server share one Fastify onSend hook, which reads the route template, status and duration once
 * for all of them. onSend, not onResponse: the status is final there, and an onResponse hook makes
 * Fastify hang 'finish' and 'error' listeners on every response. 404s, guard rejections, throttled
 * requests and body-parser failures pass onSend too.
 */
export function observeAnsweredRequests(
  fastify: FastifyInstance,
  observer: AnsweredRequestObserver,
): void {
  let observers = observersOf.get(fastify);
  if (!observers) {
    const list: AnsweredRequestObserver[] = [];
    observers = list;
    observersOf.set(fastify, list);
    fastify.addHook('onSend', (request, reply, payload, done) => {
      const route = routeTemplate(request);
      const status = reply.statusCode;
      const millis = elapsedMs(request);
      for (const notify of list) notify(request, reply, route, status, millis);
      done(null, payload);
    });
  }
  observers.push(observer);
}

/** The matched route's template (`/api/v1/molecules/:id`), or one shared value for unknown routes. */
export function routeTemplate(request: FastifyRequest): string {
  const url = request.routeOptions.url;
  return url && !request.is404 ? url : UNMATCHED_ROUTE;
}
