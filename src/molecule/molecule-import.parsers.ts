import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { MoleculeErrors } from './molecule.errors';

/** One record of an import file, before validation: raw text fields by canonical column name. */
export interface ImportRecord {
  /** 1-based position among the data records (the CSV header is not a record). */
  record: number;
  fields: Partial<Record<ImportField, string>>;
  /** Set when the record itself could not be read (e.g. an over-long SDF entry). */
  problem?: string;
}

export type ImportField =
  'smiles' | 'molfile' | 'name' | 'cas' | 'synonyms' | 'density' | 'tg' | 'tgSource' | 'pubchemCid';

// Header names (lower-cased, spaces/dashes as underscores) accepted for each field.
const aliases: Record<string, ImportField> = {
  smiles: 'smiles',
  canonical_smiles: 'smiles',
  name: 'name',
  cas: 'cas',
  cas_number: 'cas',
  casnumber: 'cas',
  cas_rn: 'cas',
  synonyms: 'synonyms',
  density: 'density',
  density_g_per_ml: 'density',
  tg: 'tg',
  tg_celsius: 'tg',
  tg_source: 'tgSource',
  pubchem_cid: 'pubchemCid',
  pubchemcid: 'pubchemCid',
  cid: 'pubchemCid',
};

const MAX_RECORD_BYTES = 1_048_576;

function fieldFor(header: string): ImportField | undefined {
  return aliases[
    header
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_')
  ];
}

/** CSV with a header row naming at least a SMILES and a name column (case-insensitive). */
export async function* csvRecords(source: Readable): AsyncGenerator<ImportRecord> {
  const parser = source.pipe(
    parse({
      bom: true,
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
      max_record_size: MAX_RECORD_BYTES,
    }),
  );
  source.on('error', (error) => parser.destroy(error));
  let columns: (ImportField | undefined)[] | undefined;
  let record = 0;
  for await (const row of parser as AsyncIterable<string[]>) {
    if (!columns) {
      columns = row.map(fieldFor);
      const missing = (['smiles', 'name'] as const).filter((field) => !columns!.includes(field));
      if (missing.length > 0) throw MoleculeErrors.importMissingColumns(missing);
      continue;
    }
    record++;
    const fields: ImportRecord['fields'] = {};
    row.forEach((value, index) => {
      const field = columns![index];
      if (field && value !== '') fields[field] = value;
    });
    yield { record, fields };
  }
  if (!columns)
    throw MoleculeErrors.importMalformed('The CSV file is empty: it needs a header row.');
}

/**
 * SDF: V2000 molfiles separated by `$$$$`, each followed by data items (`> <name>` and the value on
 * the next lines). The molfile title line is the fallback name.
 */
export async function* sdfRecords(source: Readable): AsyncGenerator<ImportRecord> {
  const lines = createInterface({ input: source, crlfDelay: Infinity });
  let record = 0;
  let buffer: string[] = [];
  let bytes = 0;
  let oversized = false;
  for await (const line of lines) {
    if (line.startsWith('$$$$')) {
      record++;
      yield oversized
        ? { record, fields: {}, problem: `the record is larger than ${MAX_RECORD_BYTES} bytes` }
        : parseSdfRecord(record, buffer);
      buffer = [];
      bytes = 0;
      oversized = false;
      continue;
    }
    bytes += line.length + 1;
    if (bytes > MAX_RECORD_BYTES) oversized = true;
    else buffer.push(line);
  }
  // A last record without its `$$$$` terminator still counts when it has content.
  if (oversized || buffer.some((line) => line.trim() !== '')) {
    record++;
    yield oversized
      ? { record, fields: {}, problem: 'the record is too large' }
      : parseSdfRecord(record, buffer);
  }
}

function parseSdfRecord(record: number, lines: string[]): ImportRecord {
  const end = lines.findIndex((line) => line.trimEnd() === 'M  END');
  if (end < 0) return { record, fields: {}, problem: 'no "M  END" line: not a molfile' };
  const fields: ImportRecord['fields'] = { molfile: `${lines.slice(0, end + 1).join('\n')}\n` };
  const title = lines[0]?.trim();
  if (title) fields.name = title;
  for (let index = end + 1; index < lines.length; index++) {
    const header = /^>.*<([^>]+)>/.exec(lines[index]);
    if (!header) continue;
    const values: string[] = [];
    while (index + 1 < lines.length && lines[index + 1].trim() !== '')
      values.push(lines[++index].trim());
    const field = fieldFor(header[1]);
    if (field && field !== 'smiles' && values.length > 0) fields[field] = values.join(' ');
  }
  return { record, fields };
}
