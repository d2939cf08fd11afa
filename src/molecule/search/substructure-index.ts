import { ChemistryPort, SubstructureLibrary, SubstructureQuery } from '../chemistry/chemistry.port';

/** Molecules per toolkit library: the time budget is checked between libraries. */
const SEGMENT_SIZE = 4_096;

interface Segment {
  library: SubstructureLibrary;
  ids: string[];
  dead: Set<number>;
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
 * exact match on trusted canonical SMILES). Libraries are append-only, so a write appends the new
 * copy and marks the old one dead; a segment more than a quarter dead is rebuilt from its live SMILES.
 */
export class SubstructureIndex {
  private readonly segments: Segment[] = [];
  private readonly locationById = new Map<
    string,
    { segment: Segment; position: number; smiles: string }
  >();

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
      segment = { library: this.chemistry.createSubstructureLibrary(), ids: [], dead: new Set() };
      this.segments.push(segment);
    }
    const position = segment.library.add(canonicalSmiles);
    segment.ids[position] = id;
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
    const ids: string[] = [];
    for (const segment of this.segments) {
      if (performance.now() > deadline) return { ids, timedOut: true, capped: false };
      // Ask for one more than needed (plus the dead ones) to know whether the cap cut anything off.
      const wanted = maxResults - ids.length + 1 + segment.dead.size;
      for (const position of segment.library.match(query, wanted)) {
        if (segment.dead.has(position)) continue;
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

  private rebuild(segment: Segment): void {
    const library = this.chemistry.createSubstructureLibrary();
    const ids: string[] = [];
    for (const [position, id] of segment.ids.entries()) {
      if (segment.dead.has(position)) continue;
      const location = this.locationById.get(id)!;
      const newPosition = library.add(location.smiles);
      ids[newPosition] = id;
      location.position = newPosition;
    }
    segment.library.dispose();
    segment.library = library;
    segment.ids = ids;
    segment.dead = new Set();
  }
}
