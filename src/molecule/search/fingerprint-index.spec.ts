import {
  FINGERPRINT_BYTES,
  FingerprintIndex,
  FingerprintSegment,
  onBits,
  tanimoto,
} from './fingerprint-index';

// Deterministic pseudo-random fingerprints with 5–60 bits on, drawn from a 300-bit "vocabulary"
// so that pairs overlap the way Morgan fingerprints of related molecules do.
function fingerprints(count: number, seed: number): Uint8Array[] {
  let state = seed;
  const next = () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 2 ** 32;
  };
  return Array.from({ length: count }, () => {
    const fp = new Uint8Array(FINGERPRINT_BYTES);
    const bits = 5 + Math.floor(next() * 55);
    for (let i = 0; i < bits; i++) {
      const bit = Math.floor(next() * 300) * 7;
      fp[bit >> 3]! |= 1 << (bit & 7);
    }
    return fp;
  });
}

function bruteForce(query: Uint8Array, all: Uint8Array[]): number[] {
  const q = onBits(query);
  return all.map((fp) => {
    const x = onBits(fp);
    const common = x.filter((bit) => q.includes(bit)).length;
    return tanimoto(common, q.length, x.length);
  });
}

describe(FingerprintSegment.name, () => {
  const all = fingerprints(2_000, 7);
  const sut = FingerprintSegment.build(
    all.map((fingerprint, i) => ({ id: String(i), fingerprint })),
  );

  it('should score every molecule exactly as a brute-force Tanimoto when scanning in full', () => {
    const query = all[17]!;
    const out = new Float64Array(sut.size);
    sut.scoreAll(onBits(query), out);

    const expected = bruteForce(query, all);
    for (let position = 0; position < sut.size; position++) {
      expect(out[position]).toBe(expected[Number(sut.ids[position])]);
    }
  });

  it.each([0.3, 0.5, 0.7, 0.9])(
    'should return exactly the molecules at or above threshold %s when pruning',
    (threshold) => {
      for (const queryIndex of [3, 500, 1_999]) {
        const expected = bruteForce(all[queryIndex]!, all)
          .map((similarity, i) => ({ id: String(i), similarity }))
          .filter((hit) => hit.similarity >= threshold)
          .sort((a, b) => a.id.localeCompare(b.id));
        const hits: { id: string; similarity: number }[] = [];
        sut.search(
          onBits(all[queryIndex]!),
          { threshold, deadline: Number.POSITIVE_INFINITY },
          hits,
        );

        expect(hits.sort((a, b) => a.id.localeCompare(b.id))).toEqual(expected);
      }
    },
  );

  it('should stop with timedOut when the deadline has already passed', () => {
    const big = FingerprintSegment.build(
      fingerprints(40_000, 3).map((fingerprint, i) => ({ id: String(i), fingerprint })),
    );

    expect(big.search(onBits(all[0]!), { threshold: 0, deadline: 0 }, []).timedOut).toBe(true);
  });
});

describe(FingerprintIndex.name, () => {
  it('should follow inserts, updates and deletes when searching', () => {
    const [a, b, c] = fingerprints(3, 11);
    const sut = new FingerprintIndex();
    sut.load([
      { id: 'a', fingerprint: a! },
      { id: 'b', fingerprint: b! },
    ]);
    sut.upsert('c', c!);
    sut.upsert('b', a!);
    sut.remove('a');
    const hits = sut.search(a!, { threshold: 1, deadline: Number.POSITIVE_INFINITY }).hits;

    expect(sut.size).toBe(2);
    expect(hits).toEqual([{ id: 'b', similarity: 1 }]);
    expect(sut.search(c!, { threshold: 1, deadline: Number.POSITIVE_INFINITY }).hits).toEqual([
      { id: 'c', similarity: 1 },
    ]);
  });

  it('should keep answering correctly when many writes trigger compaction', () => {
    const all = fingerprints(3_000, 5);
    const sut = new FingerprintIndex();
    sut.load(all.slice(0, 500).map((fingerprint, i) => ({ id: String(i), fingerprint })));
    for (let i = 500; i < 3_000; i++) sut.upsert(String(i), all[i]!);
    for (let i = 0; i < 3_000; i += 2) sut.remove(String(i));

    const hits = sut.search(all[1]!, { threshold: 0.99, deadline: Number.POSITIVE_INFINITY }).hits;
    expect(sut.size).toBe(1_500);
    expect(hits.map((hit) => hit.id)).toContain('1');
    expect(hits.every((hit) => Number(hit.id) % 2 === 1)).toBe(true);
  });
});
