import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram } from 'prom-client';
import { elapsedMs } from '../common/request-timing';
import { HTTP_DURATION_BUCKETS, MetricNames, UNMATCHED_ROUTE } from './metric-names';
import { MetricsService } from './metrics.service';

const MIN_SWEEP_AT = 1024;

type HttpLabel = 'method' | 'route' | 'status_code';
type RawRequest = FastifyRequest['raw'];

/**
 * RED metrics per route template, recorded by Fastify hooks rather than a Nest interceptor: hooks
 * also see 404s, errors thrown by guards, throttled and body-parser failures. A request is recorded
 * in onSend, when its status is final and the response is handed to the socket, not in onResponse:
 * an onResponse hook makes Fastify hang 'finish' and 'error' listeners on every response.
 */
@Injectable()
export class HttpMetricsHook implements OnModuleInit {
  private readonly requests: Counter<HttpLabel>;
  private readonly duration: Histogram<HttpLabel>;
  /**
   * Requests between onRequest and onSend. A client that goes away early may never get a
   * response; its request is dropped when the gauge is read (or the set grows), because a
   * per-request 'close' listener (Fastify's onRequestAbort) cost ~20 % of a small request's
   * throughput.
   */
  private readonly serving = new Set<RawRequest>();
  private sweepAt = MIN_SWEEP_AT;

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
      help: 'HTTP request duration from arrival until the response is sent, seconds',
      labelNames,
      buckets: HTTP_DURATION_BUCKETS,
    });
    const inFlight: Gauge = metrics.gauge({
      name: MetricNames.httpRequestsInFlight,
      help: 'HTTP requests being served',
      collect: () => {
        this.sweep();
        inFlight.set(this.serving.size);
      },
    });
  }

  onModuleInit(): void {
    // No HTTP adapter in the CLI's application context.
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!this.metrics.enabled || !fastify) return;
    fastify.addHook('onRequest', (request, _reply, done) => {
      this.serving.add(request.raw);
      if (this.serving.size >= this.sweepAt) this.sweep();
      done();
    });
    fastify.addHook('onSend', (request, reply, payload, done) => {
      this.serving.delete(request.raw);
      this.record(request, reply);
      done(null, payload);
    });
  }

  /** Forgets requests whose connection is gone: they will never be answered. */
  private sweep(): void {
    for (const raw of this.serving) if (raw.socket?.destroyed !== false) this.serving.delete(raw);
    this.sweepAt = Math.max(MIN_SWEEP_AT, 2 * this.serving.size);
  }

  private record(request: FastifyRequest, reply: FastifyReply): void {
    const labels = {
      method: request.method,
      route: routeTemplate(request),
      status_code: String(reply.statusCode),
    };
    this.requests.inc(labels);
    this.duration.observe(labels, elapsedMs(request) / 1000);
  }
}

/** The matched route's template (`/api/v1/molecules/:id`), or one shared value for unknown routes. */
export function routeTemplate(request: FastifyRequest): string {
  const url = request.routeOptions.url;
  return url && !request.is404 ? url : UNMATCHED_ROUTE;
}
