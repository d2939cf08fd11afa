import { FixedWindowThrottlerStorage } from './fixed-window-throttler.storage';

describe(FixedWindowThrottlerStorage.name, () => {
  let sut: FixedWindowThrottlerStorage;
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    sut = new FixedWindowThrottlerStorage();
  });
  afterEach(() => {
    sut.onModuleDestroy();
    jest.useRealTimers();
  });

  it('should block the request after the limit when hits arrive within one window', async () => {
    const results = [];
    for (let i = 0; i < 4; i++)
      results.push(await sut.increment('1.2.3.4', 60_000, 3, 60_000, 'default'));
    expect(results.map((result) => result.isBlocked)).toEqual([false, false, false, true]);
    expect(results[3]).toMatchObject({ totalHits: 4, timeToBlockExpire: 60 });
  });

  it('should count each key and throttler separately', async () => {
    for (let i = 0; i < 3; i++) await sut.increment('a', 60_000, 3, 60_000, 'default');
    expect((await sut.increment('b', 60_000, 3, 60_000, 'default')).isBlocked).toBe(false);
    expect((await sut.increment('a', 60_000, 3, 60_000, 'other')).isBlocked).toBe(false);
  });

  it('should start a new window when the ttl and the block have passed', async () => {
    for (let i = 0; i < 4; i++) await sut.increment('a', 1_000, 3, 5_000, 'default');
    jest.advanceTimersByTime(2_000);
    expect((await sut.increment('a', 1_000, 3, 5_000, 'default')).isBlocked).toBe(true);
    jest.advanceTimersByTime(3_001);
    expect(await sut.increment('a', 1_000, 3, 5_000, 'default')).toMatchObject({
      isBlocked: false,
      totalHits: 1,
    });
  });
});
