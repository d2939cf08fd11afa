import {
  ABSENT,
  formatBatch,
  LINE_SLOTS,
  RequestLineBatch,
  RequestLineFields,
  RequestLineFormatter,
  SAME,
  Slot,
} from './request-line.format';

const TAIL = ',"ecs.version":"8.10.0","service.name":"cryoprotect"}';

/** Packs lines as the offload does: full values, or SAME where a field repeats the line before. */
function pack(lines: { fields: RequestLineFields; mask: number }[]): RequestLineBatch {
  const numbers = new Float64Array(lines.length * LINE_SLOTS);
  let text = '';
  const strings = ['method', 'url', 'id', 'ip', 'userAgent', 'userId', 'route'] as const;
  lines.forEach(({ fields, mask }, i) => {
    const at = i * LINE_SLOTS;
    for (const name of strings) {
      const value = fields[name];
      if (i > 0 && name !== 'id' && value === lines[i - 1].fields[name])
        numbers[at + Slot[name]] = SAME;
      else if (value === undefined) numbers[at + Slot[name]] = ABSENT;
      else {
        text += value;
        numbers[at + Slot[name]] = value.length;
      }
    }
    numbers[at + Slot.status] = fields.status;
    numbers[at + Slot.millis] = fields.millis;
    numbers[at + Slot.answeredAt] = fields.answeredAt;
    numbers[at + Slot.mask] = mask;
  });
  return { seq: 1, count: lines.length, text, numbers };
}

/** A small deterministic generator (the same lines on every run). */
function generator(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return (state >>> 8) % n;
  };
}

const pick = <T>(next: (n: number) => number, values: T[]): T => values[next(values.length)];

/**
 * Lines whose fields mostly repeat (as a burst on one route does) and sometimes change to values
 * that need escaping, masking or UTF-8, at times on second and millisecond boundaries and outside
 * years 0–9999.
 */
function lines(count: number): { fields: RequestLineFields; mask: number }[] {
  const next = generator(7);
  const base = Date.UTC(2026, 11, 3, 12, 0, 59);
  const plain: RequestLineFields = {
    method: 'GET',
    url: '/health/live',
    id: 'req-0',
    ip: '127.0.0.1',
    userAgent: 'wrk/4.2',
    userId: undefined,
    route: '/health/live',
    status: 200,
    millis: 0.31,
    answeredAt: base,
  };
  let fields = plain;
  return Array.from({ length: count }, (_, n) => {
    // Back to plain values now and then, as a burst of ordinary requests follows an odd one.
    if (next(6) === 0) fields = plain;
    fields = { ...fields, id: `req-${n}`, millis: next(100_000) / 997, answeredAt: base + n * 7 };
    if (next(4) === 0)
      switch (next(9)) {
        case 0:
          fields.url = pick(next, [
            '/health/live',
            '/api/v1/molecules/42?token=eyJhbGciOi.x.y',
            '/api/v1/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln/x=1',
            '/api/v1/molecules/"quoted"',
            '/api/v1/molécules',
            '/a\\b\u0001',
            '/login?password=hunter2',
          ]);
          break;
        case 1:
          fields.userAgent = pick(next, [undefined, 'curl/8.0', 'agent "q" Bearer abc.def', 'ünï']);
          break;
        case 2:
          fields.userId = pick(next, [undefined, 'u-1', 'ü-2']);
          break;
        case 3:
          fields.status = pick(next, [200, 201, 401, 404, 500, 503]);
          break;
        case 4:
          fields.method = pick(next, ['GET', 'POST', 'DELETE']);
          break;
        case 5:
          fields.route = pick(next, ['/health/live', '/api/v1/molecules/:id', 'unmatched', '/ü']);
          break;
        case 6:
          fields.ip = pick(next, ['127.0.0.1', '::1', '10.0.0.2']);
          break;
        case 7:
          fields.id = pick(next, [fields.id, 'id "quoted"', 'Bearer abcdefgh', 'idé']);
          break;
        default:
          fields.answeredAt = pick(next, [
            Date.UTC(10000, 0, 1), // after year 9999: 27 characters
            Date.UTC(2026, 0, 1, 0, 0, 0, 999),
            Date.UTC(2026, 0, 1, 0, 0, 1, 0),
            Date.UTC(2026, 0, 1, 0, 0, 1, 9),
            Date.UTC(2026, 0, 1, 0, 0, 1, 10),
            Date.UTC(2026, 0, 1, 0, 0, 1, 99),
          ]);
          fields.millis = pick(next, [0, 0.05, 0.25, 1.25, 12_345.678]);
      }
    return { fields: { ...fields }, mask: next(5) === 0 ? 3 : 1 };
  });
}

describe('formatBatch', () => {
  it("should write each line's bytes exactly as format() and UTF-8 encoding make them when fields repeat, change, need escaping, masking or UTF-8", () => {
    const given = lines(3_000);
    const expectedFormatter = new RequestLineFormatter(TAIL);
    const expected = given.map(({ fields }) => `${expectedFormatter.format(fields)}\n`);

    const formatter = new RequestLineFormatter(TAIL);
    const formatted = jest.spyOn(formatter, 'format');
    const chunks = formatBatch(formatter, pack(given));

    const written = chunks.flatMap(({ mask, bytes }) =>
      Buffer.from(bytes)
        .toString('utf8')
        .split(/(?<=\n)/)
        .map((line) => ({ mask, line })),
    );
    expect(written.map((w) => w.line)).toEqual(expected);
    expect(written.map((w) => w.mask)).toEqual(given.map((g) => g.mask));
    // Consecutive lines for the same transports share a chunk.
    for (let i = 1; i < chunks.length; i++) expect(chunks[i].mask).not.toBe(chunks[i - 1].mask);
    // The lines exercised both ways: written as bytes, and formatted (escaped, masked, UTF-8).
    expect(expected.some((line) => line.includes('\\"quoted\\"'))).toBe(true);
    expect(expected.some((line) => line.includes('[REDACTED]'))).toBe(true);
    expect(expected.some((line) => line.includes('"http.request.id":"Bearer ***"'))).toBe(true);
    expect(expected.some((line) => line.includes('+010000-01-01T00:00:00.000Z'))).toBe(true);
    // Most lines were written as bytes; those that need escaping, masking or UTF-8 were formatted.
    expect(formatted.mock.calls.length).toBeGreaterThan(100);
    expect(formatted.mock.calls.length).toBeLessThan(given.length / 2);
  });

  it('should give each chunk an ArrayBuffer of its own when batches are formatted one after another', () => {
    const formatter = new RequestLineFormatter(TAIL);
    const first = formatBatch(formatter, pack(lines(50)));
    const firstText = first.map(({ bytes }) => Buffer.from(bytes).toString()).join('');
    const second = formatBatch(formatter, pack(lines(60)));

    for (const { bytes } of [...first, ...second]) {
      expect(bytes.byteOffset).toBe(0);
      expect(bytes.buffer.byteLength).toBe(bytes.byteLength);
    }
    // The second batch did not write over the first's bytes.
    expect(first.map(({ bytes }) => Buffer.from(bytes).toString()).join('')).toBe(firstText);
  });
});
