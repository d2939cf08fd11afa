import { applyRetention, RetentionCandidate } from './retention';

const none = { keepLast: 0, hourly: 0, daily: 0, weekly: 0, monthly: 0, yearly: 0 };

/** One backup every 6 hours for 30 days, newest first at 2026-03-31T18:00Z. */
function sixHourly(): RetentionCandidate[] {
  const end = Date.parse('2026-03-31T18:00:00Z');
  return Array.from({ length: 120 }, (_, i) => ({
    id: `b${String(i).padStart(3, '0')}`,
    createdAt: new Date(end - i * 6 * 3_600_000),
    verified: false,
  }));
}

describe(applyRetention.name, () => {
  it('should keep only the newest N when keepLast is the only rule', () => {
    const sut = applyRetention(sixHourly(), { ...none, keepLast: 3 });
    expect(sut.keep.map((k) => k.id)).toEqual(['b000', 'b001', 'b002']);
    expect(sut.remove).toHaveLength(117);
  });

  it('should keep the later of two backups made in the same second when keepLast is 1', () => {
    // Ids sort only to the second; the random part of the later one sorts lower here.
    const sut = applyRetention(
      [
        {
          id: '20261201T161618Z-ffffffff',
          createdAt: new Date('2026-12-01T16:16:18.100Z'),
          verified: false,
        },
        {
          id: '20261201T161618Z-00000000',
          createdAt: new Date('2026-12-01T16:16:18.900Z'),
          verified: false,
        },
      ],
      { ...none, keepLast: 1 },
    );
    expect(sut.keep.map((k) => k.id)).toEqual(['20261201T161618Z-00000000']);
    expect(sut.remove).toEqual(['20261201T161618Z-ffffffff']);
  });

  it('should keep the newest backup of each of the last 7 days when daily is 7', () => {
    const sut = applyRetention(sixHourly(), { ...none, daily: 7 });
    // 18:00 is the newest backup of each day: b000, b004, b008, …
    expect(sut.keep.map((k) => k.id)).toEqual([
      'b000',
      'b004',
      'b008',
      'b012',
      'b016',
      'b020',
      'b024',
    ]);
  });

  it('should keep one per ISO week and one per month when weekly 2 and monthly 2', () => {
    const sut = applyRetention(sixHourly(), { ...none, weekly: 2, monthly: 2 });
    const kept = sut.keep.map((k) => `${k.id}:${k.reasons.join('+')}`);
    // 2026-03-31 is a Tuesday (week 14); the week before ends Sunday 2026-03-29 18:00 (b008).
    expect(kept).toEqual(['b000:weekly 2026-W14+monthly 2026-03', 'b008:weekly 2026-W13']);
  });

  it('should never remove the newest verified backup whatever the policy', () => {
    const candidates = sixHourly().map((c) => ({
      ...c,
      verified: c.id === 'b050' || c.id === 'b090',
    }));
    const sut = applyRetention(candidates, { ...none, keepLast: 1 });
    expect(sut.keep.map((k) => k.id)).toEqual(['b000', 'b050']);
    expect(sut.remove).toContain('b090');
  });

  it('should keep nothing and remove nothing when there are no backups', () => {
    expect(applyRetention([], { ...none, keepLast: 5 })).toEqual({ keep: [], remove: [] });
  });
});
