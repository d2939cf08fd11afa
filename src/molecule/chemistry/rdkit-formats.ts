import { QueryAtomPredicate, QueryBondOrder, QueryGraph } from './chemistry.port';

// Readers for two RDKit serialisations the substructure search uses outside WASM: the query part of
// RDKit JSON (MolInterchange "rdkitQueries") and the ExplicitBitVect pickle.

interface QueryNode {
  descr?: string;
  tag?: number;
  val?: number;
  negated?: boolean;
  children?: QueryNode[];
}

interface MolJson {
  defaults?: { atom?: { z?: number } };
  molecules?: {
    atoms?: { z?: number }[];
    bonds?: { atoms?: number[] }[];
    extensions?: { name?: string; atomQueries?: QueryNode[]; bondQueries?: QueryNode[] }[];
  }[];
}

// MolInterchange query tags: 30 AND, 31 OR, 33 equality, 40 null (matches anything), 41 the
// ring-count query. Anything else (ranges, recursive SMARTS, isotopes, valences…) is read as unknown.
const TAG = { and: 30, or: 31, equals: 33, null: 40, inNRings: 41 } as const;
const AROMATIC_ATOM_TYPE_OFFSET = 1000;
const UNKNOWN: QueryAtomPredicate = { kind: 'unknown' };

/**
 * The atoms and bonds of a query molecule from `Mol.get_json()`. A SMARTS query carries its tests in
 * the rdkitQueries extension; a molecule used as a query (SMILES) has none and matches by element.
 * Returns null when the JSON is not a single molecule of the expected shape.
 */
export function queryGraphFromRdkitJson(json: string): QueryGraph | null {
  let parsed: MolJson;
  try {
    parsed = JSON.parse(json) as MolJson;
  } catch {
    return null;
  }
  const molecule = parsed.molecules?.length === 1 ? parsed.molecules[0] : undefined;
  if (!molecule?.atoms) return null;
  const defaultZ = parsed.defaults?.atom?.z ?? 6;
  const queries = molecule.extensions?.find((extension) => extension.name === 'rdkitQueries');
  const atoms = molecule.atoms.map((atom, index): QueryAtomPredicate => {
    if (queries) {
      const node = queries.atomQueries?.[index];
      return node ? atomPredicate(node) : UNKNOWN;
    }
    const atomicNumber = atom.z ?? defaultZ;
    // A plain atom matches atoms of its element; the dummy atom is left open.
    return atomicNumber > 0 ? { kind: 'element', atomicNumber } : UNKNOWN;
  });
  const bonds: QueryGraph['bonds'] = [];
  for (const [index, bond] of (molecule.bonds ?? []).entries()) {
    const [begin, end] = bond.atoms ?? [];
    if (begin === undefined || end === undefined || begin >= atoms.length || end >= atoms.length)
      return null;
    const node = queries?.bondQueries?.[index];
    bonds.push({ begin, end, order: node ? bondOrder(node) : 'any' });
  }
  return { atoms, bonds };
}

function atomPredicate(node: QueryNode): QueryAtomPredicate {
  const predicate = positiveAtomPredicate(node);
  return node.negated ? { kind: 'not', child: predicate } : predicate;
}

function positiveAtomPredicate(node: QueryNode): QueryAtomPredicate {
  const { descr, tag, val } = node;
  if (descr === 'AtomAnd' && tag === TAG.and && node.children)
    return { kind: 'and', children: node.children.map(atomPredicate) };
  if (descr === 'AtomOr' && tag === TAG.or && node.children)
    return { kind: 'or', children: node.children.map(atomPredicate) };
  if (descr === 'AtomNull' && tag === TAG.null) return { kind: 'true' };
  if (descr === 'AtomInNRings' && tag === TAG.inNRings && typeof val === 'number') {
    // -1: in any ring (SMARTS R); 0: in none (R0); n: in n SSSR rings, which at least means in a ring.
    if (val === 0) return { kind: 'inRing', value: false };
    return val === -1
      ? { kind: 'inRing', value: true }
      : { kind: 'and', children: [{ kind: 'inRing', value: true }, UNKNOWN] };
  }
  if (tag !== TAG.equals || typeof val !== 'number' || !Number.isInteger(val)) return UNKNOWN;
  switch (descr) {
    case 'AtomType':
      return val >= AROMATIC_ATOM_TYPE_OFFSET
        ? { kind: 'element', atomicNumber: val - AROMATIC_ATOM_TYPE_OFFSET, aromatic: true }
        : { kind: 'element', atomicNumber: val, aromatic: false };
    case 'AtomAtomicNum':
      return { kind: 'element', atomicNumber: val };
    case 'AtomIsAromatic':
      return { kind: 'aromatic', value: val !== 0 };
    case 'AtomIsAliphatic':
      return { kind: 'aromatic', value: val === 0 };
    case 'AtomFormalCharge':
      return { kind: 'charge', value: val };
    case 'AtomHCount':
      return { kind: 'hydrogens', value: val };
    case 'AtomTotalDegree':
      return { kind: 'totalDegree', value: val };
    case 'AtomExplicitDegree':
      return { kind: 'degree', value: val };
    default:
      return UNKNOWN;
  }
}

function bondOrder(node: QueryNode): QueryBondOrder {
  if (node.negated || node.tag !== TAG.equals) return 'any';
  if (node.descr === 'SingleOrAromaticBond') return 'single-or-aromatic';
  if (node.descr !== 'BondOrder') return 'any';
  switch (node.val) {
    case 1:
      return 'single';
    case 2:
      return 'double';
    case 3:
      return 'triple';
    case 12:
      return 'aromatic';
    default:
      return 'any';
  }
}

const BIT_VECTOR_VERSION = -32;

/**
 * Bits of an RDKit ExplicitBitVect pickle (`toString()`: int32 −32, size, on-bit count, then the
 * run of zeros before each on-bit and after the last as packed integers) in the layout of
 * `get_pattern_fp_as_uint8array` (bit b = byte b >> 3, bit b & 7). Null for any other shape.
 */
export function decodeRdkitBitVector(pickle: Uint8Array, size: number): Uint8Array | null {
  if (pickle.length < 12) return null;
  const view = new DataView(pickle.buffer, pickle.byteOffset, pickle.byteLength);
  if (view.getInt32(0, true) !== BIT_VECTOR_VERSION || view.getInt32(4, true) !== size) return null;
  const onBits = view.getInt32(8, true);
  const bits = new Uint8Array(Math.ceil(size / 8));
  let offset = 12;
  let bit = -1;
  for (let run = 0; run <= onBits; run++) {
    // Packed integer: low bit 0 → one byte (value >> 1); low bits 01 → two bytes (value >> 2) + 128.
    // Runs in a 2048-bit vector never need the longer forms.
    const first = pickle[offset];
    if (first === undefined) return null;
    let zeros: number;
    if ((first & 1) === 0) {
      zeros = first >> 1;
      offset += 1;
    } else if ((first & 3) === 1 && offset + 1 < pickle.length) {
      zeros = ((first | (pickle[offset + 1]! << 8)) >> 2) + 128;
      offset += 2;
    } else {
      return null;
    }
    bit += zeros + 1;
    if (run < onBits) {
      if (bit >= size) return null;
      bits[bit >> 3]! |= 1 << (bit & 7);
    }
  }
  return offset === pickle.length && bit === size ? bits : null;
}
