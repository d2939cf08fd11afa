import { ChemistryPort, SubstructureLibrary, SubstructureQuery } from '../chemistry/chemistry.port';
import { AtomFeatures, BondFeatures, moleculeTypeCounts, TypeCount } from './atom-features';
import {
  compileAtomScreen,
  GroupTables,
  MAX_SCREEN_GROUPS,
  ScreenTables,
  screenTables,
  UNION_BIT,
} from './atom-screen';

/** Molecules per toolkit library: the time budget is checked between libraries. */
const SEGMENT_SIZE = 4_096;
/**
 * 32-bit words of the library's 2048-bit screen fingerprint, kept in JavaScript. Not folded: the
 * candidates matched on their own must pass exactly the library's screen, or a query for which
 * RDKit's pattern screen drops true matches (e.g. `[+0;N]`) would find more in those segments.
 */
const FINGERPRINT_WORDS = 64;
/**
 * A segment's screened candidates are matched on their own (in a throwaway library, which costs
 * about a fifth of a match per molecule to fill) when they are fewer than this share of the ones
 * that pass the fingerprint screen alone; otherwise the segment's own library is searched.
 */
const SUBSET_SHARE = 0.8;
// Each type run is one 32-bit word: 16 bits of type id, 16 bits of count.
const MAX_COUNT = 0xffff;
const MAX_TYPE_ID = 0xffff;

/** A growable Uint32Array. */
class Words {
  data = new Uint32Array(64);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = value;
  }

  extend(count: number): number {
    const start = this.length;
    if (start + count > this.data.length) this.grow(start + count);
    this.length += count;
    return start;
  }

  private grow(minimum: number): void {
    const data = new Uint32Array(Math.max(minimum, this.data.length * 2));
    data.set(this.data.subarray(0, this.length));
    this.data = data;
  }
}

interface Segment {
  library: SubstructureLibrary;
  ids: string[];
  smiles: string[];
  dead: Set<number>;
  /** FINGERPRINT_WORDS words per position: the library's screen fingerprint. */
  fingerprints: Words;
  /** Atom types of position p: atomRuns[atomStart[p] .. atomStart[p + 1]), each (type id << 16) | count. */
  atomStart: Words;
  atomRuns: Words;
  /** Bond types, the same way. */
  bondStart: Words;
  bondRuns: Words;
  /** Positions whose SMILES the atom reader could not read: they always pass the atom screen. */
  unscreened: Set<number>;
}

/** A query's screens in the index's terms, computed once per search. */
interface CompiledScreen {
  /** Indices of the non-zero words of the query's fingerprint, and those words. */
  words: Uint32Array;
  bits: Uint32Array;
  tables: ScreenTables;
}

export interface SubstructureScan {
  ids: string[];
  /** Stopped because the deadline passed before every segment was searched. */
  timedOut: boolean;
  /** Stopped because maxResults hits were found and more may exist. */
  capped: boolean;
}

/**
 * Substructure search over RDKit SubstructLibrary segments (pattern-fingerprint screen, then an
 * exact match on trusted canonical SMILES), with a second screen in JavaScript: per molecule the
 * counts of its atom types (element, aromaticity, ring, charge, degree, hydrogens, bond orders) and
 * bond types (order and the types of both ends), read once from the SMILES, against what the
 * query's atoms and bonds need. When that screen leaves few candidates in a segment, only they are
 * matched. Libraries are append-only, so a write appends the new copy and marks the old one dead;
 * a segment more than a quarter dead is rebuilt.
 */
export class SubstructureIndex {
  private readonly segments: Segment[] = [];
  private readonly locationById = new Map<
    string,
    { segment: Segment; position: number; smiles: string }
  >();
  private readonly atomTypes = new TypeDictionary<AtomFeatures>();
  private readonly bondTypes = new TypeDictionary<BondFeatures>();

  constructor(private readonly chemistry: ChemistryPort) {}

  get size(): number {
    return this.locationById.size;
  }

  ids(): string[] {
    return [...this.locationById.keys()];
  }

  smilesOf(id: string): string | undefined {
    return this.locationById.get(id)?.smiles;
  }

  upsert(id: string, canonicalSmiles: string): void {
    if (this.locationById.get(id)?.smiles === canonicalSmiles) return;
    this.remove(id);
    let segment = this.segments.at(-1);
    if (!segment || segment.ids.length >= SEGMENT_SIZE) {
      segment = this.emptySegment();
      this.segments.push(segment);
    }
    const position = this.append(segment, id, canonicalSmiles);
    this.locationById.set(id, { segment, position, smiles: canonicalSmiles });
  }

  remove(id: string): void {
    const location = this.locationById.get(id);
    if (!location) return;
    this.locationById.delete(id);
    location.segment.dead.add(location.position);
    if (location.segment.dead.size > location.segment.ids.length / 4)
      this.rebuild(location.segment);
  }

  search(query: SubstructureQuery, maxResults: number, deadline: number): SubstructureScan {
    const screen = this.compileScreen(query);
    const ids: string[] = [];
    for (const segment of this.segments) {
      if (performance.now() > deadline) return { ids, timedOut: true, capped: false };
      // Ask for one more than needed to know whether the cap cut anything off.
      for (const position of this.matchSegment(
        segment,
        query,
        screen,
        maxResults - ids.length + 1,
      )) {
        if (ids.length === maxResults) return { ids, timedOut: false, capped: true };
        ids.push(segment.ids[position]!);
      }
    }
    return { ids, timedOut: false, capped: false };
  }

  clear(): void {
    for (const segment of this.segments) segment.library.dispose();
    this.segments.length = 0;
    this.locationById.clear();
  }

  /** Live positions (ascending) of the segment's molecules that contain the query, at most `wanted`. */
  private matchSegment(
    segment: Segment,
    query: SubstructureQuery,
    screen: CompiledScreen | null,
    wanted: number,
  ): number[] {
    if (screen) {
      const { candidates, passedFingerprint } = this.screenSegment(segment, screen);
      if (candidates.length === 0) return [];
      if (candidates.length < SUBSET_SHARE * passedFingerprint) {
        const found = this.chemistry.matchAmong(
          query,
          candidates.map((position) => segment.smiles[position]!),
          wanted,
        );
        return Array.from(found, (index) => candidates[index]!).sort((a, b) => a - b);
      }
    }
    const positions = segment.library.match(query, wanted + segment.dead.size);
    return Array.from(positions)
      .filter((position) => !segment.dead.has(position))
      .slice(0, wanted);
  }

  /** Live positions passing both screens, and how many positions pass the fingerprint screen. */
  private screenSegment(
    segment: Segment,
    screen: CompiledScreen,
  ): { candidates: number[]; passedFingerprint: number } {
    const { words, bits, tables } = screen;
    const fingerprints = segment.fingerprints.data;
    const sums = new Uint32Array(MAX_SCREEN_GROUPS);
    const candidates: number[] = [];
    // Most segments have neither: skip the set lookups then.
    const dead = segment.dead.size > 0 ? segment.dead : null;
    const unscreened = segment.unscreened.size > 0 ? segment.unscreened : null;
    let passedFingerprint = 0;
    positions: for (let position = 0; position < segment.ids.length; position++) {
      const base = position * FINGERPRINT_WORDS;
      for (let w = 0; w < words.length; w++) {
        // A query bit the molecule lacks (sign-safe for bit 31).
        if ((bits[w]! & ~fingerprints[base + words[w]!]!) !== 0) continue positions;
      }
      passedFingerprint++;
      if (dead?.has(position)) continue;
      if (
        unscreened?.has(position) ||
        (satisfies(tables.atoms, segment.atomStart.data, segment.atomRuns.data, position, sums) &&
          satisfies(tables.bonds, segment.bondStart.data, segment.bondRuns.data, position, sums))
      )
        candidates.push(position);
    }
    return { candidates, passedFingerprint };
  }

  private compileScreen(query: SubstructureQuery): CompiledScreen | null {
    const screen = query.graph ? compileAtomScreen(query.graph) : null;
    if (!screen) return null;
    const fingerprint = query.screen ? toWords(query.screen) : new Uint32Array(FINGERPRINT_WORDS);
    const words: number[] = [];
    fingerprint.forEach((word, index) => {
      if (word !== 0) words.push(index);
    });
    return {
      words: Uint32Array.from(words),
      bits: Uint32Array.from(words, (index) => fingerprint[index]!),
      tables: screenTables(screen, this.atomTypes.features, this.bondTypes.features),
    };
  }

  private emptySegment(): Segment {
    const atomStart = new Words();
    atomStart.push(0);
    const bondStart = new Words();
    bondStart.push(0);
    return {
      library: this.chemistry.createSubstructureLibrary(),
      ids: [],
      smiles: [],
      dead: new Set(),
      fingerprints: new Words(),
      atomStart,
      atomRuns: new Words(),
      bondStart,
      bondRuns: new Words(),
      unscreened: new Set(),
    };
  }

  private append(segment: Segment, id: string, smiles: string): number {
    const position = segment.library.add(smiles);
    segment.ids[position] = id;
    segment.smiles[position] = smiles;
    const start = segment.fingerprints.extend(FINGERPRINT_WORDS);
    const fingerprint = segment.library.screenFingerprint(position);
    // A fingerprint that cannot be read must not screen anything out: all bits set.
    if (fingerprint) segment.fingerprints.data.set(toWords(fingerprint), start);
    else segment.fingerprints.data.fill(0xffff_ffff, start, start + FINGERPRINT_WORDS);
    const types = moleculeTypeCounts(smiles);
    const atomRuns = types && runsOf(types.atoms, this.atomTypes);
    const bondRuns = types && runsOf(types.bonds, this.bondTypes);
    if (!atomRuns || !bondRuns) {
      segment.unscreened.add(position);
    } else {
      for (const run of atomRuns) segment.atomRuns.push(run);
      for (const run of bondRuns) segment.bondRuns.push(run);
    }
    segment.atomStart.push(segment.atomRuns.length);
    segment.bondStart.push(segment.bondRuns.length);
    return position;
  }

  private rebuild(segment: Segment): void {
    const rebuilt = this.emptySegment();
    for (const [position, id] of segment.ids.entries()) {
      if (segment.dead.has(position)) continue;
      const location = this.locationById.get(id)!;
      location.position = this.append(rebuilt, id, location.smiles);
      location.segment = rebuilt;
    }
    segment.library.dispose();
    this.segments[this.segments.indexOf(segment)] = rebuilt;
  }
}

/** Type ids of one kind (atom or bond types), shared by every segment; ids are never reused. */
class TypeDictionary<F> {
  readonly features: F[] = [];
  private readonly ids = new Map<string, number>();

  idOf(type: TypeCount<F>): number {
    let id = this.ids.get(type.key);
    if (id === undefined) {
      id = this.features.length;
      this.ids.set(type.key, id);
      this.features.push(type.features);
    }
    return id;
  }
}

/** Run words ((type id << 16) | count) of a molecule's types, or null if one does not fit. */
function runsOf<F>(types: TypeCount<F>[], dictionary: TypeDictionary<F>): number[] | null {
  const runs: number[] = [];
  for (const type of types) {
    const id = dictionary.idOf(type);
    if (id > MAX_TYPE_ID || type.count > MAX_COUNT) return null;
    runs.push(id * 0x1_0000 + type.count);
  }
  return runs;
}

/** Whether the runs of one position give every group the atoms (bonds) it needs. */
function satisfies(
  tables: GroupTables,
  start: Uint32Array,
  runs: Uint32Array,
  position: number,
  sums: Uint32Array,
): boolean {
  const { masks, needed } = tables;
  sums.fill(0, 0, needed.length);
  let union = 0;
  for (let run = start[position]!; run < start[position + 1]!; run++) {
    const entry = runs[run]!;
    const mask = masks[entry >>> 16]!;
    if (mask === 0) continue;
    const count = entry & MAX_COUNT;
    if (mask & UNION_BIT) union += count;
    for (let rest = mask & ~UNION_BIT; rest !== 0; rest &= rest - 1)
      sums[31 - Math.clz32(rest & -rest)]! += count;
  }
  if (union < tables.total) return false;
  for (let g = 0; g < needed.length; g++) if (sums[g]! < needed[g]!) return false;
  return true;
}

/** 2048-bit fingerprint bytes (bit b = byte b >> 3, bit b & 7) as words (bit b = word b >> 5, bit b & 31). */
function toWords(bytes: Uint8Array): Uint32Array {
  const words = new Uint32Array(FINGERPRINT_WORDS);
  for (let i = 0; i < Math.min(bytes.length, FINGERPRINT_WORDS * 4); i++)
    words[i >> 2]! |= bytes[i]! << ((i & 3) * 8);
  return words;
}
