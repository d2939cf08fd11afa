import { Counter, Histogram, Metric, Registry } from 'prom-client';
import { HttpRequestSeries } from './http-request-series';
import { HTTP_DURATION_BUCKETS } from './metric-names';

const REQUESTS = 'cryoprotect_http_requests_total';
const DURATION = 'cryoprotect_http_request_duration_seconds';

/** The same observations through prom-client's own Counter and Histogram, and through the series. */
function bothRegistries(observations: Array<[string, string, number, number]>) {
  const reference = new Registry();
  const labelNames = ['method', 'route', 'status_code'];
  const counter = new Counter({ name: REQUESTS, help: 'h', labelNames, registers: [reference] });
  const histogram = new Histogram({
    name: DURATION,
    help: 'd',
    labelNames,
    buckets: HTTP_DURATION_BUCKETS,
    registers: [reference],
  });
  const ours = new Registry();
  const series = new HttpRequestSeries(HTTP_DURATION_BUCKETS);
  ours.registerMetric(series.counter(REQUESTS, 'h') as unknown as Metric);
  ours.registerMetric(series.histogram(DURATION, 'd') as unknown as Metric);
  for (const [method, route, status, seconds] of observations) {
    const labels = { method, route, status_code: String(status) };
    counter.inc(labels);
    histogram.observe(labels, seconds);
    series.record(method, route, status, seconds);
  }
  return { reference, ours };
}

/** Exposition lines, sorted, with label pairs in name order (the text format does not order them). */
async function lines(registry: Registry): Promise<string[]> {
  const text = await registry.metrics();
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) =>
      line.replace(
        /\{([^}]*)\}/,
        (_all, pairs: string) => `{${pairs.split(',').sort().join(',')}}`,
      ),
    )
    .sort();
}

describe('HttpRequestSeries', () => {
  it("should export the same samples as prom-client's Counter and Histogram when given the same requests", async () => {
    const observations: Array<[string, string, number, number]> = [];
    const routes = ['/api/v1/molecules/:id', '/health/live', 'unmatched'];
    // Durations on and around every bucket bound, below the first and above the last.
    const durations = [0, 0.0001, ...HTTP_DURATION_BUCKETS, 0.0051, 0.3, 7.5, 42];
    durations.forEach((seconds, index) =>
      observations.push([
        index % 2 ? 'GET' : 'POST',
        routes[index % 3],
        [200, 404, 500][index % 3],
        seconds,
      ]),
    );
    const { reference, ours } = bothRegistries(observations);
    const expected = await lines(reference);
    expect(expected.some((line) => line.startsWith(`${DURATION}_bucket{le="0.005"`))).toBe(true);
    expect(await lines(ours)).toEqual(expected);
  });

  it('should export nothing after the registry resets its metrics', async () => {
    const { ours } = bothRegistries([['GET', '/a', 200, 0.01]]);
    expect(await ours.metrics()).toContain(
      `${REQUESTS}{method="GET",route="/a",status_code="200"} 1`,
    );
    ours.resetMetrics();
    expect(await ours.metrics()).not.toContain('route="/a"');
  });
});
