import { timingSafeEqual } from 'node:crypto';
import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/access.decorators';
import { AppError } from '../common/app-error';
import { AppConfig } from '../config/app-config';

/** `/metrics` for Prometheus: public unless metrics.bearerToken is set; 404 when metrics are off. */
@ApiExcludeController()
@Public()
@SkipThrottle()
@Controller()
export class MetricsController extends PrometheusController {
  private readonly expected?: Buffer;

  constructor(private readonly config: AppConfig) {
    super();
    this.expected = config.metrics.bearerToken
      ? Buffer.from(`Bearer ${config.metrics.bearerToken}`)
      : undefined;
  }

  @Get()
  override index(
    @Res({ passthrough: true }) response: FastifyReply,
    @Headers('authorization') authorization?: string,
  ) {
    if (!this.config.metrics.enabled) {
      throw new AppError('METRICS_DISABLED', 404, 'Metrics are disabled', {
        detail: 'Set METRICS_ENABLED=true.',
      });
    }
    if (this.expected && !this.authorized(authorization)) {
      throw new AppError('METRICS_AUTH_REQUIRED', 401, 'Authentication required', {
        detail: 'Send the configured metrics token as Authorization: Bearer <token>.',
      });
    }
    return super.index(response);
  }

  private authorized(authorization: string | undefined): boolean {
    const given = Buffer.from(authorization ?? '');
    return given.length === this.expected!.length && timingSafeEqual(given, this.expected!);
  }
}
