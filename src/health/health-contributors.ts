import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult } from '@nestjs/terminus';

export type HealthContributor = () => Promise<HealthIndicatorResult>;

/**
 * Non-critical readiness details other modules add (for example backup freshness). They are shown
 * in /health/ready but never make it fail.
 */
@Injectable()
export class HealthContributors {
  private readonly contributors: HealthContributor[] = [];

  register(contributor: HealthContributor): void {
    this.contributors.push(contributor);
  }

  all(): readonly HealthContributor[] {
    return this.contributors;
  }
}
