import { QueryAtomPredicate, QueryBondOrder, QueryGraph } from '../chemistry/chemistry.port';
import { AtomFeatures, BondFeatures, BondOrder, ringAtoms } from './atom-features';

/** Kleene three-valued truth: an atom surely matches, surely not, or the screen cannot tell. */
type Truth = true | false | null;

/** What one query atom needs of a molecule atom: its own tests plus what its bonds imply. */
export interface AtomRequirement {
  predicate: QueryAtomPredicate;
  inRing: boolean;
  degree: number;
  single: number;
  double: number;
  triple: number;
  aromatic: number;
  singleOrAromatic: number;
}

/** What one query bond needs of a molecule bond: an order, and ends possible for its two atoms. */
export interface BondRequirement {
  order: QueryBondOrder;
  ends: readonly [AtomRequirement, AtomRequirement];
}

/** Query atoms (or bonds) with the same requirement, and how many the molecule must have. */
export interface ScreenGroup<R> {
  requirement: R;
  needed: number;
}

/** Groups of one kind (atoms or bonds) and what the molecule needs of that kind in all. */
export interface GroupSet<R> {
  groups: ScreenGroup<R>[];
  /** Query atoms (bonds) in all: the molecule needs that many, each possible for one or another. */
  total: number;
  /** Some are in no group (unconstrained, or past MAX_SCREEN_GROUPS): anything can serve them. */
  ungrouped: boolean;
}

/**
 * A screen run in JavaScript before the toolkit's match. Query atoms map to distinct molecule atoms
 * and query bonds to distinct molecule bonds, so for each group of query atoms (bonds) the molecule
 * needs at least that many atoms (bonds) that could serve them. Conservative by construction: a test
 * it does not model counts as "maybe", so it never rejects a molecule that matches.
 */
export interface AtomScreen {
  atoms: GroupSet<AtomRequirement>;
  bonds: GroupSet<BondRequirement>;
}

/** Largest number of groups of one kind (one bit each in a 32-bit mask, one bit for the union). */
export const MAX_SCREEN_GROUPS = 31;

/** A query atom's own tests, before its bonds and rings add to them. */
export function atomRequirement(predicate: QueryAtomPredicate): AtomRequirement {
  return {
    predicate,
    inRing: false,
    degree: 0,
    single: 0,
    double: 0,
    triple: 0,
    aromatic: 0,
    singleOrAromatic: 0,
  };
}

/** The screen of a query graph, or null when it cannot rule out any molecule. */
export function compileAtomScreen(graph: QueryGraph): AtomScreen | null {
  const requirements = graph.atoms.map((predicate) => atomRequirement(simplify(predicate)));
  for (const bond of graph.bonds) {
    for (const atom of [bond.begin, bond.end]) {
      const requirement = requirements[atom];
      if (!requirement) return null;
      requirement.degree++;
      if (bond.order === 'single-or-aromatic') requirement.singleOrAromatic++;
      else if (bond.order !== 'any') requirement[bond.order]++;
    }
  }
  // A cycle of the query maps onto a cycle of the molecule.
  ringAtoms(graph.atoms.length, graph.bonds).forEach((inRing, atom) => {
    if (inRing) requirements[atom]!.inRing = true;
  });
  const atoms = groupSet(requirements, (requirement) => !isUnconstrained(requirement));
  const bonds = groupSet(
    graph.bonds.map((bond): BondRequirement => {
      const ends = [requirements[bond.begin]!, requirements[bond.end]!] as const;
      // One order of the ends, so that the same bond written either way is one group.
      return {
        order: bond.order,
        ends: JSON.stringify(ends[0]) <= JSON.stringify(ends[1]) ? ends : [ends[1], ends[0]],
      };
    }),
    (requirement) =>
      requirement.order !== 'any' || requirement.ends.some((end) => !isUnconstrained(end)),
  );
  if (atoms.groups.length === 0 && bonds.groups.length === 0) return null;
  return { atoms, bonds };
}

function groupSet<R>(requirements: R[], constrains: (requirement: R) => boolean): GroupSet<R> {
  const groups = new Map<string, ScreenGroup<R>>();
  for (const requirement of requirements) {
    if (!constrains(requirement)) continue;
    const key = JSON.stringify(requirement);
    const group = groups.get(key);
    if (group) group.needed++;
    else groups.set(key, { requirement, needed: 1 });
  }
  const kept = [...groups.values()].slice(0, MAX_SCREEN_GROUPS);
  const grouped = kept.reduce((sum, group) => sum + group.needed, 0);
  return { groups: kept, total: requirements.length, ungrouped: grouped < requirements.length };
}

/** Whether a molecule atom with these features could be the image of a query atom of the group. */
export function atomIsPossible(requirement: AtomRequirement, atom: AtomFeatures): boolean {
  if (requirement.inRing && !atom.inRing) return false;
  if (atom.degree < requirement.degree) return false;
  if (atom.singleBonds < requirement.single || atom.doubleBonds < requirement.double) return false;
  if (atom.tripleBonds < requirement.triple || atom.aromaticBonds < requirement.aromatic)
    return false;
  const singleOrAromatic = requirement.single + requirement.aromatic + requirement.singleOrAromatic;
  if (atom.singleBonds + atom.aromaticBonds < singleOrAromatic) return false;
  return evaluate(requirement.predicate, atom) !== false;
}

/** Whether a molecule bond with these features could be the image of a query bond of the group. */
export function bondIsPossible(requirement: BondRequirement, bond: BondFeatures): boolean {
  if (!orderIsPossible(requirement.order, bond.order)) return false;
  const [first, second] = requirement.ends;
  const [a, b] = bond.ends;
  return (
    (atomIsPossible(first, a) && atomIsPossible(second, b)) ||
    (atomIsPossible(first, b) && atomIsPossible(second, a))
  );
}

/** The tables a per-molecule check reads, for the atom and bond types the index has seen. */
export interface ScreenTables {
  atoms: GroupTables;
  bonds: GroupTables;
}

/**
 * Per type, a bit mask of the groups it is possible for (UNION_BIT: possible for any query atom or
 * bond); per group the number needed, tightened with every group whose possible types are a subset
 * of it (the query atoms of both groups must then all map into its types).
 */
export interface GroupTables {
  masks: Uint32Array;
  needed: Uint32Array;
  total: number;
}

export function screenTables(
  screen: AtomScreen,
  atomTypes: readonly AtomFeatures[],
  bondTypes: readonly BondFeatures[],
): ScreenTables {
  return {
    atoms: groupTables(screen.atoms, atomTypes, atomIsPossible),
    bonds: groupTables(screen.bonds, bondTypes, bondIsPossible),
  };
}

function groupTables<R, F>(
  set: GroupSet<R>,
  types: readonly F[],
  possible: (requirement: R, type: F) => boolean,
): GroupTables {
  const masks = new Uint32Array(types.length);
  types.forEach((type, index) => {
    let mask = 0;
    set.groups.forEach((group, bit) => {
      if (possible(group.requirement, type)) mask |= 1 << bit;
    });
    masks[index] = (mask !== 0 || set.ungrouped ? mask | UNION_BIT : 0) >>> 0;
  });
  const needed = new Uint32Array(set.groups.length);
  set.groups.forEach((group, g) => {
    for (const [h, other] of set.groups.entries()) {
      if (h === g) continue;
      if (masks.every((mask) => !(mask & (1 << h)) || (mask & (1 << g)) !== 0))
        needed[g]! += other.needed;
    }
    needed[g]! += group.needed;
  });
  return { masks, needed, total: set.total };
}

function orderIsPossible(query: QueryBondOrder, order: BondOrder): boolean {
  switch (query) {
    case 'any':
      return true;
    case 'single':
      return order === 1;
    case 'double':
      return order === 2;
    case 'triple':
      return order === 3;
    case 'aromatic':
      return order === 1.5;
    case 'single-or-aromatic':
      return order === 1 || order === 1.5;
  }
}

export const UNION_BIT = 0x8000_0000;

/** Folds away tests that can never be false, so that a query atom made only of them is unconstrained. */
function simplify(predicate: QueryAtomPredicate): QueryAtomPredicate {
  switch (predicate.kind) {
    case 'not': {
      const child = simplify(predicate.child);
      return child.kind === 'unknown' ? child : { kind: 'not', child };
    }
    case 'and': {
      const children = predicate.children.map(simplify).filter((child) => child.kind !== 'true');
      if (children.length === 0) return { kind: 'true' };
      return children.every((child) => child.kind === 'unknown')
        ? { kind: 'unknown' }
        : { kind: 'and', children };
    }
    case 'or': {
      const children = predicate.children.map(simplify);
      if (children.some((child) => child.kind === 'true')) return { kind: 'true' };
      return children.some((child) => child.kind === 'unknown')
        ? { kind: 'unknown' }
        : { kind: 'or', children };
    }
    default:
      return predicate;
  }
}

function isUnconstrained(requirement: AtomRequirement): boolean {
  const { predicate, ...counts } = requirement;
  return (
    (predicate.kind === 'true' || predicate.kind === 'unknown') &&
    Object.values(counts).every((value) => value === 0 || value === false)
  );
}

function evaluate(predicate: QueryAtomPredicate, atom: AtomFeatures): Truth {
  switch (predicate.kind) {
    case 'true':
      return true;
    case 'unknown':
      return null;
    case 'not': {
      const value = evaluate(predicate.child, atom);
      return value === null ? null : !value;
    }
    case 'and': {
      let result: Truth = true;
      for (const child of predicate.children) {
        const value = evaluate(child, atom);
        if (value === false) return false;
        if (value === null) result = null;
      }
      return result;
    }
    case 'or': {
      let result: Truth = false;
      for (const child of predicate.children) {
        const value = evaluate(child, atom);
        if (value === true) return true;
        if (value === null) result = null;
      }
      return result;
    }
    case 'element':
      return (
        atom.atomicNumber === predicate.atomicNumber &&
        (predicate.aromatic === undefined || atom.aromatic === predicate.aromatic)
      );
    case 'aromatic':
      return atom.aromatic === predicate.value;
    case 'charge':
      return atom.charge === predicate.value;
    case 'inRing':
      return atom.inRing === predicate.value;
    case 'degree':
      return atom.degree === predicate.value;
    // Hydrogen counts are left open where they were not derived, or where explicit [H] neighbours
    // make the toolkit's counting conventions matter.
    case 'hydrogens':
      if (atom.hydrogens === null || atom.hydrogenNeighbours > 0) return null;
      return atom.hydrogens === predicate.value;
    case 'totalDegree':
      if (atom.hydrogens === null || atom.hydrogenNeighbours > 0) return null;
      return atom.degree + atom.hydrogens === predicate.value;
  }
}
