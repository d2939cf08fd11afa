import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram } from 'prom-client';
import { HTTP_DURATION_BUCKETS, MetricNames, UNMATCHED_ROUTE } from './metric-names';
import { MetricsService } from './metrics.service';

type HttpLabel = 'method' | 'route' | 'status_code';
const inFlightMark = Symbol('cryoprotect.inFlight');
type MarkedRequest = FastifyRequest & { [inFlightMark]?: boolean };

/**
 * RED metrics per route template, recorded by Fastify hooks rather than a Nest interceptor: hooks
 * also see 404s, errors thrown by guards, throttled and body-parser failures.
 */
@Injectable()
export class HttpMetricsHook implements OnModuleInit {
  private readonly requests: Counter<HttpLabel>;
  private readonly duration: Histogram<HttpLabel>;
  private readonly inFlight: Gauge;

  constructor(
    private readonly metrics: MetricsService,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    const labelNames: HttpLabel[] = ['method', 'route', 'status_code'];
    this.requests = metrics.counter({
      name: MetricNames.httpRequests,
      help: 'HTTP requests answered',
      labelNames,
    });
    this.duration = metrics.histogram({
      name: MetricNames.httpRequestDuration,
      help: 'HTTP request duration from arrival to response end, seconds',
      labelNames,
      buckets: HTTP_DURATION_BUCKETS,
    });
    this.inFlight = metrics.gauge({
      name: MetricNames.httpRequestsInFlight,
      help: 'HTTP requests being served',
    });
  }

  onModuleInit(): void {
    // No HTTP adapter in the CLI's application context.
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!this.metrics.enabled || !fastify) return;
    fastify.addHook('onRequest', (request: MarkedRequest, _reply, done) => {
      request[inFlightMark] = true;
      this.inFlight.inc();
      done();
    });
    fastify.addHook('onResponse', (request: MarkedRequest, reply, done) => {
      this.finish(request);
      this.record(request, reply);
      done();
    });
    // A client that disconnects early may never get onResponse; the gauge must still come down.
    fastify.addHook('onRequestAbort', (request: MarkedRequest, done) => {
      this.finish(request);
      done();
    });
  }

  private finish(request: MarkedRequest): void {
    if (!request[inFlightMark]) return;
    request[inFlightMark] = false;
    this.inFlight.dec();
  }

  private record(request: FastifyRequest, reply: FastifyReply): void {
    const labels = {
      method: request.method,
      route: routeTemplate(request),
      status_code: String(reply.statusCode),
    };
    this.requests.inc(labels);
    this.duration.observe(labels, reply.elapsedTime / 1000);
  }
}

/** The matched route's template (`/api/v1/molecules/:id`), or one shared value for unknown routes. */
export function routeTemplate(request: FastifyRequest): string {
  const url = request.routeOptions.url;
  return url && !request.is404 ? url : UNMATCHED_ROUTE;
}
