import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WinstonLogger } from 'nest-winston';
import type * as winston from 'winston';
import { observeAnsweredRequests } from '../common/answered-requests';
import { AppConfig } from '../config/app-config';
import { RequestLineWriter, requestLine } from './request-line.writer';

/**
 * One ECS line per answered request (log.requests): method, route template, path, status,
 * duration, user and request id. A Fastify hook (observeAnsweredRequests), so 404s and guard
 * rejections are logged too.
 */
@Injectable()
export class RequestLoggingHook implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('http');
  /** The template writer for the winston logger it was made for (see RequestLineWriter). */
  private writer: { for: winston.Logger; writer: RequestLineWriter | undefined } | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!this.config.log.requests || !fastify) return;
    observeAnsweredRequests(fastify, (request, reply, route, status, millis) =>
      this.write(request, reply, route, status, millis),
    );
  }

  /** The lines given to the worker thread reach the transports before the application closes. */
  onModuleDestroy(): void {
    this.writer?.writer?.close();
    this.writer = undefined;
  }

  /**
   * With nest-winston as the application's logger, the line is serialised by template and handed
   * to winston's transports (RequestLineWriter); when that cannot be used, it is logged through
   * winston, and with any other logger through Nest's Logger. The line is the same either way.
   */
  private write(
    request: FastifyRequest,
    reply: FastifyReply,
    route: string,
    status: number,
    millis: number,
  ): void {
    const target = this.logger.localInstance;
    if (target instanceof WinstonLogger) {
      const winstonLogger = target.getWinstonLogger();
      if (this.writer?.for !== winstonLogger) {
        this.writer?.writer?.close();
        this.writer = {
          for: winstonLogger,
          writer: RequestLineWriter.forLogger(winstonLogger, {
            worker: this.config.log.requestWorker,
          }),
        };
      }
      if (this.writer.writer?.write(request, route, status, millis)) return;
      winstonLogger.log(requestLine(request, reply, route, status, millis) as winston.LogEntry);
    } else this.logger.log(requestLine(request, reply, route, status, millis));
  }
}
