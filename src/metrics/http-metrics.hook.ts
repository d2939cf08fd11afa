import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Gauge } from 'prom-client';
import { observeAnsweredRequests } from '../common/answered-requests';
import { HttpRequestSeries } from './http-request-series';
import { HTTP_DURATION_BUCKETS, MetricNames } from './metric-names';
import { MetricsService } from './metrics.service';

const MIN_SWEEP_AT = 1024;

type RawRequest = FastifyRequest['raw'];

/**
 * RED metrics per route template, recorded by Fastify hooks rather than a Nest interceptor: hooks
 * also see 404s, errors thrown by guards, throttled and body-parser failures. A request is recorded
 * when it is answered (observeAnsweredRequests: Fastify's onSend, shared with the request log).
 */
@Injectable()
export class HttpMetricsHook implements OnModuleInit {
  /** cryoprotect_http_requests_total and cryoprotect_http_request_duration_seconds. */
  private readonly series: HttpRequestSeries;
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
    const series = new HttpRequestSeries(HTTP_DURATION_BUCKETS);
    // A second hook in the same process (CLI and HTTP) records into the series already exported.
    this.series = metrics.register(
      series.counter(MetricNames.httpRequests, 'HTTP requests answered'),
    ).source;
    metrics.register(
      this.series.histogram(
        MetricNames.httpRequestDuration,
        'HTTP request duration from arrival until the response is sent, seconds',
      ),
    );
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
    observeAnsweredRequests(fastify, (request, _reply, route, status, millis) => {
      this.serving.delete(request.raw);
      this.series.record(request.method, route, status, millis / 1000);
    });
  }

  /** Forgets requests whose connection is gone: they will never be answered. */
  private sweep(): void {
    for (const raw of this.serving) if (raw.socket?.destroyed !== false) this.serving.delete(raw);
    this.sweepAt = Math.max(MIN_SWEEP_AT, 2 * this.serving.size);
  }
}
