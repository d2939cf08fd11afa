import { DynamicModule, Module, ModuleMetadata } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { AuditModule } from './audit/audit.module';
import { AccessGuard } from './auth/access.guard';
import { AuthModule } from './auth/auth.module';
import { BackupModule } from './backup/backup.module';
import { CacheModule } from './cache/cache.module';
import { FixedWindowThrottlerStorage } from './common/fixed-window-throttler.storage';
import { ProblemDetailsFilter } from './common/problem-details.filter';
import { ZodValidationPipe } from './common/zod';
import { ConfigModule } from './config/config.module';
import { Config } from './config/config.schema';
import { Database } from './database/database';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { MoleculeModule } from './molecule/molecule.module';
import { PoliciesGuard } from './rbac/policies.guard';
import { RbacModule } from './rbac/rbac.module';

export interface AppModuleOptions {
  config: Readonly<Config>;
  database: Database;
  /** false for the CLI: no scheduled jobs. */
  schedule?: boolean;
  imports?: NonNullable<ModuleMetadata['imports']>;
}

@Module({})
export class AppModule {
  static register({
    config,
    database,
    schedule = true,
    imports = [],
  }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forDatabase(database),
        ...(schedule ? [ScheduleModule.forRoot()] : []),
        ThrottlerModule.forRoot({
          storage: new FixedWindowThrottlerStorage(),
          throttlers: [
            {
              ttl: config.server.rateLimit.windowSeconds * 1000,
              limit: config.server.rateLimit.limit,
            },
          ],
        }),
        LoggingModule,
        MetricsModule,
        CacheModule,
        HealthModule,
        RbacModule,
        AuditModule,
        AuthModule,
        MoleculeModule,
        BackupModule,
        ...imports,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useClass: ZodValidationPipe },
        // Order matters: rate limit, then who is calling, then what they may do.
        { provide: APP_GUARD, useClass: ThrottlerGuard },
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_GUARD, useExisting: PoliciesGuard },
      ],
    };
  }
}
