import { performance } from 'node:perf_hooks';
import type { FastifyRequest } from 'fastify';

/** Where a request's arrival time is kept (declared on Fastify's request by createApp). */
export const arrivedAt = Symbol('cryoprotect.arrivedAt');
type TimedRequest = FastifyRequest & { [arrivedAt]?: number };

/** Notes when a request arrived (the first onRequest hook, in createApp). */
export function markArrival(request: FastifyRequest): void {
  (request as TimedRequest)[arrivedAt] = performance.now();
}

/**
 * Milliseconds since the request arrived. Fastify's reply.elapsedTime is only kept when an
 * onResponse hook exists, and such a hook costs two listeners on every response.
 */
export function elapsedMs(request: FastifyRequest): number {
  const start = (request as TimedRequest)[arrivedAt];
  return start === undefined ? 0 : performance.now() - start;
}
