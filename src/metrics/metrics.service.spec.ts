import { register } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { loadConfig } from '../config/config.loader';
import { MetricsService } from './metrics.service';

describe(MetricsService.name, () => {
  const create = (enabled: boolean) =>
    new MetricsService(loadConfig({ env: {}, overrides: { metrics: { enabled } } }) as AppConfig);

  beforeEach(() => register.clear());
  afterAll(() => register.clear());

  it('should return the same metric when a name is asked for twice', () => {
    const sut = create(true);
    const first = sut.counter({
      name: 'cryoprotect_test_total',
      help: 'test',
      labelNames: ['kind'],
    });
    const second = sut.counter({
      name: 'cryoprotect_test_total',
      help: 'test',
      labelNames: ['kind'],
    });
    expect(second).toBe(first);
  });

  it('should throw when a name is asked for as another type', () => {
    const sut = create(true);
    sut.gauge({ name: 'cryoprotect_test', help: 'test' });
    expect(() => sut.counter({ name: 'cryoprotect_test', help: 'test' })).toThrow(
      'already registered as another type',
    );
  });

  it('should collect default process metrics only when metrics are enabled', async () => {
    create(false);
    expect(await register.metrics()).not.toContain('process_cpu_seconds_total');
    create(true);
    create(true);
    expect(await create(true).scrape()).toContain('process_cpu_seconds_total');
  });
});
