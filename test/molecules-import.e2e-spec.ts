import {
  ETHANOL_MOLFILE,
  listAllPages,
  METHANOL_MOLFILE,
  MoleculeBody,
  ProblemBody,
  registerMolecule,
  WRONG_ATOM_COUNT_MOLFILE,
} from './support/molecule-fixtures';
import { describeEachDatabase } from './support/test-app';

interface ImportReport {
  format: string;
  records: number;
  created: { record: number; id: string; name: string; inchikey: string }[];
  duplicates: { record: number; name: string; inchikey: string; existingId: string }[];
  errors: { record: number; name: string | null; code: string; message: string }[];
}

const IMPORT_LIMIT = 64 * 1024;

describeEachDatabase(
  'molecule import and export',
  (ctx) => {
    let researcher: { headers: Record<string, string> };
    let viewer: { headers: Record<string, string> };
    let glycerol: MoleculeBody;

    const post = (body: string, contentType: string, query = '') =>
      ctx().request(`/api/v1/molecules/import${query}`, {
        method: 'POST',
        headers: { ...researcher.headers, 'content-type': contentType },
        body,
      });

    beforeAll(async () => {
      researcher = await ctx().signIn('researcher');
      viewer = await ctx().signIn('viewer');
      glycerol = await registerMolecule(ctx(), researcher.headers, {
        smiles: 'OCC(O)CO',
        name: 'Glycerol',
      });
    });

    it('should keep exactly the good CSV rows and report duplicates and bad rows by record number', async () => {
      const csv = [
        'Name,SMILES,CAS,Synonyms,Density,Tg',
        'Ethylene glycol,OCCO,107-21-1,"EG|ethane-1,2-diol",1.113,-121',
        'Glycerol again,OCC(O)CO,,,,',
        'Broken,C1CC(,,,,',
        ',CS(C)=O,,,,',
        'Bad CAS,CCCCCCCO,56-81-4,,,',
        'Propylene glycol,CC(O)CO,57-55-6,PG,1.036,',
        '"Quoted, name",OCCCO,,,,',
        'Ethylene glycol twice,C(CO)O,,,,',
        'Bad density,CCCCCCCCO,,,heavy,',
      ].join('\n');
      const response = await post(csv, 'text/csv');
      expect(response.status).toBe(200);
      const report = (await response.json()) as ImportReport;
      expect(report.format).toBe('csv');
      expect(report.records).toBe(9);
      expect(report.created.map((entry) => [entry.record, entry.name])).toEqual([
        [1, 'Ethylene glycol'],
        [6, 'Propylene glycol'],
        [7, 'Quoted, name'],
      ]);
      expect(report.duplicates).toEqual([
        expect.objectContaining({ record: 2, existingId: glycerol.id }),
        expect.objectContaining({ record: 8, existingId: report.created[0].id }),
      ]);
      expect(report.errors.map((entry) => [entry.record, entry.code])).toEqual([
        [3, 'MOLECULE_INVALID_SMILES'],
        [4, 'VALIDATION_FAILED'],
        [5, 'VALIDATION_FAILED'],
        [9, 'VALIDATION_FAILED'],
      ]);
      const ethyleneGlycol = (await (
        await ctx().request(`/api/v1/molecules/${report.created[0].id}`, {
          headers: viewer.headers,
        })
      ).json()) as MoleculeBody;
      expect(ethyleneGlycol).toMatchObject({
        casNumber: '107-21-1',
        synonyms: ['EG', 'ethane-1,2-diol'],
        densityGPerMl: 1.113,
        tgCelsius: -121,
      });
      const stored = await listAllPages(ctx(), viewer.headers, { limit: '200' });
      expect(stored.items.map((item) => item.name).sort()).toEqual([
        'Ethylene glycol',
        'Glycerol',
        'Propylene glycol',
        'Quoted, name',
      ]);
    });

    it('should import SDF records with their data fields and report a record with a wrong atom count', async () => {
      const sdf = [
        `${ETHANOL_MOLFILE}> <name>\nEthanol\n\n> <CAS>\n64-17-5\n\n> <tg>\n-176\n\n$$$$`,
        `${WRONG_ATOM_COUNT_MOLFILE}> <name>\nBroken\n\n$$$$`,
        `${ETHANOL_MOLFILE.replace('Ethanol', 'Ethanol by title')}$$$$`,
      ].join('\n');
      const response = await post(sdf, 'chemical/x-mdl-sdfile');
      expect(response.status).toBe(200);
      const report = (await response.json()) as ImportReport;
      expect(report.format).toBe('sdf');
      expect(report.created).toEqual([
        expect.objectContaining({
          record: 1,
          name: 'Ethanol',
          inchikey: 'LFQSCWFLJHTTHZ-UHFFFAOYSA-N',
        }),
      ]);
      expect(report.errors).toEqual([
        expect.objectContaining({ record: 2, code: 'MOLECULE_INVALID_MOLFILE' }),
      ]);
      expect(report.duplicates).toEqual([
        expect.objectContaining({ record: 3, existingId: report.created[0].id }),
      ]);
      const ethanol = (await (
        await ctx().request(`/api/v1/molecules/${report.created[0].id}`, {
          headers: viewer.headers,
        })
      ).json()) as MoleculeBody;
      expect(ethanol).toMatchObject({ casNumber: '64-17-5', tgCelsius: -176 });
    });

    it('should accept application/octet-stream with ?format=sdf', async () => {
      const response = await post(
        `${METHANOL_MOLFILE}$$$$\n`,
        'application/octet-stream',
        '?format=sdf',
      );
      expect(response.status).toBe(200);
      const report = (await response.json()) as ImportReport;
      expect(report.created).toEqual([
        expect.objectContaining({ name: 'Methanol', inchikey: 'OKKJLVBELUTLKV-UHFFFAOYSA-N' }),
      ]);
    });

    it('should refuse a file without the required columns, an unknown type, and a file over the limit', async () => {
      const noSmiles = await post('name,cas\nGlycerol,56-81-5\n', 'text/csv');
      expect(noSmiles.status).toBe(400);
      expect(((await noSmiles.json()) as ProblemBody).code).toBe('MOLECULE_IMPORT_INVALID');
      const empty = await post('', 'text/csv');
      expect(empty.status).toBe(400);
      const xml = await post('<molecules/>', 'application/xml');
      expect(xml.status).toBe(415);
      const octetWithoutFormat = await post('x', 'application/octet-stream');
      expect(octetWithoutFormat.status).toBe(415);
      const contradicting = await post('smiles,name\n', 'text/csv', '?format=sdf');
      expect(contradicting.status).toBe(415);
      const huge = await post(
        `smiles,name\n${'CCO,ethanol\n'.repeat(IMPORT_LIMIT / 10)}`,
        'text/csv',
      );
      expect(huge.status).toBe(413);
      expect(((await huge.json()) as ProblemBody).code).toBe('MOLECULE_IMPORT_TOO_LARGE');
    });

    it('should stop a chunked upload at the size limit and report where it stopped, keeping what was stored', async () => {
      const row = `CCCCCCCCCCO,Decanol ${'x'.repeat(200)}\n`;
      const rows = Math.ceil((IMPORT_LIMIT * 1.5) / row.length);
      const encoder = new TextEncoder();
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent === 0) controller.enqueue(encoder.encode('smiles,name\n'));
          if (sent >= rows) return controller.close();
          controller.enqueue(encoder.encode(row.repeat(10)));
          sent += 10;
        },
      });
      const response = await ctx().request('/api/v1/molecules/import', {
        method: 'POST',
        headers: { ...researcher.headers, 'content-type': 'text/csv' },
        body,
        duplex: 'half',
      } as RequestInit);
      expect(response.status).toBe(200);
      const report = (await response.json()) as ImportReport;
      expect(report.created).toHaveLength(1);
      expect(report.records).toBeLessThan(rows);
      expect(report.errors).toEqual([
        expect.objectContaining({ record: report.records + 1, code: 'MOLECULE_IMPORT_TOO_LARGE' }),
      ]);
    });

    it('should refuse import by a viewer with 403', async () => {
      const response = await ctx().request('/api/v1/molecules/import', {
        method: 'POST',
        headers: { ...viewer.headers, 'content-type': 'text/csv' },
        body: 'smiles,name\nCCCCO,Butanol\n',
      });
      expect(response.status).toBe(403);
    });

    it('should export CSV that imports back as duplicates of the same ids', async () => {
      const exported = await ctx().request('/api/v1/molecules/export?format=csv', {
        headers: viewer.headers,
      });
      expect(exported.status).toBe(200);
      expect(exported.headers.get('content-type')).toMatch(/^text\/csv/);
      const csv = await exported.text();
      const lines = csv.trim().split('\n');
      const all = await listAllPages(ctx(), viewer.headers, { limit: '200' });
      expect(lines).toHaveLength(all.items.length + 1);
      const report = (await (await post(csv, 'text/csv')).json()) as ImportReport;
      expect(report.created).toEqual([]);
      expect(report.errors).toEqual([]);
      expect(report.duplicates.map((entry) => entry.existingId).sort()).toEqual(
        all.items.map((item) => item.id).sort(),
      );
    });

    it('should export SDF that imports back as duplicates of the same ids, stereochemistry included', async () => {
      await registerMolecule(ctx(), researcher.headers, {
        smiles:
          'OC[C@H]1O[C@H](O[C@H]2O[C@H](CO)[C@@H](O)[C@H](O)[C@H]2O)[C@H](O)[C@@H](O)[C@@H]1O',
        name: 'Trehalose',
      });
      const exported = await ctx().request('/api/v1/molecules/export?format=sdf', {
        headers: viewer.headers,
      });
      expect(exported.status).toBe(200);
      expect(exported.headers.get('content-type')).toMatch(/^chemical\/x-mdl-sdfile/);
      const sdf = await exported.text();
      const all = await listAllPages(ctx(), viewer.headers, { limit: '200' });
      expect(sdf.split('$$$$\n').length - 1).toBe(all.items.length);
      const report = (await (await post(sdf, 'chemical/x-mdl-sdfile')).json()) as ImportReport;
      expect(report.errors).toEqual([]);
      expect(report.duplicates.map((entry) => entry.existingId).sort()).toEqual(
        all.items.map((item) => item.id).sort(),
      );
    });
  },
  { overrides: { molecule: { importMaxBytes: IMPORT_LIMIT } } },
);
