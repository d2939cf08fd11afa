import { RdkitAdapter } from '../src/molecule/chemistry/rdkit.adapter';
import { scoreMolecule } from '../src/molecule/scoring/molecule-scores';
import { ProblemBody, registerMolecule } from './support/molecule-fixtures';
import { describeEachDatabase, TestApp } from './support/test-app';

interface Summary {
  id: string;
  name: string;
  canonicalSmiles: string;
  inchikey: string;
  molecularWeight: number;
  score: number;
}

interface SimilarityBody {
  hits: { similarity: number; molecule: Summary }[];
  totalHits: number;
  count: number;
  truncated: boolean;
  truncatedReason?: string;
}

interface SubstructureBody {
  hits: { molecule: Summary }[];
  count: number;
  truncated: boolean;
  truncatedReason?: string;
}

const LIBRARY: [string, string][] = [
  ['Glycerol', 'OCC(O)CO'],
  ['DMSO', 'CS(C)=O'],
  ['Ethylene glycol', 'OCCO'],
  ['Propylene glycol', 'CC(O)CO'],
  ['Formamide', 'NC=O'],
  ['Acetamide', 'CC(N)=O'],
  ['Methanol', 'CO'],
  ['Cyclohexanol', 'OC1CCCCC1'],
  ['Diethyl sulfoxide', 'CCS(=O)CC'],
  ['1,2-Butanediol', 'CCC(O)CO'],
];

// Inserts a row the way another replica's registry would, bypassing this replica's index.
async function insertAsAnotherReplica(
  app: TestApp,
  chemistry: RdkitAdapter,
  name: string,
  smiles: string,
) {
  const c = chemistry.analyse({ smiles });
  const scores = scoreMolecule(c);
  const rows = await app.database.session((s) =>
    s.query<{ id: string }>(
      `INSERT INTO molecules (name, input_structure, canonical_smiles, inchi, inchikey, formula, molecular_weight,
         exact_mass, logp, tpsa, hbd, hba, descriptors, score, scores, score_model_version, fingerprint)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id`,
      [
        name,
        smiles,
        c.canonicalSmiles,
        c.inchi,
        c.inchikey,
        c.formula,
        c.descriptors.molecularWeight,
        c.descriptors.exactMass,
        c.descriptors.logP,
        c.descriptors.tpsa,
        c.descriptors.hbd,
        c.descriptors.hba,
        JSON.stringify({ ...c.descriptors, functionalGroups: c.functionalGroups }),
        scores.composite.value,
        JSON.stringify(scores),
        scores.composite.model.version,
        Buffer.from(c.fingerprint),
      ],
    ),
  );
  return rows[0]!.id;
}

describeEachDatabase(
  'structure search',
  (ctx) => {
    let researcher: { headers: Record<string, string> };
    let viewer: { headers: Record<string, string> };
    let chemistry: RdkitAdapter;
    const ids = new Map<string, string>();

    beforeAll(async () => {
      chemistry = await RdkitAdapter.load();
      researcher = await ctx().signIn('researcher');
      viewer = await ctx().signIn('viewer');
      for (const [name, smiles] of LIBRARY) {
        ids.set(name, (await registerMolecule(ctx(), researcher.headers, { name, smiles })).id);
      }
    });

    const similarity = (json: unknown) =>
      ctx().request('/api/v1/molecules/search/similarity', {
        method: 'POST',
        headers: viewer.headers,
        json,
      });
    const substructure = (json: unknown) =>
      ctx().request('/api/v1/molecules/search/substructure', {
        method: 'POST',
        headers: viewer.headers,
        json,
      });

    it('should rank glycerol first with similarity 1 when searching for glycerol at threshold 0.2', async () => {
      const response = await similarity({ smiles: 'C(O)C(O)CO', threshold: 0.2, limit: 10 });
      const body = (await response.json()) as SimilarityBody;

      expect(response.status).toBe(200);
      expect(body.hits[0]).toEqual({
        similarity: 1,
        molecule: expect.objectContaining({
          id: ids.get('Glycerol'),
          name: 'Glycerol',
          canonicalSmiles: 'OCC(O)CO',
        }),
      });
      const similarities = body.hits.map((hit) => hit.similarity);
      expect(similarities).toEqual([...similarities].sort((a, b) => b - a));
      expect(similarities.every((value) => value >= 0.2)).toBe(true);
      expect(body.truncated).toBe(false);
      expect(body.hits[0]!.molecule.inchikey).toBe('PEDCQBHIVMGVHV-UHFFFAOYSA-N');
    });

    it('should report truncated result-limit when more molecules pass the threshold than the limit', async () => {
      const body = (await (
        await similarity({ smiles: 'OCC(O)CO', threshold: 0, limit: 2 })
      ).json()) as SimilarityBody;

      expect(body.count).toBe(2);
      expect(body.totalHits).toBe(LIBRARY.length);
      expect(body).toMatchObject({ truncated: true, truncatedReason: 'result-limit' });
    });

    it('should find exactly the two sulfoxides when searching the SMARTS [#16X3]=O', async () => {
      const body = (await (
        await substructure({ smarts: '[#16X3]=O', limit: 100 })
      ).json()) as SubstructureBody;

      expect(body.hits.map((hit) => hit.molecule.name).sort()).toEqual([
        'DMSO',
        'Diethyl sulfoxide',
      ]);
      expect(body.truncated).toBe(false);
    });

    it('should find the ring and cap the result when searching a SMILES query with a small limit', async () => {
      const ring = (await (
        await substructure({ smiles: 'C1CCCCC1', limit: 10 })
      ).json()) as SubstructureBody;
      const hydroxyls = (await (
        await substructure({ smarts: '[OX2H][CX4]', limit: 3 })
      ).json()) as SubstructureBody;

      expect(ring.hits.map((hit) => hit.molecule.name)).toEqual(['Cyclohexanol']);
      expect(hydroxyls).toMatchObject({
        count: 3,
        truncated: true,
        truncatedReason: 'result-limit',
      });
    });

    it('should follow an update and a delete made through the registry when searching again', async () => {
      const id = ids.get('Cyclohexanol')!;
      const patched = await ctx().request(`/api/v1/molecules/${id}`, {
        method: 'PATCH',
        headers: researcher.headers,
        json: { smiles: 'OC1CCCC1' },
      });
      const afterPatch = (await (
        await substructure({ smiles: 'C1CCCCC1', limit: 10 })
      ).json()) as SubstructureBody;
      const deleted = await ctx().request(`/api/v1/molecules/${ids.get('Methanol')!}`, {
        method: 'DELETE',
        headers: researcher.headers,
      });
      const afterDelete = (await (
        await similarity({ smiles: 'CO', threshold: 1, limit: 10 })
      ).json()) as SimilarityBody;

      expect(patched.status).toBe(200);
      expect(afterPatch.count).toBe(0);
      expect(deleted.status).toBe(204);
      expect(afterDelete.count).toBe(0);
    });

    it('should see a molecule written by another replica and its deletion when the version check runs', async () => {
      const id = await insertAsAnotherReplica(ctx(), chemistry, 'Dimethylformamide', 'CN(C)C=O');
      const found = (await (
        await similarity({ smiles: 'CN(C)C=O', threshold: 1, limit: 10 })
      ).json()) as SimilarityBody;
      await ctx().database.session((s) => s.query('DELETE FROM molecules WHERE id = $1', [id]));
      const gone = (await (
        await similarity({ smiles: 'CN(C)C=O', threshold: 1, limit: 10 })
      ).json()) as SimilarityBody;

      expect(found.hits.map((hit) => hit.molecule.id)).toEqual([id]);
      expect(gone.count).toBe(0);
    });

    it.each([
      [
        'an invalid SMARTS',
        'substructure',
        { smarts: '[OX2H', limit: 10 },
        422,
        'SEARCH_INVALID_SMARTS',
      ],
      [
        'both smarts and smiles',
        'substructure',
        { smarts: 'O', smiles: 'O', limit: 10 },
        400,
        'SEARCH_QUERY_REQUIRED',
      ],
      [
        'a threshold above 1',
        'similarity',
        { smiles: 'CO', threshold: 1.5 },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a negative threshold',
        'similarity',
        { smiles: 'CO', threshold: -0.1 },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a limit of a million',
        'similarity',
        { smiles: 'CO', limit: 1_000_000 },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a limit above molecule.search.maxResults',
        'substructure',
        { smarts: 'O', limit: 5_000 },
        400,
        'SEARCH_LIMIT_TOO_LARGE',
      ],
      ['an invalid SMILES', 'similarity', { smiles: 'C1CC' }, 422, 'MOLECULE_INVALID_SMILES'],
      [
        'a 100 kB SMILES',
        'similarity',
        { smiles: 'C'.repeat(100_000) },
        422,
        'MOLECULE_STRUCTURE_TOO_LARGE',
      ],
    ])('should answer problem+json when given %s', async (_name, kind, json, status, code) => {
      const response = await (kind === 'similarity' ? similarity(json) : substructure(json));

      expect(response.status).toBe(status);
      expect(((await response.json()) as ProblemBody).code).toBe(code);
    });
  },
  { overrides: { molecule: { search: { syncIntervalMs: 0 } } } },
);
