import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WinstonLogger } from 'nest-winston';
import type * as winston from 'winston';
import { AuthenticatedRequest } from '../auth/access.decorators';
import { elapsedMs } from '../common/request-timing';
import { AppConfig } from '../config/app-config';
import { routeTemplate } from '../metrics/http-metrics.hook';

/**
 * One ECS line per answered request (log.requests): method, route template, path, status,
 * duration, user and request id. A Fastify hook, so 404s and guard rejections are logged too.
 */
@Injectable()
export class RequestLoggingHook implements OnModuleInit {
  private readonly logger = new Logger('http');

  constructor(
    private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!this.config.log.requests || !fastify) return;
    // onSend, not onResponse: the status is final there, and an onResponse hook makes Fastify hang
    // 'finish' and 'error' listeners on every response.
    fastify.addHook('onSend', (request, reply, payload, done) => {
      this.write(requestLine(request, reply));
      done(null, payload);
    });
  }

  /**
   * Handed straight to winston when nest-winston is the application's logger: Nest's Logger and
   * nest-winston's wrapper would each copy the line first, about a third of its cost. The line is
   * the same either way; it passes the same formats (ECS fields, redaction) and transports.
   */
  private write(line: Record<string, unknown>): void {
    const target = this.logger.localInstance;
    if (target instanceof WinstonLogger) target.getWinstonLogger().log(line as winston.LogEntry);
    else this.logger.log(line);
  }
}

/** The fields of a request line (ECS names; `http.route` is the route template). */
export function requestLine(request: FastifyRequest, reply: FastifyReply): Record<string, unknown> {
  const route = routeTemplate(request);
  const status = reply.statusCode;
  const millis = elapsedMs(request);
  const query = request.url.indexOf('?');
  const path = query === -1 ? request.url : request.url.slice(0, query);
  return {
    message: `${request.method} ${path} ${status} ${millis.toFixed(1)} ms`,
    level: status >= 500 ? 'warn' : 'info',
    'event.kind': 'event',
    'event.category': ['web'],
    'event.outcome': status >= 400 ? 'failure' : 'success',
    'event.duration': Math.round(millis * 1e6),
    'http.request.id': request.id,
    'http.request.method': request.method,
    'http.response.status_code': status,
    'http.route': route,
    'url.path': path,
    'client.ip': request.ip,
    'user_agent.original': request.headers['user-agent'],
    'user.id': (request as AuthenticatedRequest).user?.id,
    'log.logger': 'http',
  };
}
