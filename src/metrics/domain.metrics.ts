import { Injectable, Logger } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { withTimeout } from '../common/timeout';
import { DomainCountsRepository, DomainTable } from './domain-counts.repository';
import { MetricNames } from './metric-names';
import { MetricsService } from './metrics.service';

/** Counts are reused for this long, so frequent scrapes do not count tables each time. */
const COUNT_TTL_MS = 15_000;
/** A slow count must not hold up a scrape. */
const COUNT_TIMEOUT_MS = 2_000;

/**
 * Domain gauges (molecules, mixtures, experiments), counted at scrape time. A missing table
 * reports nothing; a failing count keeps the last known values and never fails the scrape.
 */
@Injectable()
export class DomainMetrics {
  private readonly logger = new Logger(DomainMetrics.name);
  private counts: Partial<Record<DomainTable, number>> = {};
  private countedAt = 0;
  private pending?: Promise<void>;

  constructor(
    metrics: MetricsService,
    private readonly repository: DomainCountsRepository,
  ) {
    const gauges: Array<[DomainTable, string, string]> = [
      ['molecules', MetricNames.molecules, 'Registered molecules'],
      ['mixtures', MetricNames.mixtures, 'Recorded mixtures'],
      ['experiments', MetricNames.experiments, 'Recorded experiments'],
    ];
    const refresh = () => this.current();
    for (const [table, name, help] of gauges) {
      metrics.gauge({
        name,
        help,
        collect: async function (this: Gauge) {
          const value = (await refresh())[table];
          // No sample at all (rather than 0) while the table does not exist.
          if (value === undefined) this.remove({});
          else this.set(value);
        },
      });
    }
  }

  async current(): Promise<Partial<Record<DomainTable, number>>> {
    if (Date.now() - this.countedAt > COUNT_TTL_MS) {
      this.pending ??= this.recount().finally(() => (this.pending = undefined));
      await this.pending;
    }
    return this.counts;
  }

  private async recount(): Promise<void> {
    try {
      this.counts = await withTimeout(this.repository.countDomainRows(), COUNT_TIMEOUT_MS);
    } catch (error) {
      this.logger.warn(`domain gauges kept their last values: ${(error as Error).message}`);
    }
    this.countedAt = Date.now();
  }
}
