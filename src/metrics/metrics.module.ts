import { Global, Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { CacheMetrics } from './cache.metrics';
import { DatabaseMetrics } from './database.metrics';
import { DomainCountsRepository } from './domain-counts.repository';
import { DomainMetrics } from './domain.metrics';
import { HttpMetricsHook } from './http-metrics.hook';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/**
 * Prometheus metrics at /metrics. Other modules inject MetricsService to add their own metrics
 * (names in metric-names.ts).
 */
@Global()
@Module({
  imports: [
    PrometheusModule.register({
      path: '/metrics',
      controller: MetricsController,
      // Collected by MetricsService instead: see the comment there.
      defaultMetrics: { enabled: false },
    }),
  ],
  providers: [
    MetricsService,
    HttpMetricsHook,
    DatabaseMetrics,
    CacheMetrics,
    DomainCountsRepository,
    DomainMetrics,
  ],
  exports: [MetricsService],
})
export class MetricsModule {}
