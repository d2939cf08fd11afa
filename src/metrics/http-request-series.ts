/** One sample as prom-client's registry reads it from a metric's get(). */
interface Sample {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
}

type HttpLabels = { method: string; route: string; status_code: string };

interface Series {
  labels: HttpLabels;
  count: number;
  sum: number;
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  buckets: Float64Array;
}

/**
 * The request counter and duration histogram of every (method, route, status) series, kept in one
 * map entry per series and exported through prom-client's registry as the usual counter and
 * histogram. A request costs one map lookup by a short string and a few additions. prom-client's
 * Counter.inc and Histogram.observe validate and hash the label object on every call (a closure per
 * observation in the histogram), about a microsecond per request here, which is most of what the
 * metrics cost a small request.
 */
export class HttpRequestSeries {
  /**
   * route → status → method → series. Route templates and methods are strings whose hash V8 has
   * already computed and the status a small integer, so three lookups cost less than hashing a key
   * built per request.
   */
  private readonly byRoute = new Map<string, Map<number, Map<string, Series>>>();
  private readonly all: Series[] = [];

  constructor(private readonly bounds: readonly number[]) {}

  record(method: string, route: string, status: number, seconds: number): void {
    let byStatus = this.byRoute.get(route);
    if (byStatus === undefined) this.byRoute.set(route, (byStatus = new Map()));
    let byMethod = byStatus.get(status);
    if (byMethod === undefined) byStatus.set(status, (byMethod = new Map()));
    let series = byMethod.get(method);
    if (series === undefined) {
      series = {
        labels: { method, route, status_code: String(status) },
        count: 0,
        sum: 0,
        buckets: new Float64Array(this.bounds.length + 1),
      };
      byMethod.set(method, series);
      this.all.push(series);
    }
    series.count++;
    series.sum += seconds;
    const { bounds } = this;
    let bucket = 0;
    while (bucket < bounds.length && seconds > bounds[bucket]) bucket++;
    series.buckets[bucket]++;
  }

  reset(): void {
    this.byRoute.clear();
    this.all.length = 0;
  }

  /** The counter, for the registry: one sample per series. */
  counter(name: string, help: string): SeriesMetric {
    return new SeriesMetric(name, help, 'counter', this, () =>
      this.all.map((series) => ({
        labels: { ...series.labels },
        value: series.count,
      })),
    );
  }

  /** The histogram, for the registry: cumulative buckets with `le`, then _sum and _count. */
  histogram(name: string, help: string): SeriesMetric {
    return new SeriesMetric(name, help, 'histogram', this, () =>
      this.all.flatMap((series) => {
        const values: Sample[] = [];
        let cumulative = 0;
        this.bounds.forEach((bound, index) => {
          cumulative += series.buckets[index];
          values.push({
            metricName: `${name}_bucket`,
            labels: { ...series.labels, le: bound },
            value: cumulative,
          });
        });
        values.push(
          {
            metricName: `${name}_bucket`,
            labels: { ...series.labels, le: '+Inf' },
            value: series.count,
          },
          { metricName: `${name}_sum`, labels: { ...series.labels }, value: series.sum },
          { metricName: `${name}_count`, labels: { ...series.labels }, value: series.count },
        );
        return values;
      }),
    );
  }
}

/**
 * What prom-client's Registry asks of a metric: name, help, type, aggregator, get() and reset().
 * Both metrics of one HttpRequestSeries reset it together (the registry resets all metrics at once).
 */
export class SeriesMetric {
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'histogram',
    /** The series this metric exports. */
    readonly source: HttpRequestSeries,
    private readonly values: () => Sample[],
  ) {}

  get(): Promise<{
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: Sample[];
  }> {
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: this.values(),
    });
  }

  reset(): void {
    this.source.reset();
  }
}
