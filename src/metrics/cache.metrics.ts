import { Injectable } from '@nestjs/common';
import { CacheService } from '../cache/cache.service';
import { MetricNames } from './metric-names';
import { MetricsService } from './metrics.service';

/** Cache hits, misses and errors, read from CacheService's own counters at scrape time. */
@Injectable()
export class CacheMetrics {
  constructor(metrics: MetricsService, cache: CacheService) {
    const labels = { backend: cache.backend };
    const counter = (name: string, help: string, read: () => number) =>
      metrics.counter({
        name,
        help,
        labelNames: ['backend'],
        collect() {
          // CacheService counts monotonically; the counter mirrors its value.
          this.reset();
          this.inc(labels, read());
        },
      });
    counter(MetricNames.cacheHits, 'Cache lookups that found a value', () => cache.counters.hits);
    counter(
      MetricNames.cacheMisses,
      'Cache lookups that found nothing (failures included)',
      () => cache.counters.misses,
    );
    counter(
      MetricNames.cacheErrors,
      'Cache backend failures and timeouts (each treated as a miss)',
      () => cache.counters.errors,
    );
  }
}
