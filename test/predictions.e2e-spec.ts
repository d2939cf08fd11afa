import {
  createMixture,
  DMSO,
  experimentBody,
  GLYCEROL,
  moleculeId,
  Problem,
  walkthroughMixture,
} from './support/mixture-fixtures';
import { describeEachDatabase } from './support/test-app';

interface Comparison {
  unit: string;
  predictions: {
    prediction: { id: string; method: { name: string } };
    measurements: { canonicalValue: number; difference: number; percentError: number | null }[];
  }[];
}

interface Accuracy {
  items: {
    method: { name: string; version: string };
    property: string;
    unit: string;
    count: number;
    mae: number;
    rmse: number;
    bias: number;
  }[];
}

describeEachDatabase('predictions', (ctx) => {
  let researcher: { id: string; headers: Record<string, string> };
  let dmso: string;
  let glycerol: string;

  beforeAll(async () => {
    researcher = await ctx().signIn('researcher');
    dmso = await moleculeId(ctx(), researcher.headers, DMSO);
    glycerol = await moleculeId(ctx(), researcher.headers, GLYCEROL);
  });

  const predict = (json: unknown) =>
    ctx().request('/api/v1/predictions', { method: 'POST', headers: researcher.headers, json });
  const experiment = (mixtureId: string, results: unknown[]) =>
    ctx().request('/api/v1/experiments', {
      method: 'POST',
      headers: researcher.headers,
      json: experimentBody(mixtureId, results),
    });

  it('should pair a 90 % prediction with 80 % and 0 % measurements as +10 (12.5 %) and +90 (undefined %)', async () => {
    const mixture = await createMixture(
      ctx(),
      researcher.headers,
      walkthroughMixture(dmso, glycerol, { name: 'compare' }),
    );
    await experiment(mixture.id, [
      { property: 'post_thaw_viability', value: 0.8, unit: 'fraction' },
    ]);
    await experiment(mixture.id, [{ property: 'post_thaw_viability', value: 0, unit: '%' }]);
    const created = await predict({
      target: { mixtureId: mixture.id },
      property: 'post_thaw_viability',
      value: 0.9,
      unit: 'fraction',
      method: { name: 'expert guess', version: '1' },
      confidence: 0.6,
    });
    expect(created.status).toBe(201);

    const response = await ctx().request(
      `/api/v1/mixtures/${mixture.id}/comparison?property=post_thaw_viability`,
      {
        headers: researcher.headers,
      },
    );
    const sut = (await response.json()) as Comparison;

    expect(sut.unit).toBe('%');
    expect(sut.predictions[0].measurements).toEqual([
      expect.objectContaining({
        canonicalValue: expect.closeTo(80, 9),
        difference: expect.closeTo(10, 9),
        percentError: expect.closeTo(12.5, 9),
      }),
      expect.objectContaining({
        canonicalValue: 0,
        difference: expect.closeTo(90, 9),
        percentError: null,
      }),
    ]);
  });

  it('should report count 4, MAE 10, RMSE 10 and bias 0 when a method predicted 90 and 60 against 80 and 70 twice each', async () => {
    const method = { name: `accuracy-${Date.now()}`, version: '2.0' };
    for (const [predicted, measured] of [
      [90, 80],
      [60, 70],
    ]) {
      const mixture = await createMixture(ctx(), researcher.headers, {
        name: `acc ${predicted}`,
        components: [{ moleculeId: dmso, concentration: { value: predicted / 10, unit: '% v/v' } }],
      });
      await experiment(mixture.id, [
        { property: 'post_thaw_viability', value: measured, unit: '%' },
      ]);
      await experiment(mixture.id, [
        { property: 'post_thaw_viability', value: measured / 100, unit: 'fraction' },
      ]);
      await predict({
        target: { mixtureId: mixture.id },
        property: 'post_thaw_viability',
        value: predicted,
        unit: '%',
        method,
      });
    }

    const response = await ctx().request(`/api/v1/predictions/accuracy?method=${method.name}`, {
      headers: researcher.headers,
    });
    const sut = (await response.json()) as Accuracy;

    // Pairs (90, 80) ×2 and (60, 70) ×2 (one measurement in %, one as a fraction): errors +10, +10, −10, −10.
    expect(sut.items).toEqual([
      {
        method,
        property: 'post_thaw_viability',
        unit: '%',
        count: 4,
        mae: expect.closeTo(10, 9),
        rmse: expect.closeTo(10, 9),
        bias: expect.closeTo(0, 9),
      },
    ]);
  });

  it('should report count 2, MAE 10, RMSE 11.180 and bias 10 when 85 is predicted against 80 and 70', async () => {
    const method = { name: `asymmetric-${Date.now()}`, version: '1' };
    const mixture = await createMixture(ctx(), researcher.headers, {
      name: 'asymmetric',
      components: [{ moleculeId: glycerol, concentration: { value: 1, unit: 'M' } }],
    });
    await experiment(mixture.id, [{ property: 'post_thaw_viability', value: 80, unit: '%' }]);
    await experiment(mixture.id, [
      { property: 'post_thaw_viability', value: 0.7, unit: 'fraction' },
    ]);
    await predict({
      target: { mixtureId: mixture.id },
      property: 'post_thaw_viability',
      value: 85,
      unit: '%',
      method,
    });

    const response = await ctx().request(
      `/api/v1/predictions/accuracy?method=${method.name}&property=post_thaw_viability`,
      {
        headers: researcher.headers,
      },
    );
    const sut = (await response.json()) as Accuracy;

    // Errors +5 and +15: MAE (5 + 15)/2 = 10, RMSE √((25 + 225)/2) = √125 = 11.180, bias 10.
    expect(sut.items).toEqual([
      expect.objectContaining({
        count: 2,
        mae: expect.closeTo(10, 9),
        rmse: expect.closeTo(11.1803, 4),
        bias: expect.closeTo(10, 9),
      }),
    ]);
  });

  it('should record the Fox Tg and weighted score estimates as predictions of their methods', async () => {
    const mixture = await createMixture(ctx(), researcher.headers, {
      name: 'glycerol 50 % w/w',
      components: [{ moleculeId: glycerol, concentration: { value: 50, unit: '% w/w' } }],
    });

    const response = await ctx().request(`/api/v1/mixtures/${mixture.id}/predictions/estimates`, {
      method: 'POST',
      headers: researcher.headers,
    });
    const sut = (await response.json()) as {
      recorded: { property: string; value: number; method: { name: string } }[];
      skipped: unknown[];
    };

    expect(response.status).toBe(201);
    expect(sut.recorded).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          property: 'measured_tg',
          value: expect.closeTo(-118.158, 2),
          method: { name: 'Fox equation', version: '1' },
        }),
        expect.objectContaining({
          property: 'cryoprotection_score',
          method: expect.objectContaining({ name: 'molar-concentration-weighted score' }),
        }),
      ]),
    );
    expect(sut.skipped).toEqual([]);
  });

  it('should answer 422 naming the unit when a prediction unit does not fit its property', async () => {
    const mixture = await createMixture(
      ctx(),
      researcher.headers,
      walkthroughMixture(dmso, glycerol, { name: 'unit' }),
    );
    const response = await predict({
      target: { mixtureId: mixture.id },
      property: 'measured_tg',
      value: -120,
      unit: '%',
      method: { name: 'x', version: '1' },
    });

    expect(response.status).toBe(422);
    expect(((await response.json()) as Problem).errors?.[0].field).toBe('unit');
  });

  it('should answer 400 when both or neither target is given, and 422 when the target does not exist', async () => {
    const base = {
      property: 'measured_tg',
      value: -120,
      unit: '°C',
      method: { name: 'x', version: '1' },
    };
    const both = await predict({ ...base, target: { mixtureId: dmso, moleculeId: dmso } });
    const missing = await predict({
      ...base,
      target: { moleculeId: '00000000-0000-4000-8000-000000000000' },
    });

    expect(both.status).toBe(400);
    expect(missing.status).toBe(422);
    expect(((await missing.json()) as Problem).errors?.[0].field).toBe('target.moleculeId');
  });

  it('should list by target, property and method, and let only the owner delete', async () => {
    const created = (await (
      await predict({
        target: { moleculeId: glycerol },
        property: 'measured_tg',
        value: 180,
        unit: 'K',
        method: { name: 'lookup', version: '1' },
      })
    ).json()) as { id: string; canonicalValue: number };
    const listed = (await (
      await ctx().request(
        `/api/v1/predictions?moleculeId=${glycerol}&property=measured_tg&method=lookup`,
        { headers: researcher.headers },
      )
    ).json()) as { items: { id: string }[] };
    const other = await ctx().signIn('researcher');

    expect(created.canonicalValue).toBeCloseTo(-93.15, 9);
    expect(listed.items.map((item) => item.id)).toEqual([created.id]);
    expect(
      (
        await ctx().request(`/api/v1/predictions/${created.id}`, {
          method: 'DELETE',
          headers: other.headers,
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await ctx().request(`/api/v1/predictions/${created.id}`, {
          method: 'DELETE',
          headers: researcher.headers,
        })
      ).status,
    ).toBe(204);
  });
});
