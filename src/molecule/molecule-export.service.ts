import { Readable } from 'node:stream';
import { Injectable, StreamableFile } from '@nestjs/common';
import { ChemistryPort } from './chemistry/chemistry.port';
import { TransferFormat } from './molecule.dto';
import { MoleculeRepository, MoleculeRow } from './molecule.repository';

const BATCH_SIZE = 500;

/** The CSV columns of an export; the importer reads the same names back. */
export const EXPORT_CSV_COLUMNS = [
  'id',
  'name',
  'smiles',
  'inchikey',
  'formula',
  'molecular_weight',
  'cas',
  'synonyms',
  'pubchem_cid',
  'density',
  'tg',
  'tg_source',
] as const;

/** Streams the whole registry as CSV or SDF, reading it in keyset batches. */
@Injectable()
export class MoleculeExportService {
  constructor(
    private readonly molecules: MoleculeRepository,
    private readonly chemistry: ChemistryPort,
  ) {}

  export(format: TransferFormat): StreamableFile {
    return new StreamableFile(Readable.from(this.chunks(format)), {
      type: format === 'csv' ? 'text/csv; charset=utf-8' : 'chemical/x-mdl-sdfile',
      disposition: `attachment; filename="molecules.${format}"`,
    });
  }

  /** The export as text chunks, one per molecule (after the CSV header). */
  async *chunks(format: TransferFormat): AsyncGenerator<string> {
    if (format === 'csv') yield `${EXPORT_CSV_COLUMNS.join(',')}\n`;
    let after: string | undefined;
    for (;;) {
      const batch = await this.molecules.findBatchAfter(after, BATCH_SIZE);
      if (batch.length === 0) return;
      for (const row of batch) yield format === 'csv' ? csvLine(row) : this.sdfEntry(row);
      after = batch[batch.length - 1].id;
    }
  }

  private sdfEntry(row: MoleculeRow): string {
    const molfile = isMolfile(row.inputStructure)
      ? row.inputStructure
      : this.chemistry.molfile(row.canonicalSmiles);
    const lines = molfile.replace(/\r\n/g, '\n').trimEnd().split('\n');
    // The molfile's first line is its title: the molecule's name.
    lines[0] = row.name.replace(/[\r\n]/g, ' ').slice(0, 80);
    const data: [string, string | number | null][] = [
      ['id', row.id],
      ['name', row.name],
      ['smiles', row.canonicalSmiles],
      ['inchikey', row.inchikey],
      ['cas', row.casNumber],
      ['synonyms', row.synonyms.join('|')],
      ['pubchem_cid', row.pubchemCid],
      ['density', row.densityGPerMl],
      ['tg', row.tgCelsius],
      ['tg_source', row.tgSource],
    ];
    const items = data
      .filter(([, value]) => value !== null && value !== '')
      .map(([key, value]) => `> <${key}>\n${String(value).replace(/\r?\n/g, ' ')}\n`);
    return `${lines.join('\n')}\n${items.join('\n')}\n$$$$\n`;
  }
}

function isMolfile(structure: string): boolean {
  return /\n\s*M {2}END\s*$/.test(structure.trimEnd() + '\n');
}

function csvLine(row: MoleculeRow): string {
  const values = [
    row.id,
    row.name,
    row.canonicalSmiles,
    row.inchikey,
    row.formula,
    row.molecularWeight,
    row.casNumber,
    row.synonyms.join('|'),
    row.pubchemCid,
    row.densityGPerMl,
    row.tgCelsius,
    row.tgSource,
  ];
  return `${values.map(csvField).join(',')}\n`;
}

function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}
