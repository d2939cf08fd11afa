import { Global, Module } from '@nestjs/common';
import { RequestLoggingHook } from './request-logging.hook';

/**
 * Request logging. The process logger itself (ECS JSON, redaction, request ids) is created before
 * the app by createLogger() in logger.factory.ts and handed to Nest, so every `new Logger(…)` in
 * any module writes through it.
 */
@Global()
@Module({ providers: [RequestLoggingHook] })
export class LoggingModule {}
