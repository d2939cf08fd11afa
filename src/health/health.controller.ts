import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import {
  DiskHealthIndicator,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorResult,
  MemoryHealthIndicator,
} from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/access.decorators';
import { CacheHealthIndicator } from '../cache/cache.health';
import { AppConfig } from '../config/app-config';
import { DatabaseHealthIndicator } from '../database/database.health';
import { HealthContributors } from './health-contributors';
import { LifecycleService } from './lifecycle.service';

type ReadyBody = HealthCheckResult & { phase: string; degraded: Record<string, unknown> };

@ApiTags('health')
@Public()
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly lifecycle: LifecycleService,
    private readonly database: DatabaseHealthIndicator,
    private readonly cache: CacheHealthIndicator,
    private readonly disk: DiskHealthIndicator,
    private readonly memory: MemoryHealthIndicator,
    private readonly contributors: HealthContributors,
    private readonly config: AppConfig,
  ) {}

  @Get('live')
  @HttpCode(200)
  @ApiOperation({ summary: 'Liveness: the process is running and its event loop answers.' })
  getLiveness() {
    return { status: 'ok', phase: this.lifecycle.phase };
  }

  @Get('startup')
  @ApiOperation({ summary: 'Startup: migrations ran and every module finished initialising.' })
  getStartup(@Res({ passthrough: true }) reply: FastifyReply) {
    const started = this.lifecycle.phase !== 'starting';
    void reply.status(started ? 200 : 503);
    return { status: started ? 'ok' : 'starting', phase: this.lifecycle.phase };
  }

  @Get('ready')
  @ApiOperation({
    summary:
      'Readiness: database, disk and heap are fine and the process is not draining. The cache and other non-critical parts are reported under `degraded` without failing readiness.',
  })
  async getReadiness(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadyBody> {
    const heapLimit = 2 * 1024 * 1024 * 1024;
    let result: HealthCheckResult;
    try {
      result = await this.health.check([
        () => this.database.check(),
        () => this.disk.checkStorage('disk', { path: this.config.dataDir, thresholdPercent: 0.98 }),
        () => this.memory.checkHeap('heap', heapLimit),
      ]);
    } catch (error) {
      result = (error as { getResponse(): HealthCheckResult }).getResponse();
    }
    const optional: HealthIndicatorResult[] = await Promise.all([
      this.cache.check(),
      ...this.contributors.all().map((contributor) => contributor()),
    ]);
    const degraded: Record<string, unknown> = {};
    for (const part of optional) {
      for (const [key, value] of Object.entries(part)) {
        result.details[key] = value;
        if (value.status !== 'up') degraded[key] = value;
      }
    }
    const draining = this.lifecycle.phase === 'draining';
    const ok = result.status === 'ok' && !draining;
    void reply.status(ok ? 200 : 503);
    return { ...result, status: ok ? 'ok' : 'error', phase: this.lifecycle.phase, degraded };
  }
}
