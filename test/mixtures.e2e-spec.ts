import {
  countRows,
  createMixture,
  DMSO,
  GLYCEROL,
  MixtureBody,
  moleculeId,
  Problem,
  SUCROSE,
  walkthroughMixture,
} from './support/mixture-fixtures';
import { describeEachDatabase } from './support/test-app';

describeEachDatabase('mixtures', (ctx) => {
  let researcher: { id: string; headers: Record<string, string> };
  let dmso: string;
  let glycerol: string;
  let sucrose: string;

  beforeAll(async () => {
    researcher = await ctx().signIn('researcher');
    dmso = await moleculeId(ctx(), researcher.headers, DMSO);
    glycerol = await moleculeId(ctx(), researcher.headers, GLYCEROL);
    sucrose = await moleculeId(ctx(), researcher.headers, SUCROSE);
  });

  const post = (body: unknown, headers = researcher.headers) =>
    ctx().request('/api/v1/mixtures', { method: 'POST', headers, json: body });

  it('should normalise 10 % v/v DMSO to 1.408 M and 5 % w/v glycerol to 0.543 M when created', async () => {
    const sut = await createMixture(ctx(), researcher.headers, walkthroughMixture(dmso, glycerol));

    expect(sut.components.map((c) => c.normalised.molarity?.value)).toEqual([
      expect.closeTo(1.4079, 3),
      expect.closeTo(0.54292, 4),
    ]);
    expect(sut.totals.soluteMolarity?.value).toBeCloseTo(1.9508, 3);
    expect(sut.components[0].normalised).toMatchObject({
      massFraction: null,
      missing: ['solution density'],
    });
    expect(sut.estimates.glassTransition).toMatchObject({
      method: 'Fox equation',
      estimate: true,
      value: null,
    });
    expect(sut.estimates.glassTransition.missing).toEqual(
      expect.arrayContaining(['mass fraction of DMSO', 'Tg of DMSO', 'mass fraction of water']),
    );
    expect(sut.estimates.cryoprotectionScore.value).toEqual(expect.any(Number));
  });

  it('should estimate Fox Tg −118.16 °C when glycerol is 50 % w/w in water', async () => {
    const sut = await createMixture(ctx(), researcher.headers, {
      name: 'glycerol 50 % w/w',
      components: [{ moleculeId: glycerol, concentration: { value: 50, unit: '% w/w' } }],
    });

    expect(sut.estimates.glassTransition.value).toBeCloseTo(-118.158, 2);
    expect(sut.estimates.glassTransition.missing).toEqual([]);
    expect(sut.estimates.glassTransition.assumptions[0]).toContain('136 K');
  });

  it('should derive mass fractions 0.1058 and 0.0481 when the solution density 1.040 g/mL is given', async () => {
    const sut = await createMixture(
      ctx(),
      researcher.headers,
      walkthroughMixture(dmso, glycerol, { solutionDensityGPerMl: 1.04 }),
    );

    expect(sut.components.map((c) => c.normalised.massFraction)).toEqual([
      expect.closeTo(0.10577, 4),
      expect.closeTo(0.048077, 4),
    ]);
    expect(sut.estimates.glassTransition.missing).toEqual(['Tg of DMSO']);
  });

  it('should answer 400 naming the field when a concentration is negative', async () => {
    const response = await post({
      name: 'bad',
      components: [{ moleculeId: dmso, concentration: { value: -1, unit: 'M' } }],
    });
    const problem = (await response.json()) as Problem;

    expect(response.status).toBe(400);
    expect(problem.errors?.map((e) => e.field)).toContain('components.0.concentration.value');
  });

  it('should answer 400 naming the field when a concentration is not finite', async () => {
    const response = await ctx().request('/api/v1/mixtures', {
      method: 'POST',
      headers: { ...researcher.headers, 'content-type': 'application/json' },
      body: `{"name":"bad","components":[{"moleculeId":"${dmso}","concentration":{"value":1e999,"unit":"M"}}]}`,
    });
    const problem = (await response.json()) as Problem;

    expect(response.status).toBe(400);
    expect(problem.errors?.map((e) => e.field)).toContain('components.0.concentration.value');
  });

  it('should answer 400 naming the field when the unit is unknown', async () => {
    const response = await post({
      name: 'bad',
      components: [{ moleculeId: dmso, concentration: { value: 1, unit: 'ppm' } }],
    });
    const problem = (await response.json()) as Problem;

    expect(response.status).toBe(400);
    expect(problem.errors?.map((e) => e.field)).toContain('components.0.concentration.unit');
  });

  it('should answer 400 naming the second entry when a component is listed twice', async () => {
    const response = await post({
      name: 'bad',
      components: [
        { moleculeId: dmso, concentration: { value: 1, unit: 'M' } },
        { moleculeId: dmso, concentration: { value: 2, unit: 'M' } },
      ],
    });
    const problem = (await response.json()) as Problem;

    expect(response.status).toBe(400);
    expect(problem.errors?.map((e) => e.field)).toContain('components.1.moleculeId');
  });

  it('should answer 400 naming the value when a percentage exceeds 100', async () => {
    const response = await post({
      name: 'bad',
      components: [{ moleculeId: glycerol, concentration: { value: 101, unit: '% w/v' } }],
    });
    const problem = (await response.json()) as Problem;

    expect(response.status).toBe(400);
    expect(problem.errors?.map((e) => e.field)).toContain('components.0.concentration.value');
  });

  it('should answer 422 naming the unit and the missing density when % v/v is given for a molecule without density', async () => {
    const response = await post({
      name: 'bad',
      components: [{ moleculeId: sucrose, concentration: { value: 5, unit: '% v/v' } }],
    });
    const problem = (await response.json()) as Problem;

    expect(response.status).toBe(422);
    expect(problem).toMatchObject({
      code: 'MIXTURE_CONVERSION_NEEDS_DATA',
      missing: 'density of Sucrose',
    });
    expect(problem.errors?.[0].field).toBe('components.0.concentration.unit');
  });

  it('should answer 422 naming component 1 when % w/w joins % v/v without a solution density', async () => {
    const response = await post({
      name: 'bad',
      components: [
        { moleculeId: dmso, concentration: { value: 10, unit: '% v/v' } },
        { moleculeId: glycerol, concentration: { value: 5, unit: '% w/w' } },
      ],
    });
    const problem = (await response.json()) as Problem;

    expect(response.status).toBe(422);
    expect(problem).toMatchObject({
      code: 'MIXTURE_CONVERSION_NEEDS_DATA',
      missing: 'solution density',
    });
    expect(problem.errors?.[0].field).toBe('components.1.concentration.unit');
  });

  it('should write nothing when the second of two components names a deleted molecule', async () => {
    const doomed = await moleculeId(ctx(), researcher.headers, {
      smiles: 'OCCO',
      name: 'Ethylene glycol',
    });
    expect(
      (
        await ctx().request(`/api/v1/molecules/${doomed}`, {
          method: 'DELETE',
          headers: researcher.headers,
        })
      ).status,
    ).toBe(204);
    const before = await countRows(ctx(), ['mixtures', 'mixture_components', 'audit_events']);

    const response = await post({
      name: 'half',
      components: [
        { moleculeId: dmso, concentration: { value: 1, unit: 'M' } },
        { moleculeId: doomed, concentration: { value: 1, unit: 'M' } },
      ],
    });
    const problem = (await response.json()) as Problem;

    expect(response.status).toBe(422);
    expect(problem).toMatchObject({ code: 'MIXTURE_UNKNOWN_MOLECULE' });
    expect(problem.errors?.[0].field).toBe('components.1.moleculeId');
    expect(await countRows(ctx(), ['mixtures', 'mixture_components', 'audit_events'])).toEqual(
      before,
    );
  });

  it('should answer 409 MOLECULE_IN_USE when a molecule used by a mixture is deleted', async () => {
    const response = await ctx().request(`/api/v1/molecules/${glycerol}`, {
      method: 'DELETE',
      headers: researcher.headers,
    });

    expect(response.status).toBe(409);
    expect(((await response.json()) as Problem).code).toBe('MOLECULE_IN_USE');
  });

  it('should let only the owner or a curator change a mixture, and audit every change', async () => {
    const mixture = await createMixture(
      ctx(),
      researcher.headers,
      walkthroughMixture(dmso, glycerol, { name: 'owned' }),
    );
    const other = await ctx().signIn('researcher');
    const curator = await ctx().signIn('curator');
    const patch = (headers: Record<string, string>, json: unknown) =>
      ctx().request(`/api/v1/mixtures/${mixture.id}`, { method: 'PATCH', headers, json });

    expect((await patch(other.headers, { name: 'stolen' })).status).toBe(403);
    const renamed = await patch(researcher.headers, {
      name: 'renamed',
      solutionDensityGPerMl: 1.04,
    });
    expect(renamed.status).toBe(200);
    expect(
      ((await renamed.json()) as MixtureBody).components[0].normalised.massFraction,
    ).toBeCloseTo(0.10577, 4);
    expect((await patch(curator.headers, { description: 'checked' })).status).toBe(200);
    expect(
      (
        await ctx().request(`/api/v1/mixtures/${mixture.id}`, {
          method: 'DELETE',
          headers: researcher.headers,
        })
      ).status,
    ).toBe(204);

    const audit = await ctx().request(`/api/v1/audit?entity=Mixture&id=${mixture.id}`, {
      headers: curator.headers,
    });
    const events = (
      (await audit.json()) as { items: { action: string; before: unknown; after: unknown }[] }
    ).items;
    expect(events.map((event) => event.action)).toEqual([
      'mixture.delete',
      'mixture.update',
      'mixture.update',
      'mixture.create',
    ]);
    expect(events[1]).toMatchObject({
      before: { name: 'renamed' },
      after: { description: 'checked' },
    });
  });

  it('should filter by name, molecule and owner and page with a cursor when listing', async () => {
    const owner = await ctx().signIn('researcher');
    for (let index = 0; index < 5; index++) {
      await createMixture(ctx(), owner.headers, {
        name: `paging ${index}`,
        components: [
          {
            moleculeId: index % 2 === 0 ? dmso : glycerol,
            concentration: { value: index + 1, unit: 'mM' },
          },
        ],
      });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query = `owner=${owner.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const response = await ctx().request(`/api/v1/mixtures?${query}`, {
        headers: researcher.headers,
      });
      const page = (await response.json()) as { items: MixtureBody[]; nextCursor: string | null };
      seen.push(...page.items.map((item) => item.name));
      cursor = page.nextCursor;
    } while (cursor);
    const withDmso = await ctx().request(
      `/api/v1/mixtures?owner=${owner.id}&containsMolecule=${dmso}`,
      { headers: researcher.headers },
    );
    const byName = await ctx().request(`/api/v1/mixtures?owner=${owner.id}&name=ging%203`, {
      headers: researcher.headers,
    });

    expect(seen).toEqual(['paging 0', 'paging 1', 'paging 2', 'paging 3', 'paging 4']);
    expect(
      ((await withDmso.json()) as { items: MixtureBody[] }).items.map((item) => item.name),
    ).toEqual(['paging 0', 'paging 2', 'paging 4']);
    expect(
      ((await byName.json()) as { items: MixtureBody[] }).items.map((item) => item.name),
    ).toEqual(['paging 3']);
  });

  it('should answer 403 when a viewer creates a mixture', async () => {
    const viewer = await ctx().signIn('viewer');

    expect((await post(walkthroughMixture(dmso, glycerol), viewer.headers)).status).toBe(403);
  });
});
