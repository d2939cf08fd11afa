/** Fingerprint width: Morgan radius 2, 2048 bits, 64 32-bit words, 256 bytes. */
export const FINGERPRINT_BITS = 2048;
export const FINGERPRINT_WORDS = FINGERPRINT_BITS / 32;
export const FINGERPRINT_BYTES = FINGERPRINT_BITS / 8;

// The deadline is read once per this many 32-molecule words.
const DEADLINE_STRIDE = 512;
// Words per block of the full scan: 256 words × up to 12 planes stay in L1 cache.
const SCAN_BLOCK = 256;

export interface SimilarityHit {
  id: string;
  similarity: number;
}

export interface SimilarityOptions {
  /** Minimum Tanimoto similarity, 0–1. */
  threshold: number;
  /** performance.now() value after which the scan stops with truncated = 'time-budget'. */
  deadline: number;
}

export interface SimilarityScan {
  /** Every molecule at or above the threshold, in no particular order. */
  hits: SimilarityHit[];
  /** Molecules whose similarity was computed (after popcount and pigeonhole pruning). */
  scored: number;
  timedOut: boolean;
}

/** Tanimoto = |a ∧ b| / (|a| + |b| − |a ∧ b|); 1 when both are empty, as RDKit defines it. */
export function tanimoto(common: number, popcountA: number, popcountB: number): number {
  const union = popcountA + popcountB - common;
  return union === 0 ? 1 : common / union;
}

/** The on-bit positions of a 256-byte fingerprint (bit b is byte b >> 3, bit b & 7). */
export function onBits(fingerprint: Uint8Array): Uint16Array {
  const bits: number[] = [];
  for (let byte = 0; byte < FINGERPRINT_BYTES; byte++) {
    let value = fingerprint[byte]!;
    while (value !== 0) {
      const low = value & -value;
      bits.push(byte * 8 + 31 - Math.clz32(low));
      value ^= low;
    }
  }
  return Uint16Array.from(bits);
}

interface Entry {
  id: string;
  bits: Uint16Array;
}

/**
 * Packed, bit-transposed fingerprint store for Tanimoto search.
 *
 * Molecules are sorted by popcount and assigned positions 0…n−1. For each of the 2048 bits there
 * is one column: a bitmap over positions (n / 32 words), all columns in one Uint32Array. A query
 * with k bits reads only its k columns; per 32-molecule word, bit-sliced adders count how many
 * query bits each molecule has (|q ∧ x|), and Tanimoto follows from the stored popcounts.
 *
 * Pruning for a threshold t: (1) popcount bounds — only positions with popcount in
 * [t·k, k/t] can reach t, and they are one contiguous range; (2) pigeonhole — a hit shares at
 * least ⌈t·k⌉ of the k query bits, so it has at least one of any k − ⌈t·k⌉ + 1 of them: the OR of
 * that many of the rarest query columns screens each word before counting; (3) elimination —
 * columns are added rarest first and a molecule is dropped once it can no longer reach ⌈t·k⌉.
 * Within a popcount, molecules are ordered by their rarest bit so that similar molecules share
 * words and the screen skips whole words.
 *
 * Immutable once built except for deletions (an alive bitmap); MoleculeSearchIndex adds a small
 * delta of recent writes and rebuilds when the delta grows.
 */
export class FingerprintSegment {
  readonly size: number;
  readonly wordsPerColumn: number;
  /** Column b occupies [b · wordsPerColumn, (b + 1) · wordsPerColumn). */
  readonly columns: Uint32Array;
  readonly popcounts: Uint16Array;
  readonly ids: string[];
  /** Bit p set while the molecule at position p is alive. */
  readonly alive: Uint32Array;
  /** First position whose popcount is ≥ p, for p = 0…2049. */
  private readonly popcountStart: Uint32Array;
  /** Number of molecules with each bit set: the screen picks the rarest query bits. */
  private readonly columnCounts: Uint32Array;
  private readonly positionById = new Map<string, number>();
  private deadCount = 0;

  private constructor(entries: Entry[]) {
    sortForPruning(entries);
    this.size = entries.length;
    this.wordsPerColumn = Math.ceil(this.size / 32);
    this.columns = new Uint32Array(FINGERPRINT_BITS * this.wordsPerColumn);
    this.popcounts = new Uint16Array(this.size);
    this.ids = new Array<string>(this.size);
    this.alive = new Uint32Array(this.wordsPerColumn);
    this.popcountStart = new Uint32Array(FINGERPRINT_BITS + 2);
    this.columnCounts = new Uint32Array(FINGERPRINT_BITS);
    const histogram = new Uint32Array(FINGERPRINT_BITS + 2);
    for (let position = 0; position < this.size; position++) {
      const { id, bits } = entries[position]!;
      this.ids[position] = id;
      this.positionById.set(id, position);
      this.popcounts[position] = bits.length;
      histogram[bits.length + 1]!++;
      const word = position >>> 5;
      const mask = 1 << (position & 31);
      this.alive[word]! |= mask;
      for (let i = 0; i < bits.length; i++) {
        const bit = bits[i]!;
        this.columns[bit * this.wordsPerColumn + word]! |= mask;
        this.columnCounts[bit]!++;
      }
    }
    for (let p = 1; p < histogram.length; p++)
      this.popcountStart[p] = this.popcountStart[p - 1]! + histogram[p]!;
  }

  /** Builds a segment from 256-byte fingerprints; ids must be unique. */
  static build(molecules: Iterable<{ id: string; fingerprint: Uint8Array }>): FingerprintSegment {
    const entries: Entry[] = [];
    for (const { id, fingerprint } of molecules) entries.push({ id, bits: onBits(fingerprint) });
    return new FingerprintSegment(entries);
  }

  static fromEntries(entries: Entry[]): FingerprintSegment {
    return new FingerprintSegment(entries);
  }

  get liveCount(): number {
    return this.size - this.deadCount;
  }

  get deleted(): number {
    return this.deadCount;
  }

  has(id: string): boolean {
    const position = this.positionById.get(id);
    return position !== undefined && this.isAlive(position);
  }

  /** Marks a molecule deleted; returns whether it was alive here. */
  delete(id: string): boolean {
    const position = this.positionById.get(id);
    if (position === undefined || !this.isAlive(position)) return false;
    this.alive[position >>> 5]! &= ~(1 << (position & 31));
    this.deadCount++;
    return true;
  }

  /** The live molecules' on-bits, read back from the columns (used to rebuild). */
  liveEntries(): Entry[] {
    const bitsByPosition: number[][] = Array.from({ length: this.size }, () => []);
    for (let bit = 0; bit < FINGERPRINT_BITS; bit++) {
      const base = bit * this.wordsPerColumn;
      for (let word = 0; word < this.wordsPerColumn; word++) {
        let value = this.columns[base + word]! & this.alive[word]!;
        while (value !== 0) {
          const low = value & -value;
          bitsByPosition[word * 32 + 31 - Math.clz32(low)]!.push(bit);
          value ^= low;
        }
      }
    }
    const entries: Entry[] = [];
    for (let position = 0; position < this.size; position++) {
      if (this.isAlive(position))
        entries.push({
          id: this.ids[position]!,
          bits: Uint16Array.from(bitsByPosition[position]!),
        });
    }
    return entries;
  }

  /** Molecules with Tanimoto ≥ threshold, using both prunings. */
  search(
    queryBits: Uint16Array,
    options: SimilarityOptions,
    hits: SimilarityHit[],
  ): { scored: number; timedOut: boolean } {
    const k = queryBits.length;
    const t = options.threshold;
    if (k === 0 || this.size === 0) return { scored: 0, timedOut: false };
    // Popcount window [t·k, k/t]; the small epsilon keeps exact boundary cases (e.g. 0.7 · 10).
    const low = t > 0 ? Math.max(0, Math.ceil(t * k - 1e-9)) : 0;
    const high = t > 0 ? Math.min(FINGERPRINT_BITS, Math.floor(k / t + 1e-9)) : FINGERPRINT_BITS;
    if (low > high) return { scored: 0, timedOut: false };
    const start = this.popcountStart[low]!;
    const end = this.popcountStart[high + 1]!;
    if (start >= end) return { scored: 0, timedOut: false };
    const minCommon = t > 0 ? Math.max(1, Math.ceil(t * k - 1e-9)) : 0;
    // Query columns rarest first: the first k − minCommon + 1 of them form the pigeonhole screen.
    const offsets = this.columnOffsets(this.byRarity(queryBits));
    const screenSize = minCommon > 0 ? k - minCommon + 1 : 0;
    const planes = new Int32Array(32 - Math.clz32(k));
    const counts = new Int32Array(32);
    const firstWord = start >>> 5;
    const lastWord = (end - 1) >>> 5;
    let scored = 0;
    for (let word = firstWord; word <= lastWord; word++) {
      if (
        (word - firstWord) % DEADLINE_STRIDE === DEADLINE_STRIDE - 1 &&
        performance.now() > options.deadline
      ) {
        return { scored, timedOut: true };
      }
      let mask = this.alive[word]!;
      if (word === firstWord) mask &= -1 << (start & 31);
      if (word === lastWord && (end & 31) !== 0) mask &= (1 << (end & 31)) - 1;
      if (screenSize > 0 && screenSize < k) {
        let any = 0;
        for (let s = 0; s < screenSize; s++) any |= this.columns[offsets[s]! + word]!;
        mask &= any;
      }
      if (mask === 0) continue;
      mask = this.countWithElimination(offsets, word, mask, minCommon, planes);
      if (mask === 0) continue;
      for (let p = 0; p < planes.length; p++) addPlane(counts, planes[p]! & mask, 1 << p);
      const base = word << 5;
      while (mask !== 0) {
        const low = mask & -mask;
        const lane = 31 - Math.clz32(low);
        mask ^= low;
        const common = counts[lane]!;
        scored++;
        const similarity = tanimoto(common, k, this.popcounts[base + lane]!);
        if (similarity >= t) hits.push({ id: this.ids[base + lane]!, similarity });
      }
      counts.fill(0);
    }
    return { scored, timedOut: false };
  }

  /**
   * Similarity of the query to every molecule, written to out[position] (deleted positions get
   * NaN). This is the unpruned full scan the benchmark measures.
   */
  scoreAll(queryBits: Uint16Array, out: Float64Array): void {
    const k = queryBits.length;
    out.fill(k === 0 ? 1 : 0, 0, this.size);
    const offsets = this.columnOffsets(queryBits);
    const planeCount = 32 - Math.clz32(k);
    const planes = new Int32Array(planeCount * SCAN_BLOCK);
    const counts = new Int32Array(32);
    const columns = this.columns;
    // Blocks of SCAN_BLOCK words: each query column is streamed through the block sequentially,
    // adding into bit-sliced planes (plane p of word w at p · SCAN_BLOCK + w).
    for (let blockStart = 0; blockStart < this.wordsPerColumn; blockStart += SCAN_BLOCK) {
      const blockWords = Math.min(SCAN_BLOCK, this.wordsPerColumn - blockStart);
      planes.fill(0);
      for (let j = 0; j < k; j++) {
        const offset = offsets[j]! + blockStart;
        for (let w = 0; w < blockWords; w++) {
          let carry = columns[offset + w]!;
          for (let index = w; carry !== 0; index += SCAN_BLOCK) {
            const next = planes[index]! & carry;
            planes[index]! ^= carry;
            carry = next;
          }
        }
      }
      for (let w = 0; w < blockWords; w++) {
        const word = blockStart + w;
        const alive = this.alive[word]!;
        const base = word << 5;
        // Lanes with no common bit keep the pre-filled 0; only the others need a division.
        let mask = 0;
        for (let p = 0; p < planeCount; p++) {
          const plane = planes[p * SCAN_BLOCK + w]! & alive;
          mask |= plane;
          addPlane(counts, plane, 1 << p);
        }
        while (mask !== 0) {
          const low = mask & -mask;
          const lane = 31 - Math.clz32(low);
          mask ^= low;
          out[base + lane] = tanimoto(counts[lane]!, k, this.popcounts[base + lane]!);
          counts[lane] = 0;
        }
        let dead = ~alive;
        if (base + 32 > this.size) dead &= (1 << (this.size - base)) - 1;
        while (dead !== 0) {
          const low = dead & -dead;
          out[base + 31 - Math.clz32(low)] = Number.NaN;
          dead ^= low;
        }
      }
    }
  }

  private isAlive(position: number): boolean {
    return (this.alive[position >>> 5]! & (1 << (position & 31))) !== 0;
  }

  private columnOffsets(queryBits: Uint16Array): Int32Array {
    return Int32Array.from(queryBits, (bit) => bit * this.wordsPerColumn);
  }

  private byRarity(queryBits: Uint16Array): Uint16Array {
    return Uint16Array.from(queryBits).sort(
      (a, b) => this.columnCounts[a]! - this.columnCounts[b]!,
    );
  }

  /**
   * Bit-sliced count of common bits for the lanes in mask, dropping a lane as soon as it cannot
   * reach minCommon any more (its count plus the columns still to come is too small). Leaves the
   * counts in planes and returns the surviving lanes.
   */
  private countWithElimination(
    offsets: Int32Array,
    word: number,
    mask: number,
    minCommon: number,
    planes: Int32Array,
  ): number {
    const k = offsets.length;
    planes.fill(0);
    for (let j = 0; j < k; j++) {
      let carry = this.columns[offsets[j]! + word]! & mask;
      for (let p = 0; carry !== 0; p++) {
        const next = planes[p]! & carry;
        planes[p]! ^= carry;
        carry = next;
      }
      const needed = minCommon - (k - 1 - j);
      if (needed > 0) {
        mask &= atLeast(planes, needed);
        if (mask === 0) return 0;
      }
    }
    return mask;
  }
}

/**
 * Sorts by popcount (for the popcount window), then by each molecule's rarest bit: molecules that
 * share rare bits end up in the same 32-molecule words, so the pigeonhole screen skips whole words.
 */
function sortForPruning(entries: Entry[]): void {
  const frequency = new Uint32Array(FINGERPRINT_BITS);
  for (const entry of entries)
    for (let i = 0; i < entry.bits.length; i++) frequency[entry.bits[i]!]!++;
  // Sort key: popcount × 4096 + rarest bit, in a typed array sorted together with the entry order.
  const keys = new Float64Array(entries.length);
  for (let index = 0; index < entries.length; index++) {
    const bits = entries[index]!.bits;
    let rarest = FINGERPRINT_BITS;
    for (let i = 0; i < bits.length; i++) {
      if (rarest === FINGERPRINT_BITS || frequency[bits[i]!]! < frequency[rarest]!)
        rarest = bits[i]!;
    }
    keys[index] = bits.length * 4_096 + rarest;
  }
  const order = Uint32Array.from(entries.keys()).sort((x, y) => keys[x]! - keys[y]! || x - y);
  const sorted = Array.from(order, (index) => entries[index]!);
  for (let index = 0; index < sorted.length; index++) entries[index] = sorted[index]!;
}

/** Lanes whose bit-sliced count (planes, least significant first) is ≥ value. */
function atLeast(planes: Int32Array, value: number): number {
  let greater = 0;
  let equal = -1;
  for (let p = planes.length - 1; p >= 0; p--) {
    const bit = (value >>> p) & 1 ? -1 : 0;
    const x = planes[p]!;
    greater |= equal & x & ~bit;
    equal &= ~(x ^ bit);
  }
  return greater | equal;
}

function addPlane(counts: Int32Array, plane: number, weight: number): void {
  while (plane !== 0) {
    const low = plane & -plane;
    counts[31 - Math.clz32(low)]! += weight;
    plane ^= low;
  }
}

/**
 * The similarity index that follows writes: a large popcount-sorted FingerprintSegment plus a small
 * delta of molecules written since it was built. A write deletes the old copy (alive bitmap) and
 * puts the new one in the delta; the delta's own segment is rebuilt lazily on the next search, and
 * the delta is merged into a fresh main segment once it passes a sixteenth of the main size.
 */
export class FingerprintIndex {
  private main = FingerprintSegment.fromEntries([]);
  private readonly delta = new Map<string, Entry>();
  private deltaSegment: FingerprintSegment | null = null;

  /** Replaces the whole content (startup load). */
  load(molecules: Iterable<{ id: string; fingerprint: Uint8Array }>): void {
    this.main = FingerprintSegment.build(molecules);
    this.delta.clear();
    this.deltaSegment = null;
  }

  get size(): number {
    return this.main.liveCount + this.delta.size;
  }

  has(id: string): boolean {
    return this.delta.has(id) || this.main.has(id);
  }

  upsert(id: string, fingerprint: Uint8Array): void {
    this.main.delete(id);
    this.delta.set(id, { id, bits: onBits(fingerprint) });
    this.deltaSegment = null;
    if (this.delta.size > Math.max(1_024, this.main.liveCount / 16)) this.compact();
  }

  remove(id: string): boolean {
    const inMain = this.main.delete(id);
    const inDelta = this.delta.delete(id);
    if (inDelta) this.deltaSegment = null;
    if (this.main.deleted > Math.max(1_024, this.main.size / 4)) this.compact();
    return inMain || inDelta;
  }

  /** Every molecule with Tanimoto ≥ threshold (unsorted), or a partial list when the deadline passed. */
  search(fingerprint: Uint8Array, options: SimilarityOptions): SimilarityScan {
    const queryBits = onBits(fingerprint);
    const hits: SimilarityHit[] = [];
    this.deltaSegment ??= FingerprintSegment.fromEntries([...this.delta.values()]);
    const first = this.deltaSegment.search(queryBits, options, hits);
    if (first.timedOut) return { hits, scored: first.scored, timedOut: true };
    const second = this.main.search(queryBits, options, hits);
    return { hits, scored: first.scored + second.scored, timedOut: second.timedOut };
  }

  private compact(): void {
    this.main = FingerprintSegment.fromEntries([
      ...this.main.liveEntries(),
      ...this.delta.values(),
    ]);
    this.delta.clear();
    this.deltaSegment = null;
  }
}
