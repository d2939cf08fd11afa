import { Injectable } from '@nestjs/common';
import {
  collectDefaultMetrics,
  Counter,
  CounterConfiguration,
  Gauge,
  GaugeConfiguration,
  Histogram,
  HistogramConfiguration,
  Metric,
  register,
  Registry,
} from 'prom-client';
import { AppConfig } from '../config/app-config';

type MetricClass = abstract new (...args: never[]) => unknown;

/**
 * The one place metrics are created. Other modules inject this and ask for their metrics by name
 * (names live in metric-names.ts); asking twice for the same name returns the same metric, so a
 * provider that is instantiated twice (CLI and HTTP in one process) does not throw.
 */
@Injectable()
export class MetricsService {
  /** prom-client's default registry: the one /metrics serves (cleared by createApp per app). */
  readonly registry: Registry = register;
  readonly enabled: boolean;

  constructor(config: AppConfig) {
    this.enabled = config.metrics.enabled;
    // Default process metrics are collected here, not by PrometheusModule.register(), because that
    // runs once at import time and createApp clears the registry for every new app.
    if (this.enabled && !this.registry.getSingleMetric('process_cpu_user_seconds_total')) {
      collectDefaultMetrics({ register: this.registry });
    }
  }

  counter<L extends string>(configuration: CounterConfiguration<L>): Counter<L> {
    return (
      this.existing<Counter<L>>(configuration.name, Counter) ??
      new Counter({ ...configuration, registers: [this.registry] })
    );
  }

  gauge<L extends string>(configuration: GaugeConfiguration<L>): Gauge<L> {
    return (
      this.existing<Gauge<L>>(configuration.name, Gauge) ??
      new Gauge({ ...configuration, registers: [this.registry] })
    );
  }

  histogram<L extends string>(configuration: HistogramConfiguration<L>): Histogram<L> {
    return (
      this.existing<Histogram<L>>(configuration.name, Histogram) ??
      new Histogram({ ...configuration, registers: [this.registry] })
    );
  }

  /**
   * A metric implemented outside prom-client's classes (anything with name, help, type, get() and
   * reset(), as the registry reads it); the one already registered under that name when it is of
   * the same class.
   */
  register<M extends { name: string }>(metric: M): M {
    const found = this.existing<M>(metric.name, metric.constructor as MetricClass);
    if (found) return found;
    this.registry.registerMetric(metric as unknown as Metric);
    return metric;
  }

  /** The exposition text (what /metrics answers). */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  private existing<M>(name: string, kind: MetricClass): M | undefined {
    const found = this.registry.getSingleMetric(name) as unknown;
    if (!found) return undefined;
    if (!(found instanceof kind))
      throw new Error(`metric ${name} is already registered as another type`);
    return found as M;
  }
}
