import { randomUUID } from 'node:crypto';
import { LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import helmet from 'helmet';
import { register as promRegister } from 'prom-client';
import { AppModule, AppModuleOptions } from './app.module';
import { RequestContext } from './common/request-context';
import { installRequestHooks } from './common/answered-requests';
import { arrivedAt } from './common/request-timing';
import { Config } from './config/config.schema';
import { Database, DatabaseOptions } from './database/database';
import { migrate } from './database/migrator';
import { LifecycleService } from './health/lifecycle.service';
import { setupOpenApi } from './openapi';

export interface CreateAppOptions {
  /** An already connected database (tests share one); otherwise one is connected from config. */
  database?: Database;
  databaseOptions?: DatabaseOptions;
  logger?: LoggerService | false;
  /** Extra modules mounted beside the application's own (benchmarks add a probe route). */
  imports?: AppModuleOptions['imports'];
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Builds the HTTP application: migrated database, Fastify with the security baseline, OpenAPI. */
export async function createApp(
  config: Readonly<Config>,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const database = options.database ?? (await Database.connect(config, options.databaseOptions));
  try {
    await migrate(database);
    // prom-client keeps metrics in a process-wide registry; a new app starts from an empty one.
    promRegister.clear();

    const adapter = new FastifyAdapter({
      bodyLimit: config.server.bodyLimitBytes,
      trustProxy: config.server.trustProxy,
      // The client's X-Request-Id is kept when it is a sane token; otherwise one is generated.
      requestIdHeader: false,
      genReqId: (request: { headers: Record<string, string | string[] | undefined> }) => {
        const given = request.headers['x-request-id'];
        return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      },
      logger: false,
    });
    const fastify = adapter.getInstance();
    // Properties set on some requests later (the caller, by the access guard) or on every request
    // (its arrival time) are declared up front, as Fastify advises: every request object then has
    // the same shape, so the code that handles requests stays monomorphic. Added per request, an
    // authenticated request had another hidden class than a public one.
    fastify.decorateRequest('user', null);
    fastify.decorateRequest(arrivedAt, 0);
    // The first onRequest hook and the one onSend hook, shared with the metrics and request log.
    installRequestHooks(
      fastify,
      (request, done) => RequestContext.run({ requestId: request.id, ip: request.ip }, done),
      (request, reply) => void reply.header('x-request-id', request.id),
    );

    const app = await NestFactory.create<NestFastifyApplication>(
      AppModule.register({ config, database, imports: options.imports }),
      adapter,
      { logger: options.logger ?? false, abortOnError: false },
    );
    // helmet's middleware is built once: every response gets the same security headers.
    // (@fastify/helmet builds it anew on every request: about a third of a small request.)
    const securityHeaders = helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          // Swagger UI at /docs uses inline styles and an inline bootstrap script.
          styleSrc: ["'self'", "'unsafe-inline'"],
          scriptSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
        },
      },
    });
    fastify.addHook('onRequest', (request, reply, done) => {
      securityHeaders(request.raw, reply.raw, (error?: unknown) =>
        done(error as Error | undefined),
      );
    });
    const origins = config.server.corsOrigins;
    app.enableCors({
      origin: origins.includes('*') ? true : origins.length > 0 ? origins : false,
      exposedHeaders: ['x-request-id', 'etag', 'location'],
    });
    // No app.enableShutdownHooks(): Nest's own SIGTERM handler would close the listener at once.
    // main.ts owns the signals so readiness can answer 503 while in-flight requests drain.
    setupOpenApi(app);
    await app.init();
    app.get(LifecycleService).markRunning();
    return app;
  } catch (error) {
    if (!options.database) await database.close().catch(() => undefined);
    throw error;
  }
}
