import { SingleBar } from 'cli-progress';
import { Command } from 'commander';
import { BackupService } from '../backup/backup.service';
import { AppError } from '../common/app-error';
import { CliError, CliOptions, output, withAppContext } from './cli-context';

interface TargetOption extends CliOptions {
  target?: string;
}

/** Runs fn with the BackupService; AppErrors become one-line CLI failures naming their code. */
function withBackups<T>(fn: (backups: BackupService) => Promise<T>): Promise<T> {
  return withAppContext((app) => fn(app.get(BackupService))).catch((error: unknown) => {
    if (error instanceof AppError)
      throw new CliError(`${error.code}: ${error.message}`, error.status === 409 ? 3 : 1);
    throw error;
  });
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

export function registerBackupCommand(program: Command): void {
  const backup = program
    .command('backup')
    .description('run, list, verify, restore and prune backups');

  backup
    .command('run')
    .description('take a backup now (every target, or one)')
    .option('--target <name>', 'only this target')
    .option('--json', 'print the result as JSON')
    .action((options: TargetOption) =>
      withBackups(async (backups) => {
        const report = await backups.run({
          targets: options.target ? [options.target] : undefined,
        });
        output(options, report, () =>
          report.results
            .map((result) =>
              result.ok
                ? `${result.target}: ${result.manifest.id} ${mib(result.manifest.data.sizeBytes)} in ${result.manifest.durationSeconds.toFixed(1)} s`
                : `${result.target}: FAILED after ${result.attempts} attempt(s): ${result.code} ${result.message}`,
            )
            .join('\n'),
        );
        if (!report.ok) throw new CliError('backup failed on at least one target');
      }),
    );

  backup
    .command('list')
    .description('list complete backups, newest first')
    .option('--target <name>', 'only this target')
    .option('--json', 'print the result as JSON')
    .action((options: TargetOption) =>
      withBackups(async (backups) => {
        const items = await backups.list(options.target);
        output(options, items, () =>
          items.length === 0
            ? 'no backups'
            : items
                .map(
                  (item) =>
                    `${item.id}  ${item.target.padEnd(10)} ${mib(item.data.sizeBytes).padStart(10)}  rows=${item.tables.reduce((sum, table) => sum + table.rows, 0)}  schema=${item.schemaVersion ?? '-'}  key=${item.encryption?.keyId ?? 'none'}  verified=${item.verification?.mode ?? 'no'}`,
                )
                .join('\n'),
        );
      }),
    );

  backup
    .command('verify <id>')
    .description(
      'verify a backup: sizes and checksums (quick) or decrypt, decompress and restore into a scratch database (--full)',
    )
    .option('--full', 'full verification')
    .option('--target <name>', 'target holding the backup')
    .option('--json', 'print the result as JSON')
    .action((id: string, options: TargetOption & { full?: boolean }) =>
      withBackups(async (backups) => {
        const report = await backups.verify(id, { full: options.full, target: options.target });
        output(options, report, () =>
          [
            `${report.id} on ${report.target}: ${report.mode} verification passed (${mib(report.sizeBytes)}, sha256 ${report.sha256.slice(0, 16)}…)`,
            ...(report.tables ?? []).map((table) => `  ${table.name}: ${table.rows} rows`),
          ].join('\n'),
        );
      }),
    );

  backup
    .command('restore <id>')
    .description(
      'restore a backup into an empty database (migrations, data, sequences); nothing is written unless all of it succeeds',
    )
    .option('--target <name>', 'target holding the backup')
    .option(
      '--target-database <url>',
      'postgres://… or pglite:<folder>; default: the configured database',
    )
    .option('--force', 'replace a database that already holds data')
    .option('--json', 'print the result as JSON')
    .action((id: string, options: TargetOption & { targetDatabase?: string; force?: boolean }) =>
      withBackups(async (backups) => {
        const bar = new SingleBar({
          stream: process.stderr,
          format: 'restore [{bar}] {percentage}% | {step} | {rows} rows',
          hideCursor: true,
        });
        let started = false;
        try {
          const report = await backups.restore(id, {
            target: options.target,
            targetDatabase: options.targetDatabase,
            force: options.force,
            onProgress: (progress) => {
              if (!started) {
                bar.start(progress.totalBytes, 0, { step: progress.step, rows: 0 });
                started = true;
              }
              bar.update(progress.bytesRead, { step: progress.step, rows: progress.rows });
            },
          });
          if (started) bar.update(bar.getTotal());
          bar.stop();
          output(options, report, () =>
            [
              `restored ${report.id} from ${report.target} into ${report.database} in ${report.durationSeconds.toFixed(1)} s (schema ${report.schemaVersion ?? '-'})`,
              ...report.tables.map(
                (table) =>
                  `  ${table.name.padEnd(24)} ${String(table.rows).padStart(10)} rows (backup: ${table.expected}) ${table.rows === table.expected ? 'ok' : 'MISMATCH'}`,
              ),
              `checksum ${report.sha256} ok`,
            ].join('\n'),
          );
        } finally {
          bar.stop();
        }
      }),
    );

  backup
    .command('prune')
    .description(
      'delete backups the retention policy no longer keeps (never the newest verified one)',
    )
    .option('--target <name>', 'only this target')
    .option('--dry-run', 'show what would be deleted')
    .option('--json', 'print the result as JSON')
    .action((options: TargetOption & { dryRun?: boolean }) =>
      withBackups(async (backups) => {
        const reports = await backups.prune({ target: options.target, dryRun: options.dryRun });
        output(options, reports, () =>
          reports
            .map((report) =>
              [
                `${report.target}: keep ${report.keep.length}, ${report.dryRun ? 'would delete' : 'deleted'} ${report.removed.length}`,
                ...report.keep.map((keep) => `  keep   ${keep.id} (${keep.reasons.join(', ')})`),
                ...report.removed.map(
                  (id) => `  ${report.dryRun ? 'would delete' : 'deleted'} ${id}`,
                ),
              ].join('\n'),
            )
            .join('\n'),
        );
      }),
    );
}
