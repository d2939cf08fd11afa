import { QueryGraph } from '../chemistry/chemistry.port';
import { AtomFeatures } from './atom-features';
import {
  atomIsPossible,
  atomRequirement,
  bondIsPossible,
  compileAtomScreen,
  screenTables,
  UNION_BIT,
} from './atom-screen';

const carbon = (overrides: Partial<AtomFeatures> = {}): AtomFeatures => ({
  atomicNumber: 6,
  aromatic: false,
  inRing: false,
  charge: 0,
  degree: 2,
  hydrogens: 2,
  hydrogenNeighbours: 0,
  singleBonds: 2,
  doubleBonds: 0,
  tripleBonds: 0,
  aromaticBonds: 0,
  ...overrides,
});
const aliphaticCarbon = { kind: 'element', atomicNumber: 6, aromatic: false } as const;

function ring(size: number): QueryGraph {
  return {
    atoms: Array.from({ length: size }, () => aliphaticCarbon),
    bonds: Array.from({ length: size }, (_, i) => ({
      begin: i,
      end: (i + 1) % size,
      order: 'single-or-aromatic' as const,
    })),
  };
}

describe(compileAtomScreen.name, () => {
  it('should need six ring carbons with two single-or-aromatic bonds each when the query is C1CCCCC1', () => {
    const screen = compileAtomScreen(ring(6))!;

    expect(screen.atoms.groups).toHaveLength(1);
    expect(screen.atoms.groups[0]).toMatchObject({
      needed: 6,
      requirement: { inRing: true, degree: 2 },
    });
    expect(screen.atoms.ungrouped).toBe(false);
    expect(screen.bonds.groups).toHaveLength(1);
    expect(screen.bonds.groups[0]).toMatchObject({
      needed: 6,
      requirement: { order: 'single-or-aromatic' },
    });
  });

  it('should return null when no query atom constrains anything', () => {
    expect(compileAtomScreen({ atoms: [{ kind: 'unknown' }], bonds: [] })).toBeNull();
    expect(
      compileAtomScreen({
        atoms: [{ kind: 'or', children: [{ kind: 'charge', value: 1 }, { kind: 'unknown' }] }],
        bonds: [],
      }),
    ).toBeNull();
    expect(
      compileAtomScreen({ atoms: [{ kind: 'not', child: { kind: 'unknown' } }], bonds: [] }),
    ).toBeNull();
  });

  it('should return null when a bond names an atom the query does not have', () => {
    expect(
      compileAtomScreen({ atoms: [aliphaticCarbon], bonds: [{ begin: 0, end: 3, order: 'any' }] }),
    ).toBeNull();
  });
});

describe(atomIsPossible.name, () => {
  const [cyclohexaneCarbon] = compileAtomScreen(ring(6))!.atoms.groups.map(
    (group) => group.requirement,
  );

  it('should accept a ring CH2 and reject chain, aromatic and too-few-bond carbons for C1CCCCC1', () => {
    expect(atomIsPossible(cyclohexaneCarbon!, carbon({ inRing: true }))).toBe(true);
    expect(atomIsPossible(cyclohexaneCarbon!, carbon())).toBe(false);
    expect(
      atomIsPossible(
        cyclohexaneCarbon!,
        carbon({ inRing: true, aromatic: true, singleBonds: 0, aromaticBonds: 2 }),
      ),
    ).toBe(false);
    expect(atomIsPossible(cyclohexaneCarbon!, carbon({ inRing: true, degree: 1 }))).toBe(false);
  });

  it('should treat tests it cannot decide as possible, also under negation', () => {
    const unknownHydrogens = carbon({ hydrogens: null });

    expect(atomIsPossible(atomRequirement({ kind: 'hydrogens', value: 3 }), unknownHydrogens)).toBe(
      true,
    );
    expect(
      atomIsPossible(
        atomRequirement({ kind: 'not', child: { kind: 'hydrogens', value: 2 } }),
        unknownHydrogens,
      ),
    ).toBe(true);
    expect(
      atomIsPossible(
        atomRequirement({ kind: 'not', child: { kind: 'hydrogens', value: 2 } }),
        carbon(),
      ),
    ).toBe(false);
    expect(
      atomIsPossible(
        atomRequirement({
          kind: 'or',
          children: [{ kind: 'charge', value: 1 }, { kind: 'unknown' }],
        }),
        carbon(),
      ),
    ).toBe(true);
    expect(
      atomIsPossible(
        atomRequirement({
          kind: 'and',
          children: [{ kind: 'charge', value: 1 }, { kind: 'unknown' }],
        }),
        carbon(),
      ),
    ).toBe(false);
  });
});

describe(screenTables.name, () => {
  it('should add to a group the atoms of every group whose possible types it contains', () => {
    // C(C)(C)C: one centre of degree 3 and three ends of degree ≥ 1; the centre is also a possible end.
    const graph: QueryGraph = {
      atoms: [aliphaticCarbon, aliphaticCarbon, aliphaticCarbon, aliphaticCarbon],
      bonds: [1, 2, 3].map((end) => ({ begin: 0, end, order: 'single' as const })),
    };
    const screen = compileAtomScreen(graph)!;
    const types = [
      carbon({ degree: 3, singleBonds: 3, hydrogens: 1 }),
      carbon({ degree: 1, singleBonds: 1, hydrogens: 3 }),
    ];
    const { masks, needed } = screenTables(screen, types, []).atoms;
    const centre = screen.atoms.groups.findIndex((group) => group.requirement.degree === 3);
    const end = 1 - centre;

    expect(Array.from(needed)).toEqual(centre === 0 ? [1, 4] : [4, 1]);
    expect(masks[0]! & (1 << centre)).not.toBe(0);
    expect(masks[1]! & (1 << centre)).toBe(0);
    expect(masks[1]! & (1 << end)).not.toBe(0);
    expect(Array.from(masks, (mask) => (mask & UNION_BIT) !== 0)).toEqual([true, true]);
  });
});

describe(bondIsPossible.name, () => {
  it('should need a bond of the right order between atoms possible for its two ends, either way round', () => {
    // [OX2H][CX4]: the OH oxygen must be bonded to an sp3 carbon, not to the carbon of an acid.
    const graph: QueryGraph = {
      atoms: [
        {
          kind: 'and',
          children: [
            { kind: 'element', atomicNumber: 8, aromatic: false },
            { kind: 'totalDegree', value: 2 },
            { kind: 'hydrogens', value: 1 },
          ],
        },
        {
          kind: 'and',
          children: [aliphaticCarbon, { kind: 'totalDegree', value: 4 }],
        },
      ],
      bonds: [{ begin: 0, end: 1, order: 'single-or-aromatic' }],
    };
    const [bond] = compileAtomScreen(graph)!.bonds.groups.map((group) => group.requirement);
    const hydroxyl = carbon({ atomicNumber: 8, degree: 1, singleBonds: 1, hydrogens: 1 });
    const methylene = carbon({ hydrogens: 2 });
    const carboxyl = carbon({ degree: 3, singleBonds: 2, doubleBonds: 1, hydrogens: 0 });

    expect(bondIsPossible(bond!, { order: 1, ends: [methylene, hydroxyl] })).toBe(true);
    expect(bondIsPossible(bond!, { order: 1, ends: [hydroxyl, methylene] })).toBe(true);
    expect(bondIsPossible(bond!, { order: 2, ends: [hydroxyl, methylene] })).toBe(false);
    expect(bondIsPossible(bond!, { order: 1, ends: [carboxyl, hydroxyl] })).toBe(false);
  });
});
