import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { CacheService } from './cache.service';

@Injectable()
export class CacheHealthIndicator {
  constructor(
    private readonly cache: CacheService,
    private readonly health: HealthIndicatorService,
  ) {}

  async check(key = 'cache') {
    const indicator = this.health.check(key);
    try {
      await this.cache.ping();
      return indicator.up({ backend: this.cache.backend });
    } catch (error) {
      return indicator.down({ backend: this.cache.backend, message: (error as Error).message });
    }
  }
}
