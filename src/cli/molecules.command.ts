import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { extname } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Presets, SingleBar } from 'cli-progress';
import { Command, Option } from 'commander';
import { MoleculeExportService } from '../molecule/molecule-export.service';
import { MoleculeImportService } from '../molecule/molecule-import.service';
import { MoleculeSeedService } from '../molecule/molecule-seed.service';
import { TransferFormat, transferFormats } from '../molecule/molecule.dto';
import { CliError, CliOptions, output, withAppContext } from './cli-context';

// The CLI never seeds on its own: `seed` is explicit, and an import into a new database stays exact.
const noAutoSeed = { molecule: { seedOnFirstStart: false } };

interface ImportOptions extends CliOptions {
  format?: TransferFormat;
}

interface ExportOptions {
  format: TransferFormat;
  out?: string;
}

export function registerMoleculesCommand(program: Command): void {
  program
    .command('seed')
    .description('load the bundled reference cryoprotectants (skips structures already registered)')
    .option('--json', 'print the result as JSON')
    .action(async (options: CliOptions) => {
      const report = await withAppContext((app) => app.get(MoleculeSeedService).seed(), noAutoSeed);
      output(
        options,
        report,
        () => `seed: created ${report.created.length}, skipped ${report.skipped.length}`,
      );
    });

  const molecules = program
    .command('molecules')
    .description('import and export the molecule registry');
  molecules
    .command('import <file>')
    .description(
      'import molecules from a CSV (smiles,name,…) or SDF file; one transaction per record',
    )
    .addOption(
      new Option('--format <format>', 'file format (default: from the file extension)').choices(
        transferFormats,
      ),
    )
    .option('--json', 'print the report as JSON')
    .action(async (file: string, options: ImportOptions) => {
      const format = options.format ?? formatOf(file);
      const size = fileSize(file);
      const report = await withAppContext(async (app) => {
        const source = createReadStream(file);
        const bar = new SingleBar(
          {
            stream: process.stderr,
            format: 'import [{bar}] {percentage}% | {value}/{total} bytes',
          },
          Presets.shades_classic,
        );
        bar.start(size, 0);
        source.on('data', () => bar.update(source.bytesRead));
        try {
          return await app.get(MoleculeImportService).importStream(source, format, null);
        } finally {
          bar.update(size);
          bar.stop();
        }
      }, noAutoSeed);
      output(options, report, () =>
        [
          `${file}: ${report.records} records: created ${report.created.length}, duplicates ${report.duplicates.length}, errors ${report.errors.length}`,
          ...report.duplicates.map(
            (entry) => `  record ${entry.record}: duplicate of ${entry.existingId} (${entry.name})`,
          ),
          ...report.errors.map(
            (entry) => `  record ${entry.record}: ${entry.code}: ${entry.message}`,
          ),
        ].join('\n'),
      );
    });

  molecules
    .command('export')
    .description('export every molecule as CSV or SDF')
    .addOption(
      new Option('--format <format>', 'file format').choices(transferFormats).default('csv'),
    )
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (options: ExportOptions) => {
      await withAppContext(async (app) => {
        const destination: Writable = options.out ? createWriteStream(options.out) : process.stdout;
        const chunks = Readable.from(app.get(MoleculeExportService).chunks(options.format));
        await pipeline(chunks, destination, { end: Boolean(options.out) });
      }, noAutoSeed);
    });
}

function formatOf(file: string): TransferFormat {
  const extension = extname(file).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.sdf' || extension === '.sd') return 'sdf';
  throw new CliError(`cannot tell the format of ${file}; pass --format csv|sdf`, 2);
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    throw new CliError(`cannot read ${file}`);
  }
}
