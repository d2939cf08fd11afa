import {
  countRows,
  createMixture,
  DMSO,
  experimentBody,
  GLYCEROL,
  moleculeId,
  Problem,
  walkthroughMixture,
} from './support/mixture-fixtures';
import { describeEachDatabase } from './support/test-app';

interface ExperimentBody {
  id: string;
  protocol: { storageTemperature: { value: number; unit: string }; loadingSteps: unknown[] };
  results: {
    property: string;
    value: number;
    unit: string;
    canonicalValue: number;
    n: number | null;
  }[];
}

describeEachDatabase('experiments', (ctx) => {
  let researcher: { id: string; headers: Record<string, string> };
  let mixtureId: string;

  beforeAll(async () => {
    researcher = await ctx().signIn('researcher');
    const dmso = await moleculeId(ctx(), researcher.headers, DMSO);
    const glycerol = await moleculeId(ctx(), researcher.headers, GLYCEROL);
    mixtureId = (await createMixture(ctx(), researcher.headers, walkthroughMixture(dmso, glycerol)))
      .id;
  });

  const post = (body: unknown) =>
    ctx().request('/api/v1/experiments', {
      method: 'POST',
      headers: researcher.headers,
      json: body,
    });

  it('should store results in the canonical unit when viability is given as a fraction and storage in kelvin', async () => {
    const response = await post(
      experimentBody(
        mixtureId,
        [
          {
            property: 'post_thaw_viability',
            value: 0.85,
            unit: 'fraction',
            uncertainty: 0.03,
            n: 3,
          },
          { property: 'osmolality', value: 2.1, unit: 'Osm/kg' },
        ],
        {
          protocol: {
            ...experimentBody(mixtureId, []).protocol,
            storageTemperature: { value: 77.15, unit: 'K' },
          },
        },
      ),
    );
    const sut = (await response.json()) as ExperimentBody;

    expect(response.status).toBe(201);
    expect(sut.protocol.storageTemperature).toEqual({ value: expect.closeTo(-196, 6), unit: '°C' });
    expect(sut.results).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          property: 'post_thaw_viability',
          value: 0.85,
          unit: 'fraction',
          canonicalValue: expect.closeTo(85, 9),
          n: 3,
        }),
        expect.objectContaining({
          property: 'osmolality',
          canonicalValue: expect.closeTo(2100, 9),
        }),
      ]),
    );
  });

  it('should write nothing when the third of three results has a unit that does not fit its property', async () => {
    const before = await countRows(ctx(), ['experiments', 'experiment_results', 'audit_events']);

    const response = await post(
      experimentBody(mixtureId, [
        { property: 'post_thaw_viability', value: 80, unit: '%' },
        { property: 'recovery', value: 70, unit: '%' },
        { property: 'measured_tg', value: -120, unit: 'mOsm/kg' },
      ]),
    );
    const problem = (await response.json()) as Problem;

    expect(response.status).toBe(422);
    expect(problem.code).toBe('PROPERTY_UNIT_MISMATCH');
    expect(problem.errors?.[0].field).toBe('results.2.unit');
    expect(await countRows(ctx(), ['experiments', 'experiment_results', 'audit_events'])).toEqual(
      before,
    );
  });

  it('should answer 422 naming the value when viability exceeds 100 %', async () => {
    const response = await post(
      experimentBody(mixtureId, [{ property: 'post_thaw_viability', value: 120, unit: '%' }]),
    );

    expect(response.status).toBe(422);
    expect(((await response.json()) as Problem).errors?.[0].field).toBe('results.0.value');
  });

  it('should answer 422 naming the property when it is not registered', async () => {
    const response = await post(
      experimentBody(mixtureId, [{ property: 'taste', value: 1, unit: '%' }]),
    );

    expect(response.status).toBe(422);
    expect(((await response.json()) as Problem).errors?.[0].field).toBe('results.0.property');
  });

  it('should answer 422 naming mixtureId when the mixture does not exist', async () => {
    const response = await post(experimentBody('00000000-0000-4000-8000-000000000000', []));

    expect(response.status).toBe(422);
    expect(((await response.json()) as Problem).errors?.[0].field).toBe('mixtureId');
  });

  it('should answer 400 naming sampleType when it is not one of the closed set', async () => {
    const response = await post(experimentBody(mixtureId, [], { sampleType: 'plant' }));

    expect(response.status).toBe(400);
    expect(((await response.json()) as Problem).errors?.map((e) => e.field)).toContain(
      'sampleType',
    );
  });

  it('should filter by sample type, date range and property, then update and delete with audit', async () => {
    const created = (await (
      await post(
        experimentBody(mixtureId, [{ property: 'recovery', value: 64, unit: '%' }], {
          sampleType: 'tissue',
          performedAt: '2026-05-05T00:00:00Z',
        }),
      )
    ).json()) as ExperimentBody;
    const list = async (query: string) =>
      (
        (await (
          await ctx().request(`/api/v1/experiments?${query}`, { headers: researcher.headers })
        ).json()) as { items: ExperimentBody[] }
      ).items.map((item) => item.id);

    expect(await list(`mixtureId=${mixtureId}&sampleType=tissue`)).toEqual([created.id]);
    expect(
      await list(`performedFrom=2026-05-01T00:00:00Z&performedTo=2026-05-31T00:00:00Z`),
    ).toEqual([created.id]);
    expect(await list(`property=recovery&sampleType=tissue`)).toEqual([created.id]);

    const other = await ctx().signIn('researcher');
    const patch = (headers: Record<string, string>) =>
      ctx().request(`/api/v1/experiments/${created.id}`, {
        method: 'PATCH',
        headers,
        json: { results: [{ property: 'recovery', value: 0.7, unit: 'fraction' }] },
      });
    expect((await patch(other.headers)).status).toBe(403);
    const updated = (await (await patch(researcher.headers)).json()) as ExperimentBody;
    expect(updated.results[0].canonicalValue).toBeCloseTo(70, 9);
    expect(
      (
        await ctx().request(`/api/v1/experiments/${created.id}`, {
          method: 'DELETE',
          headers: researcher.headers,
        })
      ).status,
    ).toBe(204);
    expect(
      (await ctx().request(`/api/v1/experiments/${created.id}`, { headers: researcher.headers }))
        .status,
    ).toBe(404);

    const curator = await ctx().signIn('curator');
    const audit = await ctx().request(`/api/v1/audit?entity=Experiment&id=${created.id}`, {
      headers: curator.headers,
    });
    const actions = ((await audit.json()) as { items: { action: string }[] }).items.map(
      (event) => event.action,
    );
    expect(actions).toEqual(['experiment.delete', 'experiment.update', 'experiment.create']);
  });

  it('should answer 409 MIXTURE_IN_USE when a mixture with experiments is deleted', async () => {
    const response = await ctx().request(`/api/v1/mixtures/${mixtureId}`, {
      method: 'DELETE',
      headers: researcher.headers,
    });

    expect(response.status).toBe(409);
    expect(((await response.json()) as Problem).code).toBe('MIXTURE_IN_USE');
  });

  it('should let a curator add a property type and refuse a researcher', async () => {
    const body = {
      key: 'ice_fraction',
      name: 'Ice fraction',
      canonicalUnit: '%',
      allowedUnits: ['fraction'],
      minValue: 0,
      maxValue: 100,
    };
    const researcherResponse = await ctx().request('/api/v1/property-types', {
      method: 'POST',
      headers: researcher.headers,
      json: body,
    });
    const curator = await ctx().signIn('curator');
    const created = await ctx().request('/api/v1/property-types', {
      method: 'POST',
      headers: curator.headers,
      json: body,
    });
    const badUnits = await ctx().request('/api/v1/property-types', {
      method: 'POST',
      headers: curator.headers,
      json: { ...body, key: 'ice_fraction_two', allowedUnits: ['K'] },
    });
    const listed = (await (
      await ctx().request('/api/v1/property-types', { headers: researcher.headers })
    ).json()) as {
      items: { key: string; allowedUnits: string[] }[];
    };

    expect(researcherResponse.status).toBe(403);
    expect(created.status).toBe(201);
    expect(badUnits.status).toBe(422);
    expect(((await badUnits.json()) as Problem).errors?.[0].field).toBe('allowedUnits.0');
    expect(listed.items.find((item) => item.key === 'ice_fraction')?.allowedUnits).toEqual([
      '%',
      'fraction',
    ]);
    expect(listed.items.map((item) => item.key)).toEqual(
      expect.arrayContaining(['post_thaw_viability', 'measured_tg', 'toxicity_ic50']),
    );
  });
});
