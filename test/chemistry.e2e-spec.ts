import {
  ETHANOL_MOLFILE,
  ProblemBody,
  WRONG_ATOM_COUNT_MOLFILE,
} from './support/molecule-fixtures';
import { describeEachDatabase } from './support/test-app';

interface PropertiesBody {
  canonicalSmiles: string;
  inchikey: string;
  formula: string;
  descriptors: { molecularWeight: number; tpsa: number; logP: number };
  functionalGroups: { sulfoxide: number; hydroxyl: number };
  fingerprint: { base64: string };
  scores: Record<
    string,
    { value: number; label: string; model: { name: string; version: string } }
  >;
  toolkit: string;
}

describeEachDatabase('chemistry properties', (ctx) => {
  let viewer: { headers: Record<string, string> };

  beforeAll(async () => {
    viewer = await ctx().signIn('viewer');
  });

  const properties = (json: unknown, headers = viewer.headers) =>
    ctx().request('/api/v1/chemistry/properties', { method: 'POST', headers, json });

  it('should compute DMSO chemistry and heuristic scores without storing anything when a viewer posts its SMILES', async () => {
    const response = await properties({ smiles: 'CS(C)=O' });
    const body = (await response.json()) as PropertiesBody;

    expect(response.status).toBe(200);
    expect(body.inchikey).toBe('IAZDPXIOMUYVGZ-UHFFFAOYSA-N');
    expect(body.formula).toBe('C2H6OS');
    expect(body.descriptors.tpsa).toBe(17.07);
    expect(body.functionalGroups.sulfoxide).toBe(1);
    expect(Buffer.from(body.fingerprint.base64, 'base64')).toHaveLength(256);
    expect(body.scores.composite!.value).toBe(87.5);
    expect(Object.values(body.scores).every((score) => score.label === 'heuristic estimate')).toBe(
      true,
    );
    expect(body.toolkit).toMatch(/^RDKit MinimalLib /);
    const stored = await ctx().database.session((s) =>
      s.query<{ n: number }>('SELECT count(*)::int AS n FROM molecules'),
    );
    expect(stored[0]!.n).toBe(0);
  });

  it('should accept a V2000 molfile when posted instead of SMILES', async () => {
    const response = await properties({ molfile: ETHANOL_MOLFILE });

    expect(response.status).toBe(200);
    expect(((await response.json()) as PropertiesBody).canonicalSmiles).toBe('CCO');
  });

  it.each([
    ['an invalid SMILES', { smiles: 'C1CC' }, 422, 'MOLECULE_INVALID_SMILES'],
    ['an empty SMILES', { smiles: '' }, 422, 'MOLECULE_INVALID_SMILES'],
    ['a 100 kB SMILES', { smiles: 'C'.repeat(100_000) }, 422, 'MOLECULE_STRUCTURE_TOO_LARGE'],
    [
      'a molfile with a wrong atom count',
      { molfile: WRONG_ATOM_COUNT_MOLFILE },
      422,
      'MOLECULE_INVALID_MOLFILE',
    ],
    ['no structure', {}, 400, 'MOLECULE_STRUCTURE_REQUIRED'],
    ['an unknown field', { smiles: 'C', extra: 1 }, 400, 'VALIDATION_FAILED'],
  ])('should answer problem+json when given %s', async (_name, json, status, code) => {
    const response = await properties(json);

    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(((await response.json()) as ProblemBody).code).toBe(code);
  });

  it('should answer 401 when no credentials are sent', async () => {
    expect((await properties({ smiles: 'C' }, {})).status).toBe(401);
  });
});
