import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { MetricNames } from '../metrics/metric-names';
import { MetricsService } from '../metrics/metrics.service';

type Labels = 'target' | 'schedule';

/** Backup metrics (names fixed in metric-names.ts: the alert rules and dashboard use them). */
@Injectable()
export class BackupMetrics {
  readonly lastSuccess: Gauge<Labels>;
  readonly duration: Histogram<Labels>;
  readonly size: Gauge<Labels>;
  readonly failures: Counter<Labels>;
  readonly verifyLastSuccess: Gauge<Labels>;
  readonly skipped: Counter<'schedule'>;

  constructor(metrics: MetricsService) {
    const labelNames = ['target', 'schedule'] as const;
    this.lastSuccess = metrics.gauge({
      name: MetricNames.backupLastSuccess,
      help: 'Unix time of the last successful backup',
      labelNames,
    });
    this.duration = metrics.histogram({
      name: MetricNames.backupDuration,
      help: 'Duration of backup runs in seconds',
      labelNames,
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
    });
    this.size = metrics.gauge({
      name: MetricNames.backupSize,
      help: 'Size of the last backup in bytes',
      labelNames,
    });
    this.failures = metrics.counter({
      name: MetricNames.backupFailures,
      help: 'Failed backup runs',
      labelNames,
    });
    this.verifyLastSuccess = metrics.gauge({
      name: MetricNames.backupVerifyLastSuccess,
      help: 'Unix time of the last successful backup verification',
      labelNames,
    });
    this.skipped = metrics.counter({
      name: 'cryoprotect_backup_skipped_total',
      help: 'Scheduled backup runs skipped because the previous run was still going or another replica held the lock',
      labelNames: ['schedule'],
    });
  }
}
