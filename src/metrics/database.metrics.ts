import { Injectable, OnModuleInit } from '@nestjs/common';
import { Histogram } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { Database } from '../database/database';
import { DB_DURATION_BUCKETS, MetricNames } from './metric-names';
import { MetricsService } from './metrics.service';
import {
  activeQueryCount,
  instrumentPglite,
  instrumentPool,
  QueryOperation,
} from './query-instrumentation';

/** Query durations by operation and connection-pool use, for PostgreSQL and embedded PGlite alike. */
@Injectable()
export class DatabaseMetrics implements OnModuleInit {
  private readonly queryDuration: Histogram<'operation'>;

  constructor(
    private readonly metrics: MetricsService,
    private readonly database: Database,
    private readonly config: AppConfig,
  ) {
    this.queryDuration = metrics.histogram({
      name: MetricNames.dbQueryDuration,
      help: 'Database query duration by operation, seconds',
      labelNames: ['operation'],
      buckets: DB_DURATION_BUCKETS,
    });
    const pool = () => this.poolUse();
    metrics.gauge({
      name: MetricNames.dbPoolTotal,
      help: 'Open database connections (PGlite: its one connection)',
      collect() {
        this.set(pool().total);
      },
    });
    metrics.gauge({
      name: MetricNames.dbPoolIdle,
      help: 'Open database connections not running a query',
      collect() {
        this.set(pool().idle);
      },
    });
    metrics.gauge({
      name: MetricNames.dbPoolWaiting,
      help: 'Queries waiting for a free connection',
      collect() {
        this.set(pool().waiting);
      },
    });
    metrics.gauge({
      name: MetricNames.dbPoolMax,
      help: 'Largest number of database connections the pool opens',
      collect() {
        this.set(pool().max);
      },
    });
  }

  onModuleInit(): void {
    if (!this.metrics.enabled) return;
    const observe = (operation: QueryOperation, seconds: number) =>
      this.queryDuration.observe({ operation }, seconds);
    if (this.database.pool) instrumentPool(this.database.pool, observe);
    if (this.database.pglite) instrumentPglite(this.database.pglite, observe);
  }

  private poolUse(): { total: number; idle: number; waiting: number; max: number } {
    const { pool, pglite } = this.database;
    if (pool) {
      return {
        total: pool.totalCount,
        idle: pool.idleCount,
        waiting: pool.waitingCount,
        max: this.config.database.poolMax,
      };
    }
    // PGlite runs one query at a time on its single connection; the others queue.
    const active = pglite ? activeQueryCount(pglite) : 0;
    return { total: 1, idle: active > 0 ? 0 : 1, waiting: Math.max(0, active - 1), max: 1 };
  }
}
