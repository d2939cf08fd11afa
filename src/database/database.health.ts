import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { withTimeout } from '../common/timeout';
import { Database } from './database';

@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly database: Database,
    private readonly health: HealthIndicatorService,
  ) {}

  async check(key = 'database') {
    const indicator = this.health.check(key);
    const started = performance.now();
    try {
      await withTimeout(this.database.ping(), 3_000);
      return indicator.up({
        kind: this.database.kind,
        latencyMs: Math.round(performance.now() - started),
      });
    } catch (error) {
      return indicator.down({ kind: this.database.kind, message: (error as Error).message });
    }
  }
}
