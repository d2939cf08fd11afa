import { Command } from 'commander';
import { loadConfig } from '../config/config.loader';
import { Database } from '../database/database';
import { migrate } from '../database/migrator';
import { CliOptions, output } from './cli-context';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply pending SQL migrations to the configured database')
    .option('--json', 'print the result as JSON')
    .action(async (options: CliOptions) => {
      const config = loadConfig();
      const database = await Database.connect(config);
      try {
        const result = await migrate(database);
        output(options, { database: database.description, ...result }, () =>
          result.applied.length === 0
            ? `${database.description}: up to date (${result.current ?? 'no migrations'})`
            : `${database.description}: applied ${result.applied.join(', ')}`,
        );
      } finally {
        await database.close();
      }
    });
}
