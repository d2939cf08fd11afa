import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { loadConfig } from '../config/config.loader';
import { Config } from '../config/config.schema';
import { Database } from '../database/database';
import { migrate } from '../database/migrator';

/** A CLI failure: printed as one line, exit code 1 (2 for usage and configuration errors). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export interface CliOptions {
  json?: boolean;
}

/** Loads config, connects and migrates the database, and boots the Nest modules without HTTP. */
export async function withAppContext<T>(
  fn: (app: INestApplicationContext, config: Readonly<Config>) => Promise<T>,
  overrides?: Record<string, unknown>,
): Promise<T> {
  const config = loadConfig({ overrides });
  const database = await Database.connect(config);
  try {
    await migrate(database);
    const app = await NestFactory.createApplicationContext(
      AppModule.register({ config, database, schedule: false }),
      { logger: ['error'], abortOnError: false },
    );
    try {
      return await fn(app, config);
    } finally {
      await app.close();
    }
  } finally {
    await database.close();
  }
}

/** Prints a result: JSON with --json, otherwise the human text. */
export function output(options: CliOptions, json: unknown, human: () => string): void {
  process.stdout.write(options.json ? `${JSON.stringify(json, null, 2)}\n` : `${human()}\n`);
}
