/** A structure as submitted: exactly one of SMILES or an MDL molfile (V2000 or V3000). */
export interface StructureInput {
  smiles?: string;
  molfile?: string;
}

/** 2D descriptors (no 3D embedding). Masses in g/mol (Da), areas in Å². */
export interface Descriptors {
  molecularWeight: number;
  exactMass: number;
  logP: number;
  tpsa: number;
  hbd: number;
  hba: number;
  rotatableBonds: number;
  rings: number;
  aromaticRings: number;
  heavyAtoms: number;
  fractionCsp3: number;
}

/** Counts of functional groups matched by SMARTS. */
export interface FunctionalGroups {
  hydroxyl: number;
  ether: number;
  amide: number;
  amine: number;
  carboxylicAcid: number;
  sulfoxide: number;
  ester: number;
  halide: number;
  nitro: number;
}

export interface RuleCheck {
  passes: boolean;
  violations: string[];
}

export interface ChemistryResult {
  canonicalSmiles: string;
  inchi: string;
  inchikey: string;
  formula: string;
  descriptors: Descriptors;
  functionalGroups: FunctionalGroups;
  rules: { lipinski: RuleCheck; veber: RuleCheck };
  /** Morgan radius-2 fingerprint, 2048 bits packed into 256 bytes. */
  fingerprint: Uint8Array;
}

export interface DepictionOptions {
  width?: number;
  height?: number;
  /** Atom indices to highlight. */
  highlightAtoms?: number[];
}

/**
 * What a query atom requires of the molecule atom it maps to, as far as the toolkit's query can be
 * read: 'unknown' stands for any test the screen does not model (it never rules an atom out).
 */
export type QueryAtomPredicate =
  | { kind: 'true' }
  | { kind: 'unknown' }
  | { kind: 'and' | 'or'; children: QueryAtomPredicate[] }
  | { kind: 'not'; child: QueryAtomPredicate }
  /** Atomic number, and aromaticity when given (SMARTS `C` vs `c`; `#6` leaves it open). */
  | { kind: 'element'; atomicNumber: number; aromatic?: boolean }
  | { kind: 'aromatic'; value: boolean }
  | { kind: 'charge'; value: number }
  /** Total hydrogens (SMARTS `H`). */
  | { kind: 'hydrogens'; value: number }
  /** Connections including hydrogens (SMARTS `X`). */
  | { kind: 'totalDegree'; value: number }
  /** Explicit connections (SMARTS `D`). */
  | { kind: 'degree'; value: number }
  | { kind: 'inRing'; value: boolean };

export type QueryBondOrder =
  'single' | 'double' | 'triple' | 'aromatic' | 'single-or-aromatic' | 'any';

/** The query's graph as the toolkit compiled it, for screens computed outside the toolkit. */
export interface QueryGraph {
  atoms: QueryAtomPredicate[];
  bonds: { begin: number; end: number; order: QueryBondOrder }[];
}

/** A compiled substructure query; free it with dispose(). */
export interface SubstructureQuery {
  /** Fingerprint screen: every bit of this must be set in a candidate's screen fingerprint. */
  readonly screen: Uint8Array | null;
  /** The query's atoms and bonds, or null when they cannot be read. */
  readonly graph: QueryGraph | null;
  matches(canonicalSmiles: string): boolean;
  dispose(): void;
}

/**
 * Molecules held by the toolkit for substructure search: a pattern-fingerprint screen, then an
 * exact match. Append-only; positions are assigned in insertion order. Free it with dispose().
 */
export interface SubstructureLibrary {
  /** Adds a molecule by its canonical SMILES and returns its position. */
  add(canonicalSmiles: string): number;
  readonly size: number;
  /**
   * The screen fingerprint stored for a position, in the layout of SubstructureQuery.screen
   * (bit b = byte b >> 3, bit b & 7), or null if it cannot be read.
   */
  screenFingerprint(position: number): Uint8Array | null;
  /** Positions (ascending) of molecules that contain the query, at most maxResults of them. */
  match(query: SubstructureQuery, maxResults: number): Uint32Array;
  dispose(): void;
}

/**
 * Chemistry the service needs, independent of the toolkit. The RDKit (WASM) adapter implements it.
 * Invalid input throws AppError with a MOLECULE_* or CHEMISTRY_* code (422/400), never a raw error.
 */
export abstract class ChemistryPort {
  /** Parses, canonicalises and computes everything stored for a molecule. */
  abstract analyse(input: StructureInput): ChemistryResult;
  /** V2000 molfile (with 2D coordinates) of a SMILES, e.g. for SDF export. */
  abstract molfile(smiles: string): string;
  /** SVG depiction of a structure (SMILES or molfile). */
  abstract depict(structure: string, options?: DepictionOptions): string;
  /** Compiles a SMARTS (or SMILES used as a query) for substructure search. */
  abstract compileSubstructureQuery(query: { smarts?: string; smiles?: string }): SubstructureQuery;
  /** Toolkit name and version, for provenance. */
  abstract version(): string;
  /** Canonical SMILES and Morgan radius-2, 2048-bit fingerprint of a query, without the rest of analyse(). */
  abstract fingerprint(smiles: string): { canonicalSmiles: string; fingerprint: Uint8Array };
  /** An empty toolkit-side store for substructure search over many molecules. */
  abstract createSubstructureLibrary(): SubstructureLibrary;
  /**
   * Indices (ascending) into canonicalSmiles of the molecules that contain the query, at most
   * maxResults of them, matched exactly with no fingerprint screen: for candidates the caller
   * has already screened.
   */
  abstract matchAmong(
    query: SubstructureQuery,
    canonicalSmiles: readonly string[],
    maxResults: number,
  ): Uint32Array;
}
