import {
  ETHANOL_MOLFILE,
  listAllPages,
  MoleculeBody,
  ProblemBody,
  registerMolecule,
  WRONG_ATOM_COUNT_MOLFILE,
} from './support/molecule-fixtures';
import { describeEachDatabase } from './support/test-app';

type Headers = Record<string, string>;

describeEachDatabase('molecule registry', (ctx) => {
  let researcher: { id: string; headers: Headers };
  let otherResearcher: { headers: Headers };
  let curator: { headers: Headers };
  let viewer: { headers: Headers };
  let glycerol: MoleculeBody;

  beforeAll(async () => {
    researcher = await ctx().signIn('researcher');
    otherResearcher = await ctx().signIn('researcher');
    curator = await ctx().signIn('curator');
    viewer = await ctx().signIn('viewer');
  });

  it('should register glycerol with its InChIKey, weight, scores and a Location when a researcher posts its SMILES', async () => {
    const response = await ctx().request('/api/v1/molecules', {
      method: 'POST',
      headers: researcher.headers,
      json: {
        smiles: 'OCC(O)CO',
        name: 'Glycerol',
        synonyms: ['glycerin'],
        casNumber: '56-81-5',
        densityGPerMl: 1.261,
      },
    });
    expect(response.status).toBe(201);
    glycerol = (await response.json()) as MoleculeBody;
    expect(response.headers.get('location')).toBe(`/api/v1/molecules/${glycerol.id}`);
    expect(glycerol.inchikey).toBe('PEDCQBHIVMGVHV-UHFFFAOYSA-N');
    expect(glycerol.formula).toBe('C3H8O3');
    expect(glycerol.descriptors.molecularWeight).toBeCloseTo(92.094, 3);
    expect(glycerol.functionalGroups.hydroxyl).toBe(3);
    expect(glycerol.rules.lipinski.passes).toBe(true);
    expect(glycerol.createdBy).toBe(researcher.id);
    expect(glycerol.scores.composite.label).toBe('heuristic estimate');
    expect(glycerol.scores.composite.model.version).toEqual(expect.any(String));
    expect(glycerol.score).toBe(glycerol.scores.composite.value);
  });

  it('should answer 409 naming the existing id when the same structure is registered under another SMILES', async () => {
    const response = await ctx().request('/api/v1/molecules', {
      method: 'POST',
      headers: otherResearcher.headers,
      json: { smiles: 'C(O)C(CO)O', name: 'glycerol again' },
    });
    expect(response.status).toBe(409);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await response.json()) as ProblemBody;
    expect(problem.code).toBe('MOLECULE_DUPLICATE');
    expect(problem.existingId).toBe(glycerol.id);
  });

  it('should store exactly one row and answer 409 to the loser when the same structure is registered concurrently', async () => {
    const attempts = await Promise.all(
      [1, 2, 3].map(() =>
        ctx().request('/api/v1/molecules', {
          method: 'POST',
          headers: researcher.headers,
          json: { smiles: 'OCCCCO', name: 'race' },
        }),
      ),
    );
    const statuses = attempts.map((response) => response.status).sort();
    expect(statuses).toEqual([201, 409, 409]);
  });

  it('should register a structure given as a V2000 molfile', async () => {
    const ethanol = await registerMolecule(ctx(), researcher.headers, {
      molfile: ETHANOL_MOLFILE,
      name: 'Ethanol',
    });
    expect(ethanol.inchikey).toBe('LFQSCWFLJHTTHZ-UHFFFAOYSA-N');
    expect(ethanol.canonicalSmiles).toBe('CCO');
  });

  it('should refuse registration with 403 when the caller is a viewer', async () => {
    const response = await ctx().request('/api/v1/molecules', {
      method: 'POST',
      headers: viewer.headers,
      json: { smiles: 'CO', name: 'Methanol' },
    });
    expect(response.status).toBe(403);
  });

  it('should answer 401 when no credentials are sent', async () => {
    expect((await ctx().request('/api/v1/molecules')).status).toBe(401);
  });

  const badBodies: [string, Record<string, unknown>][] = [
    ['an invalid SMILES', { smiles: 'C1CC(', name: 'x' }],
    ['an unclosed ring', { smiles: 'C1CC', name: 'x' }],
    ['an empty SMILES', { smiles: '', name: 'x' }],
    ['a blank SMILES', { smiles: '   ', name: 'x' }],
    ['a 100 kB SMILES', { smiles: 'C'.repeat(100_000), name: 'x' }],
    ['a molfile with a wrong atom count', { molfile: WRONG_ATOM_COUNT_MOLFILE, name: 'x' }],
    ['a molfile that is not one', { molfile: 'hello', name: 'x' }],
    ['both smiles and molfile', { smiles: 'CCO', molfile: ETHANOL_MOLFILE, name: 'x' }],
    ['no structure', { name: 'x' }],
    ['no name', { smiles: 'CCO' }],
    [
      'a CAS number with a wrong check digit',
      { smiles: 'CCCCCO', name: 'x', casNumber: '56-81-4' },
    ],
    ['a malformed CAS number', { smiles: 'CCCCCO', name: 'x', casNumber: 'abc' }],
    ['an unknown field', { smiles: 'CCCCCO', name: 'x', colour: 'blue' }],
    ['a negative density', { smiles: 'CCCCCO', name: 'x', densityGPerMl: -1 }],
    ['a string pubchemCid', { smiles: 'CCCCCO', name: 'x', pubchemCid: '753' }],
    ['a SMILES that is an array', { smiles: ['CCO'], name: 'x' }],
  ];
  it.each(badBodies)(
    'should answer a 400/422 problem, never 500, when the body has %s',
    async (_label, body) => {
      const response = await ctx().request('/api/v1/molecules', {
        method: 'POST',
        headers: researcher.headers,
        json: body,
      });
      expect([400, 422]).toContain(response.status);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const problem = (await response.json()) as ProblemBody;
      expect(problem.code).toMatch(/^[A-Z_]+$/);
    },
  );

  it('should return the molecule with an ETag and answer 304 when If-None-Match matches', async () => {
    const first = await ctx().request(`/api/v1/molecules/${glycerol.id}`, {
      headers: viewer.headers,
    });
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    expect(((await first.json()) as MoleculeBody).inchikey).toBe(glycerol.inchikey);
    const second = await ctx().request(`/api/v1/molecules/${glycerol.id}`, {
      headers: { ...viewer.headers, 'if-none-match': etag! },
    });
    expect(second.status).toBe(304);
    expect(await second.text()).toBe('');
  });

  it('should answer 400 for a malformed id and 404 MOLECULE_NOT_FOUND for an unknown one', async () => {
    for (const path of ['/api/v1/molecules/not-a-uuid', '/api/v1/molecules/123/depiction']) {
      const response = await ctx().request(path, { headers: viewer.headers });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    const missing = await ctx().request('/api/v1/molecules/00000000-0000-4000-8000-000000000000', {
      headers: viewer.headers,
    });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as ProblemBody).code).toBe('MOLECULE_NOT_FOUND');
    const patch = await ctx().request('/api/v1/molecules/nope', {
      method: 'PATCH',
      headers: curator.headers,
      json: { name: 'x' },
    });
    expect(patch.status).toBe(400);
  });

  it('should let the owner and a curator update, and refuse another researcher and a viewer', async () => {
    const path = `/api/v1/molecules/${glycerol.id}`;
    const byOwner = await ctx().request(path, {
      method: 'PATCH',
      headers: researcher.headers,
      json: { tgCelsius: -83, synonyms: ['glycerin', 'glycerine'] },
    });
    expect(byOwner.status).toBe(200);
    expect(((await byOwner.json()) as MoleculeBody).tgCelsius).toBe(-83);
    const byOther = await ctx().request(path, {
      method: 'PATCH',
      headers: otherResearcher.headers,
      json: { name: 'mine now' },
    });
    expect(byOther.status).toBe(403);
    const byViewer = await ctx().request(path, {
      method: 'PATCH',
      headers: viewer.headers,
      json: { name: 'mine now' },
    });
    expect(byViewer.status).toBe(403);
    const byCurator = await ctx().request(path, {
      method: 'PATCH',
      headers: curator.headers,
      json: { name: 'Glycerol (curated)', casNumber: null },
    });
    expect(byCurator.status).toBe(200);
    const after = (await (
      await ctx().request(path, { headers: viewer.headers })
    ).json()) as MoleculeBody;
    expect(after).toMatchObject({
      name: 'Glycerol (curated)',
      casNumber: null,
      tgCelsius: -83,
      synonyms: ['glycerin', 'glycerine'],
    });
  });

  it('should record create and update in the audit trail with before and after', async () => {
    const response = await ctx().request(`/api/v1/audit?entity=Molecule&id=${glycerol.id}`, {
      headers: curator.headers,
    });
    expect(response.status).toBe(200);
    const events = (
      (await response.json()) as {
        items: {
          action: string;
          before: { name?: string } | null;
          after: { name?: string } | null;
        }[];
      }
    ).items;
    expect(events.map((event) => event.action).sort()).toEqual([
      'molecule.create',
      'molecule.update',
      'molecule.update',
    ]);
    const curated = events.find((event) => event.after?.name === 'Glycerol (curated)');
    expect(curated?.before?.name).toBe('Glycerol');
  });

  it('should re-analyse a structure change and answer 409 when the new structure is already registered', async () => {
    const molecule = await registerMolecule(ctx(), researcher.headers, {
      smiles: 'CCCO',
      name: 'Propanol',
    });
    const changed = await ctx().request(`/api/v1/molecules/${molecule.id}`, {
      method: 'PATCH',
      headers: researcher.headers,
      json: { smiles: 'CC(C)O' },
    });
    expect(changed.status).toBe(200);
    const body = (await changed.json()) as MoleculeBody;
    expect(body.inchikey).toBe('KFZMGEQAYNKOFK-UHFFFAOYSA-N');
    expect(body.name).toBe('Propanol');
    const clash = await ctx().request(`/api/v1/molecules/${molecule.id}`, {
      method: 'PATCH',
      headers: researcher.headers,
      json: { smiles: 'OCC(O)CO' },
    });
    expect(clash.status).toBe(409);
    expect(((await clash.json()) as ProblemBody).existingId).toBe(glycerol.id);
    const invalid = await ctx().request(`/api/v1/molecules/${molecule.id}`, {
      method: 'PATCH',
      headers: researcher.headers,
      json: { smiles: 'C1CC' },
    });
    expect([400, 422]).toContain(invalid.status);
    const empty = await ctx().request(`/api/v1/molecules/${molecule.id}`, {
      method: 'PATCH',
      headers: researcher.headers,
      json: {},
    });
    expect(empty.status).toBe(400);
  });

  it('should return an SVG depiction, with highlights, and refuse out-of-range atoms', async () => {
    const response = await ctx().request(
      `/api/v1/molecules/${glycerol.id}/depiction?width=320&height=240&highlight=0,1`,
      { headers: viewer.headers },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    const svg = await response.text();
    expect(svg).toContain('<svg');
    expect(svg).toContain('320');
    const outside = await ctx().request(`/api/v1/molecules/${glycerol.id}/depiction?highlight=99`, {
      headers: viewer.headers,
    });
    expect(outside.status).toBe(422);
    const silly = await ctx().request(`/api/v1/molecules/${glycerol.id}/depiction?width=100000`, {
      headers: viewer.headers,
    });
    expect(silly.status).toBe(400);
  });

  it('should delete for the owner only, then answer 404', async () => {
    const molecule = await registerMolecule(ctx(), researcher.headers, {
      smiles: 'CCCCCCO',
      name: 'Hexanol',
    });
    const path = `/api/v1/molecules/${molecule.id}`;
    expect(
      (await ctx().request(path, { method: 'DELETE', headers: otherResearcher.headers })).status,
    ).toBe(403);
    expect((await ctx().request(path, { headers: viewer.headers })).status).toBe(200);
    expect(
      (await ctx().request(path, { method: 'DELETE', headers: researcher.headers })).status,
    ).toBe(204);
    expect((await ctx().request(path, { headers: viewer.headers })).status).toBe(404);
    expect(
      (await ctx().request(path, { method: 'DELETE', headers: researcher.headers })).status,
    ).toBe(404);
    // The structure can be registered again once deleted.
    await registerMolecule(ctx(), researcher.headers, { smiles: 'CCCCCCO', name: 'Hexanol' });
  });

  it('should answer 409 MOLECULE_IN_USE and keep the molecule when a mixture uses it', async () => {
    const molecule = await registerMolecule(ctx(), researcher.headers, {
      smiles: 'CCCCCCCO',
      name: 'Heptanol',
    });
    // Written directly: this suite tests the registry's answer to the foreign key, not the mixtures API.
    await ctx().database.session(async (session) => {
      const [mixture] = await session.query<{ id: string }>(
        "INSERT INTO mixtures (name) VALUES ('in-use test') RETURNING id",
      );
      await session.query(
        "INSERT INTO mixture_components (mixture_id, molecule_id, position, value, unit) VALUES ($1, $2, 0, 10, '% w/v')",
        [mixture.id, molecule.id],
      );
    });
    const response = await ctx().request(`/api/v1/molecules/${molecule.id}`, {
      method: 'DELETE',
      headers: curator.headers,
    });
    expect(response.status).toBe(409);
    expect(((await response.json()) as ProblemBody).code).toBe('MOLECULE_IN_USE');
    expect(
      (await ctx().request(`/api/v1/molecules/${molecule.id}`, { headers: viewer.headers })).status,
    ).toBe(200);
  });

  describe('listing', () => {
    const series = [
      'CCCCO',
      'CCCCCO',
      'CC(C)(C)O',
      'OCCCO',
      'OCCCCCO',
      'COCCO',
      'CCOCCO',
      'NCCO',
      'OCCOCCO',
      'CC(O)CO',
      'CCC(C)O',
      'OCC(O)C(O)CO',
    ];
    let listed: MoleculeBody[];

    beforeAll(async () => {
      listed = [];
      for (const [index, smiles] of series.entries()) {
        // Two pairs share a name, and CCCCO/CC(C)(C)O/CCC(C)O share a weight: ties the keyset must handle.
        const name =
          index % 5 === 0 ? 'ListTest Same' : `ListTest ${String.fromCharCode(97 + index)}`;
        listed.push(
          await registerMolecule(ctx(), researcher.headers, {
            smiles,
            name,
            synonyms: [`lt-syn-${index}`],
          }),
        );
      }
    });

    it.each([
      ['name', 'asc'],
      ['name', 'desc'],
      ['molecularWeight', 'asc'],
      ['molecularWeight', 'desc'],
      ['score', 'desc'],
      ['createdAt', 'asc'],
    ])(
      'should page through every molecule once, in order, when sorted by %s %s',
      async (sort, order) => {
        const { items, pages } = await listAllPages(ctx(), viewer.headers, {
          q: 'listtest',
          sort,
          order,
          limit: '5',
        });
        const single = await listAllPages(ctx(), viewer.headers, {
          q: 'listtest',
          sort,
          order,
          limit: '200',
        });
        expect(pages).toBe(3);
        expect(items.map((item) => item.id)).toEqual(single.items.map((item) => item.id));
        expect(new Set(items.map((item) => item.id)).size).toBe(series.length);
        expect(new Set(items.map((item) => item.id))).toEqual(
          new Set(listed.map((item) => item.id)),
        );
        if (sort === 'molecularWeight' || sort === 'score') {
          const values = items.map((item) =>
            sort === 'score' ? item.score : item.descriptors.molecularWeight,
          );
          const sorted = [...values].sort((a, b) => (order === 'asc' ? a - b : b - a));
          expect(values).toEqual(sorted);
        }
      },
    );

    it('should find by name, synonym, formula and InChIKey, case-insensitively', async () => {
      const find = async (q: string) =>
        (await listAllPages(ctx(), viewer.headers, { q, limit: '200' })).items.map(
          (item) => item.id,
        );
      expect(await find('LISTTEST B')).toEqual([listed[1].id]);
      expect(await find('LT-SYN-3')).toEqual([listed[3].id]);
      expect(await find('c3h8o3')).toEqual([glycerol.id]);
      expect(await find(listed[7].inchikey.slice(0, 14).toLowerCase())).toEqual([listed[7].id]);
      expect(await find('no such thing %_')).toEqual([]);
    });

    it('should apply range filters on weight, logP, TPSA, HBD, HBA and score', async () => {
      const within = async (query: Record<string, string>) =>
        (await listAllPages(ctx(), viewer.headers, { q: 'listtest', limit: '200', ...query }))
          .items;
      const light = await within({ molecularWeightMax: '80' });
      expect(light.length).toBeGreaterThan(0);
      expect(light.every((item) => item.descriptors.molecularWeight <= 80)).toBe(true);
      const diols = await within({ hbdMin: '2', hbdMax: '2' });
      expect(diols.map((item) => item.id).sort()).toEqual(
        listed
          .filter((item) => item.descriptors.hbd === 2)
          .map((item) => item.id)
          .sort(),
      );
      const polar = await within({ tpsaMin: '40', logPMax: '0', hbaMin: '2' });
      expect(
        polar.every(
          (item) =>
            item.descriptors.tpsa >= 40 && item.descriptors.logP <= 0 && item.descriptors.hba >= 2,
        ),
      ).toBe(true);
      const median = [...listed].sort((a, b) => a.score - b.score)[6].score;
      const scored = await within({ scoreMin: String(median) });
      expect(scored.every((item) => item.score >= median)).toBe(true);
      expect(scored.length).toBeGreaterThanOrEqual(6);
    });

    it('should refuse bad list parameters with a 400 problem', async () => {
      for (const query of [
        'sort=colour',
        'limit=1000000',
        'limit=0',
        'molecularWeightMin=abc',
        'molecularWeightMin=10&molecularWeightMax=5',
        'cursor=garbage',
        'order=sideways',
        'unknown=1',
      ]) {
        const response = await ctx().request(`/api/v1/molecules?${query}`, {
          headers: viewer.headers,
        });
        expect(response.status).toBe(400);
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
      const page = (await (
        await ctx().request('/api/v1/molecules?q=listtest&limit=2&sort=name', {
          headers: viewer.headers,
        })
      ).json()) as { nextCursor: string };
      const mismatched = await ctx().request(
        `/api/v1/molecules?q=listtest&limit=2&sort=score&cursor=${page.nextCursor}`,
        { headers: viewer.headers },
      );
      expect(mismatched.status).toBe(400);
      expect(((await mismatched.json()) as ProblemBody).code).toBe('PAGINATION_INVALID_CURSOR');
    });
  });
});
