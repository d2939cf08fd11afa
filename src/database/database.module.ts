import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { Database } from './database';
import { DatabaseHealthIndicator } from './database.health';

/**
 * Provides the connected, migrated Database. The instance is created before the Nest app (see
 * app.factory.ts) so migrations finish before any module starts.
 */
@Global()
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(Database) private readonly database: Database) {}

  static forDatabase(database: Database) {
    return {
      module: DatabaseModule,
      imports: [TerminusModule],
      providers: [{ provide: Database, useValue: database }, DatabaseHealthIndicator],
      exports: [Database, DatabaseHealthIndicator],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.database.close();
  }
}
