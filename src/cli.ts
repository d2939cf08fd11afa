import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { CliError } from './cli/cli-context';
import { registerBackupCommand } from './cli/backup.command';
import { registerMigrateCommand } from './cli/migrate.command';
import { registerMoleculesCommand } from './cli/molecules.command';
import { registerUsersCommand } from './cli/users.command';
import { ConfigError } from './config/config.loader';

const program = new Command()
  .name('cryoprotect')
  .description('CryoProtect v2 command line (npm run cli -- <command>)')
  .exitOverride()
  .showHelpAfterError();

registerBackupCommand(program);
registerMigrateCommand(program);
registerMoleculesCommand(program);
registerUsersCommand(program);

program.parseAsync(process.argv).then(
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
    const exitCode =
      error instanceof CliError ? error.exitCode : error instanceof ConfigError ? 2 : 1;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      `cryoprotect: ${error instanceof ConfigError ? message : message.split('\n')[0]}\n`,
    );
    process.exit(exitCode);
  },
);
