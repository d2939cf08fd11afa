import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Gauge } from 'prom-client';
import {
  observationSlot,
  observeAnsweredRequests,
  observeArrivals,
  setObservationSlot,
} from '../common/answered-requests';
import { HttpRequestSeries } from './http-request-series';
import { HTTP_DURATION_BUCKETS, MetricNames } from './metric-names';
import { MetricsService } from './metrics.service';

const MIN_SWEEP_AT = 1024;

type RawRequest = FastifyRequest['raw'];

/**
 * RED metrics per route template, recorded by Fastify hooks rather than a Nest interceptor: hooks
 * also see 404s, errors thrown by guards, throttled and body-parser failures. A request is recorded
 * when it is answered (observeArrivals and observeAnsweredRequests: the server's one onRequest and
 * onSend hook, shared with the request log).
 */
@Injectable()
export class HttpMetricsHook implements OnModuleInit {
  /** cryoprotect_http_requests_total and cryoprotect_http_request_duration_seconds. */
  private readonly series: HttpRequestSeries;
  /**
   * Requests between onRequest and onSend. A client that goes away early may never get a
   * response; its request is dropped when the gauge is read (or the table grows), because a
   * per-request 'close' listener (Fastify's onRequestAbort) cost ~20 % of a small request's
   * throughput. A table of slots, not a Set: putting a new request object in a Set makes V8 give it
   * an identity hash (a property store of its own), a cost on every request; the slot's index is
   * kept on the request (its observation slot, declared for every request by createApp).
   */
  private readonly serving: (RawRequest | undefined)[] = [];
  /** The empty slots below the table's length (every other slot holds a request). */
  private readonly freeSlots: number[] = [];
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
        inFlight.set(this.servingCount);
      },
    });
  }

  onModuleInit(): void {
    // No HTTP adapter in the CLI's application context.
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!this.metrics.enabled || !fastify) return;
    observeArrivals(fastify, (request) => {
      const slot = this.freeSlots.length > 0 ? this.freeSlots.pop()! : this.serving.length;
      this.serving[slot] = request.raw;
      setObservationSlot(request, slot);
      if (this.servingCount >= this.sweepAt) this.sweep();
    });
    observeAnsweredRequests(fastify, (request, _reply, route, status, millis) => {
      const slot = observationSlot(request);
      if (slot >= 0 && this.serving[slot] === request.raw) this.release(slot);
      this.series.record(request.method, route, status, millis / 1000);
    });
  }

  private get servingCount(): number {
    return this.serving.length - this.freeSlots.length;
  }

  private release(slot: number): void {
    this.serving[slot] = undefined;
    this.freeSlots.push(slot);
  }

  /** Forgets requests whose connection is gone: they will never be answered. */
  private sweep(): void {
    const { serving } = this;
    for (let slot = 0; slot < serving.length; slot++) {
      const raw = serving[slot];
      if (raw !== undefined && raw.socket?.destroyed !== false) this.release(slot);
    }
    // The table shrinks back when its last slots are free (after a burst).
    while (serving.length > 0 && serving[serving.length - 1] === undefined) serving.pop();
    this.freeSlots.length = 0;
    for (let slot = serving.length - 1; slot >= 0; slot--)
      if (serving[slot] === undefined) this.freeSlots.push(slot);
    this.sweepAt = Math.max(MIN_SWEEP_AT, 2 * this.servingCount);
  }
}
