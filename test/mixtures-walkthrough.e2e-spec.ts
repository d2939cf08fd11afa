import { experimentBody, MixtureBody, moleculeId } from './support/mixture-fixtures';
import { describeEachDatabase } from './support/test-app';

// The walkthrough of docs/mixtures.md, step by step, against the real HTTP API.
describeEachDatabase('mixtures walkthrough (docs/mixtures.md)', (ctx) => {
  it('should compare an 85 % prediction with a 78 % measurement as +7 points when following the docs', async () => {
    const { headers } = await ctx().signIn('researcher');
    const call = async <T>(method: string, path: string, json?: unknown): Promise<T> => {
      const response = await ctx().request(path, { method, headers, json });
      if (response.status >= 400)
        throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    };
    const glycerol = await moleculeId(ctx(), headers, {
      smiles: 'OCC(O)CO',
      name: 'Glycerol',
      densityGPerMl: 1.261,
      tgCelsius: -93,
    });
    const dmso = await moleculeId(ctx(), headers, {
      smiles: 'CS(C)=O',
      name: 'DMSO',
      densityGPerMl: 1.1,
    });

    const mixture = await call<MixtureBody>('POST', '/api/v1/mixtures', {
      name: 'DMSO 10 % v/v + glycerol 5 % w/v',
      carrier: 'water',
      components: [
        { moleculeId: dmso, concentration: { value: 10, unit: '% v/v' }, role: 'penetrating CPA' },
        {
          moleculeId: glycerol,
          concentration: { value: 5, unit: '% w/v' },
          role: 'penetrating CPA',
        },
      ],
    });
    const patched = await call<MixtureBody>('PATCH', `/api/v1/mixtures/${mixture.id}`, {
      solutionDensityGPerMl: 1.04,
    });
    await call(
      'POST',
      '/api/v1/experiments',
      experimentBody(mixture.id, [
        { property: 'post_thaw_viability', value: 78, unit: '%', uncertainty: 4, n: 3 },
      ]),
    );
    await call('POST', '/api/v1/predictions', {
      target: { mixtureId: mixture.id },
      property: 'post_thaw_viability',
      value: 0.85,
      unit: 'fraction',
      method: { name: 'my-model', version: '0.3' },
      confidence: 0.7,
    });
    const estimates = await call<{ recorded: unknown[]; skipped: { missing: string[] }[] }>(
      'POST',
      `/api/v1/mixtures/${mixture.id}/predictions/estimates`,
    );
    const comparison = await call<{
      predictions: { measurements: { difference: number; percentError: number }[] }[];
    }>('GET', `/api/v1/mixtures/${mixture.id}/comparison?property=post_thaw_viability`);
    const accuracy = await call<{
      items: { method: { name: string }; count: number; mae: number; rmse: number; bias: number }[];
    }>('GET', '/api/v1/predictions/accuracy?method=my-model');

    expect(mixture.components.map((c) => c.normalised.molarity?.value)).toEqual([
      expect.closeTo(1.408, 3),
      expect.closeTo(0.5429, 4),
    ]);
    expect(mixture.estimates.glassTransition.value).toBeNull();
    expect(patched.components.map((c) => c.normalised.massFraction)).toEqual([
      expect.closeTo(0.1058, 4),
      expect.closeTo(0.0481, 4),
    ]);
    expect(estimates.recorded).toHaveLength(1);
    expect(estimates.skipped).toEqual([expect.objectContaining({ missing: ['Tg of DMSO'] })]);
    expect(comparison.predictions[0].measurements[0]).toMatchObject({
      difference: expect.closeTo(7, 9),
      percentError: expect.closeTo(8.974, 3),
    });
    expect(accuracy.items).toEqual([
      expect.objectContaining({
        count: 1,
        mae: expect.closeTo(7, 9),
        rmse: expect.closeTo(7, 9),
        bias: expect.closeTo(7, 9),
      }),
    ]);
  });
});
