import { ATOMIC_NUMBER_BY_SYMBOL } from '../chemistry/elements';

/**
 * What a substructure query can ask of one atom, read from a canonical SMILES without the toolkit.
 * It describes the molecule as RDKit's SubstructLibrary sees it (trusted SMILES: no sanitisation,
 * explicit [H] atoms kept, implicit hydrogens from the default valences).
 */
export interface AtomFeatures {
  atomicNumber: number;
  aromatic: boolean;
  /** On a cycle of the molecular graph. */
  inRing: boolean;
  charge: number;
  /** Neighbouring atoms in the graph (explicit [H] atoms included). */
  degree: number;
  /** Hydrogens on the atom (bracket count or implicit); null where not derived (aromatic, unusual valence). */
  hydrogens: number | null;
  /** Neighbours that are explicit hydrogen atoms. */
  hydrogenNeighbours: number;
  singleBonds: number;
  doubleBonds: number;
  tripleBonds: number;
  aromaticBonds: number;
}

/** 1.5 is aromatic. */
export type BondOrder = 1 | 2 | 3 | 1.5;

/** A bond as a substructure query can see it: its order and the types of the atoms it joins. */
export interface BondFeatures {
  order: BondOrder;
  ends: readonly [AtomFeatures, AtomFeatures];
}

/** A type (of atom or bond), its key, and how many atoms or bonds of the molecule have it. */
export interface TypeCount<F> {
  key: string;
  features: F;
  count: number;
}

export interface MoleculeTypes {
  atoms: TypeCount<AtomFeatures>[];
  bonds: TypeCount<BondFeatures>[];
}
type BondSymbol = '-' | '=' | '#' | ':' | '/' | '\\';

interface ParsedAtom {
  atomicNumber: number;
  aromatic: boolean;
  charge: number;
  /** Bracket atoms state their hydrogens; organic-subset atoms get implicit ones (null here). */
  bracketHydrogens: number | null;
}

interface ParsedBond {
  begin: number;
  end: number;
  symbol: BondSymbol | null;
}

const ORGANIC_SUBSET = new Map<string, number>([
  ['Cl', 17],
  ['Br', 35],
  ['B', 5],
  ['C', 6],
  ['N', 7],
  ['O', 8],
  ['P', 15],
  ['S', 16],
  ['F', 9],
  ['I', 53],
]);
const AROMATIC_ORGANIC_SUBSET = new Map<string, number>([
  ['b', 5],
  ['c', 6],
  ['n', 7],
  ['o', 8],
  ['p', 15],
  ['s', 16],
]);
const AROMATIC_BRACKET = new Map<string, number>([
  ['se', 34],
  ['as', 33],
  ['te', 52],
  ...AROMATIC_ORGANIC_SUBSET,
]);
// RDKit's allowed valences of the organic subset, lowest first: implicit H fill up to the first one
// that is not below the explicit valence. Only these elements get implicit hydrogens derived.
const DEFAULT_VALENCES = new Map<number, readonly number[]>([
  [5, [3]],
  [6, [4]],
  [7, [3]],
  [8, [2]],
  [9, [1]],
  [16, [2, 4, 6]],
  [17, [1]],
  [35, [1]],
]);
const BOND_SYMBOLS = new Set(['-', '=', '#', ':', '/', '\\']);

/**
 * Atom and bond types of a molecule with their counts, from its SMILES. Returns null for anything
 * outside the SMILES subset RDKit writes for ordinary molecules (the caller then skips the screen).
 */
export function moleculeTypeCounts(smiles: string): MoleculeTypes | null {
  const parsed = parseSmiles(smiles);
  if (!parsed) return null;
  const read = atomFeatures(parsed.atoms, parsed.bonds);
  if (!read) return null;
  const keys = read.atoms.map(atomTypeKey);
  const atoms = new Map<string, TypeCount<AtomFeatures>>();
  read.atoms.forEach((features, index) => count(atoms, keys[index]!, features));
  const bonds = new Map<string, TypeCount<BondFeatures>>();
  parsed.bonds.forEach(({ begin, end }, index) => {
    const [first, second] = keys[begin]! <= keys[end]! ? [begin, end] : [end, begin];
    const order = read.orders[index]!;
    count(bonds, `${keys[first]!}|${keys[second]!}|${order}`, {
      order,
      ends: [read.atoms[first]!, read.atoms[second]!],
    });
  });
  return { atoms: [...atoms.values()], bonds: [...bonds.values()] };
}

function count<F>(counts: Map<string, TypeCount<F>>, key: string, features: F): void {
  const entry = counts.get(key);
  if (entry) entry.count++;
  else counts.set(key, { key, features, count: 1 });
}

function atomTypeKey(atom: AtomFeatures): string {
  return [
    atom.atomicNumber,
    atom.aromatic ? 'a' : 'A',
    atom.inRing ? 'R' : 'r',
    atom.charge,
    atom.degree,
    atom.hydrogens ?? '?',
    atom.hydrogenNeighbours,
    atom.singleBonds,
    atom.doubleBonds,
    atom.tripleBonds,
    atom.aromaticBonds,
  ].join(',');
}

/** Atoms that lie on a cycle of the graph (an atom with at least one incident non-bridge edge). */
export function ringAtoms(
  atomCount: number,
  bonds: readonly { begin: number; end: number }[],
): boolean[] {
  const adjacency: { atom: number; bond: number }[][] = Array.from({ length: atomCount }, () => []);
  bonds.forEach(({ begin, end }, bond) => {
    adjacency[begin]!.push({ atom: end, bond });
    adjacency[end]!.push({ atom: begin, bond });
  });
  const order = new Array<number>(atomCount).fill(-1);
  const low = new Array<number>(atomCount).fill(0);
  const inRing = new Array<boolean>(atomCount).fill(false);
  let counter = 0;
  for (let root = 0; root < atomCount; root++) {
    if (order[root] !== -1) continue;
    // Iterative DFS (deep chains must not overflow the stack): [atom, parent bond, next neighbour].
    const stack: [number, number, number][] = [[root, -1, 0]];
    order[root] = low[root] = counter++;
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const [atom, parentBond, next] = frame;
      const neighbours = adjacency[atom]!;
      if (next < neighbours.length) {
        frame[2]++;
        const { atom: other, bond } = neighbours[next]!;
        if (bond === parentBond) continue;
        if (order[other] === -1) {
          order[other] = low[other] = counter++;
          stack.push([other, bond, 0]);
        } else {
          low[atom] = Math.min(low[atom]!, order[other]!);
        }
        continue;
      }
      stack.pop();
      if (parentBond === -1) continue;
      const parent = stack[stack.length - 1]![0];
      low[parent] = Math.min(low[parent]!, low[atom]!);
      // The edge parent–atom lies on a cycle unless it is a bridge (low[atom] > order[parent]).
      if (low[atom]! <= order[parent]!) inRing[parent] = inRing[atom] = true;
    }
  }
  return inRing;
}

function atomFeatures(
  atoms: ParsedAtom[],
  bonds: ParsedBond[],
): { atoms: AtomFeatures[]; orders: BondOrder[] } | null {
  const features: AtomFeatures[] = atoms.map((atom) => ({
    atomicNumber: atom.atomicNumber,
    aromatic: atom.aromatic,
    inRing: false,
    charge: atom.charge,
    degree: 0,
    hydrogens: atom.bracketHydrogens,
    hydrogenNeighbours: 0,
    singleBonds: 0,
    doubleBonds: 0,
    tripleBonds: 0,
    aromaticBonds: 0,
  }));
  const valence = new Array<number>(atoms.length).fill(0);
  const orders: BondOrder[] = [];
  for (const bond of bonds) {
    if (bond.begin === bond.end) return null;
    const order = bondOrder(bond, atoms);
    orders.push(order);
    for (const [self, other] of [
      [bond.begin, bond.end],
      [bond.end, bond.begin],
    ] as const) {
      const atom = features[self]!;
      atom.degree++;
      if (atoms[other]!.atomicNumber === 1) atom.hydrogenNeighbours++;
      if (order === 1) atom.singleBonds++;
      else if (order === 2) atom.doubleBonds++;
      else if (order === 3) atom.tripleBonds++;
      else atom.aromaticBonds++;
      valence[self]! += order;
    }
  }
  const inRing = ringAtoms(atoms.length, bonds);
  features.forEach((atom, index) => {
    atom.inRing = inRing[index]!;
    if (atoms[index]!.bracketHydrogens === null)
      atom.hydrogens = implicitHydrogens(atom, valence[index]!);
  });
  return { atoms: features, orders };
}

function implicitHydrogens(atom: AtomFeatures, explicitValence: number): number | null {
  if (atom.aromatic || atom.aromaticBonds > 0) return null;
  if (atom.atomicNumber === 0) return 0;
  const allowed = DEFAULT_VALENCES.get(atom.atomicNumber);
  const target = allowed?.find((v) => v >= explicitValence);
  return target === undefined ? null : target - explicitValence;
}

function bondOrder(bond: ParsedBond, atoms: ParsedAtom[]): BondOrder {
  switch (bond.symbol) {
    case '=':
      return 2;
    case '#':
      return 3;
    case ':':
      return 1.5;
    case null:
      return atoms[bond.begin]!.aromatic && atoms[bond.end]!.aromatic ? 1.5 : 1;
    default:
      return 1;
  }
}

function parseSmiles(smiles: string): { atoms: ParsedAtom[]; bonds: ParsedBond[] } | null {
  const atoms: ParsedAtom[] = [];
  const bonds: ParsedBond[] = [];
  const branches: number[] = [];
  const openRings = new Map<number, { atom: number; symbol: BondSymbol | null }>();
  let previous = -1;
  let pendingBond: BondSymbol | null = null;
  let i = 0;
  const addAtom = (atom: ParsedAtom) => {
    atoms.push(atom);
    const index = atoms.length - 1;
    if (previous !== -1) bonds.push({ begin: previous, end: index, symbol: pendingBond });
    else if (pendingBond !== null) return false;
    pendingBond = null;
    previous = index;
    return true;
  };
  while (i < smiles.length) {
    const char = smiles[i]!;
    if (char === '(') {
      if (previous === -1) return null;
      branches.push(previous);
      i++;
    } else if (char === ')') {
      const top = branches.pop();
      if (top === undefined || pendingBond !== null) return null;
      previous = top;
      i++;
    } else if (char === '.') {
      if (pendingBond !== null) return null;
      previous = -1;
      i++;
    } else if (BOND_SYMBOLS.has(char)) {
      if (pendingBond !== null) return null;
      pendingBond = char as BondSymbol;
      i++;
    } else if ((char >= '0' && char <= '9') || char === '%') {
      let ring: number;
      if (char === '%') {
        const digits = /^%(\d\d)/.exec(smiles.slice(i));
        if (!digits) return null;
        ring = Number(digits[1]);
        i += 3;
      } else {
        ring = Number(char);
        i++;
      }
      if (previous === -1) return null;
      const open = openRings.get(ring);
      if (open) {
        if (open.symbol !== null && pendingBond !== null && open.symbol !== pendingBond)
          return null;
        bonds.push({ begin: open.atom, end: previous, symbol: pendingBond ?? open.symbol });
        openRings.delete(ring);
      } else {
        openRings.set(ring, { atom: previous, symbol: pendingBond });
      }
      pendingBond = null;
    } else if (char === '[') {
      const close = smiles.indexOf(']', i);
      if (close === -1) return null;
      const atom = parseBracketAtom(smiles.slice(i + 1, close));
      if (!atom || !addAtom(atom)) return null;
      i = close + 1;
    } else {
      const two = smiles.slice(i, i + 2);
      const symbol = ORGANIC_SUBSET.has(two) ? two : char;
      const aliphatic = ORGANIC_SUBSET.get(symbol);
      const aromatic = AROMATIC_ORGANIC_SUBSET.get(symbol);
      const atomicNumber = aliphatic ?? aromatic ?? (symbol === '*' ? 0 : undefined);
      if (atomicNumber === undefined) return null;
      const ok = addAtom({
        atomicNumber,
        aromatic: aromatic !== undefined,
        charge: 0,
        bracketHydrogens: null,
      });
      if (!ok) return null;
      i += symbol.length;
    }
  }
  if (branches.length > 0 || openRings.size > 0 || pendingBond !== null) return null;
  return { atoms, bonds };
}

// [isotope? symbol chirality? hydrogens? charge? class?]
const BRACKET_ATOM =
  /^(\d+)?(\*|[A-Z][a-z]?|se|as|te|[bcnops])(@(?:@|TH[12]|AL[12]|SP[123]|TB\d\d?|OH\d\d?)?)?(H\d?)?(\+\d*|\++|-\d*|-+)?(:\d+)?$/;

function parseBracketAtom(text: string): ParsedAtom | null {
  const match = BRACKET_ATOM.exec(text);
  if (!match) return null;
  const symbol = match[2]!;
  const aromatic = AROMATIC_BRACKET.get(symbol);
  const atomicNumber = aromatic ?? ATOMIC_NUMBER_BY_SYMBOL.get(symbol);
  if (atomicNumber === undefined) return null;
  const hydrogens = match[4] ? (match[4].length > 1 ? Number(match[4].slice(1)) : 1) : 0;
  return {
    atomicNumber,
    aromatic: aromatic !== undefined,
    charge: parseCharge(match[5]),
    bracketHydrogens: hydrogens,
  };
}

function parseCharge(text: string | undefined): number {
  if (!text) return 0;
  const sign = text[0] === '+' ? 1 : -1;
  if (text.length === 1) return sign;
  if (text[1] === text[0]) return sign * text.length;
  return sign * Number(text.slice(1));
}
