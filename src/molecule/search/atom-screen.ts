import { QueryAtomPredicate, QueryGraph } from '../chemistry/chemistry.port';
import { AtomFeatures, ringAtoms } from './atom-features';

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

/** Query atoms with the same requirement, and how many atoms of the molecule they need. */
export interface AtomGroup {
  requirement: AtomRequirement;
  /** Query atoms in this group or in a group whose atoms are all possible for this one. */
  needed: number;
}

/**
 * A screen run in JavaScript before the toolkit's match: every query atom must map to a distinct
 * molecule atom that could satisfy it, so for each group of query atoms the molecule needs at least
 * that many possible atoms. Conservative by construction: a test it does not model counts as
 * "maybe", so it never rejects a molecule that matches.
 */
export interface AtomScreen {
  groups: AtomGroup[];
  /** Query atoms in all: the molecule needs that many atoms possible for one query atom or another. */
  atomCount: number;
  /** Some query atoms are in no group (unconstrained, or past MAX_SCREEN_GROUPS): any atom can serve them. */
  ungroupedAtoms: boolean;
}

/** Largest number of groups a screen keeps (one bit each in a 32-bit mask, one bit for the union). */
export const MAX_SCREEN_GROUPS = 31;

/** The screen of a query graph, or null when it cannot rule out any molecule. */
export function compileAtomScreen(graph: QueryGraph): AtomScreen | null {
  const requirements = graph.atoms.map((predicate): AtomRequirement => ({
    predicate: simplify(predicate),
    inRing: false,
    degree: 0,
    single: 0,
    double: 0,
    triple: 0,
    aromatic: 0,
    singleOrAromatic: 0,
  }));
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
  const groups = new Map<string, AtomGroup>();
  for (const requirement of requirements) {
    if (isUnconstrained(requirement)) continue;
    const key = JSON.stringify(requirement);
    const group = groups.get(key);
    if (group) group.needed++;
    else groups.set(key, { requirement, needed: 1 });
  }
  if (groups.size === 0) return null;
  const kept = [...groups.values()].slice(0, MAX_SCREEN_GROUPS);
  const grouped = kept.reduce((sum, group) => sum + group.needed, 0);
  return {
    groups: kept,
    atomCount: graph.atoms.length,
    ungroupedAtoms: grouped < graph.atoms.length,
  };
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

/**
 * Per atom type, a bit mask of the groups it is possible for (bit 31: possible for any query atom),
 * and per group the atoms needed, tightened with every group whose possible types are a subset of it
 * (the query atoms of both groups must then all map into its types).
 */
export function screenTables(
  screen: AtomScreen,
  types: readonly AtomFeatures[],
): { masks: Uint32Array; needed: Uint32Array } {
  const masks = new Uint32Array(types.length);
  types.forEach((type, index) => {
    let mask = 0;
    screen.groups.forEach((group, bit) => {
      if (atomIsPossible(group.requirement, type)) mask |= 1 << bit;
    });
    masks[index] = (mask !== 0 || screen.ungroupedAtoms ? mask | UNION_BIT : 0) >>> 0;
  });
  const needed = new Uint32Array(screen.groups.length);
  screen.groups.forEach((group, g) => {
    for (const [h, other] of screen.groups.entries()) {
      if (h === g) continue;
      if (masks.every((mask) => !(mask & (1 << h)) || (mask & (1 << g)) !== 0))
        needed[g]! += other.needed;
    }
    needed[g]! += group.needed;
  });
  return { masks, needed };
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
