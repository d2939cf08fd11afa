import { Readable } from 'node:stream';
import { AppError } from '../common/app-error';
import { csvRecords, ImportRecord, sdfRecords } from './molecule-import.parsers';

async function collect(records: AsyncGenerator<ImportRecord>): Promise<ImportRecord[]> {
  const out: ImportRecord[] = [];
  for await (const record of records) out.push(record);
  return out;
}

const molfile = (title: string) =>
  [
    title,
    '  test',
    '',
    '  1  0  0  0  0  0  0  0  0  0999 V2000',
    '    0.0000    0.0000    0.0000 C   0  0  0  0  0  0  0  0  0  0  0  0',
    'M  END',
  ].join('\n');

describe('csvRecords', () => {
  it('should map header aliases case-insensitively and number data records from 1 when the header has extra columns', async () => {
    const sut = csvRecords(
      Readable.from([
        '\uFEFFSMILES, Name ,CAS_Number,ignored\nOCC(O)CO,Glycerol,56-81-5,x\n\n',
        'CO,Methanol,,\n',
      ]),
    );
    expect(await collect(sut)).toEqual([
      { record: 1, fields: { smiles: 'OCC(O)CO', name: 'Glycerol', cas: '56-81-5' } },
      { record: 2, fields: { smiles: 'CO', name: 'Methanol' } },
    ]);
  });

  it('should throw MOLECULE_IMPORT_INVALID when the header lacks the name column', async () => {
    await expect(
      collect(csvRecords(Readable.from(['smiles,cas\nCO,67-56-1\n']))),
    ).rejects.toMatchObject({
      code: 'MOLECULE_IMPORT_INVALID',
    });
  });

  it('should throw an AppError when the file is empty', async () => {
    await expect(collect(csvRecords(Readable.from([''])))).rejects.toBeInstanceOf(AppError);
  });
});

describe('sdfRecords', () => {
  it('should read data items, fall back to the title line and count an unterminated last record', async () => {
    const text = `${molfile('Title one')}\n> <NAME>\nMethane\n\n> <tg>\n-100\n\n$$$$\n${molfile('Title two')}\n`;
    const [first, second] = await collect(sdfRecords(Readable.from([text])));
    expect(first.fields).toMatchObject({ name: 'Methane', tg: '-100' });
    expect(first.fields.molfile).toMatch(/M {2}END\n$/);
    expect(second).toMatchObject({ record: 2, fields: { name: 'Title two' } });
  });

  it('should report a record without an M  END line as a problem, not throw', async () => {
    const [record] = await collect(sdfRecords(Readable.from(['just text\n$$$$\n'])));
    expect(record.problem).toMatch(/M {2}END/);
  });
});
