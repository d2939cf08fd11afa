import initRDKitModule, { MainModule } from '@rdkit/rdkit';
import { SCREEN_TEST_MOLECULES } from '../../../test/support/substructure-fixtures';
import { AtomFeatures, moleculeTypeCounts, ringAtoms } from './atom-features';

interface RdkitJson {
  defaults: { atom: { z: number; impHs: number; chg: number } };
  molecules: {
    atoms: { z?: number; impHs?: number; chg?: number }[];
    bonds?: { atoms: number[] }[];
    extensions?: { name: string; aromaticAtoms?: number[]; atomRings?: number[][] }[];
  }[];
}

describe('moleculeTypeCounts', () => {
  let rdkit: MainModule;

  beforeAll(async () => {
    rdkit = await initRDKitModule();
    rdkit.disable_logging();
  });

  function features(smiles: string): AtomFeatures[] {
    const counts = moleculeTypeCounts(smiles);
    if (!counts) throw new Error(`unreadable: ${smiles}`);
    return counts.atoms.flatMap((type) => Array<AtomFeatures>(type.count).fill(type.features));
  }

  it('should count glycerol as three hydroxyl oxygens, two CH2 and one CH when given its SMILES', () => {
    const types = moleculeTypeCounts('OCC(O)CO')!.atoms;

    expect(
      types.map((type) => [type.features.atomicNumber, type.features.hydrogens, type.count]),
    ).toEqual([
      [8, 1, 3],
      [6, 2, 2],
      [6, 1, 1],
    ]);
    expect(types.every((type) => !type.features.inRing && !type.features.aromatic)).toBe(true);
    // O–CH2 twice, CH2–CH twice, CH–O once.
    expect(moleculeTypeCounts('OCC(O)CO')!.bonds.map((bond) => bond.count)).toEqual([2, 2, 1]);
  });

  it('should read charges, bracket hydrogens, isotopes and ring bonds when they are written in brackets', () => {
    const glycine = features('[NH3+]CC(=O)[O-]');
    expect(glycine.map((atom) => [atom.atomicNumber, atom.charge, atom.hydrogens])).toEqual(
      expect.arrayContaining([
        [7, 1, 3],
        [8, -1, 0],
        [8, 0, 0],
      ]),
    );
    const deuterated = features('[2H]C([2H])([2H])O');
    expect(deuterated.find((atom) => atom.atomicNumber === 6)).toMatchObject({
      degree: 4,
      hydrogens: 0,
      hydrogenNeighbours: 3,
    });
    expect(features('C%10CCCCC%10O').filter((atom) => atom.inRing)).toHaveLength(6);
    expect(features('c1ccccc1').every((atom) => atom.aromatic && atom.aromaticBonds === 2)).toBe(
      true,
    );
  });

  it('should give up (null) when a SMILES has syntax it does not model', () => {
    expect(moleculeTypeCounts('C$C')).toBeNull();
    expect(moleculeTypeCounts('[Xx]')).toBeNull();
    expect(moleculeTypeCounts('C1CC')).toBeNull();
    expect(moleculeTypeCounts('C(C')).toBeNull();
  });

  it('should find the atoms on cycles and only those when given fused, spiro and chain graphs', () => {
    // Two triangles joined by a bridge 2–3, plus a tail 5–6.
    const bonds = [
      [0, 1],
      [1, 2],
      [2, 0],
      [2, 3],
      [3, 4],
      [4, 5],
      [5, 3],
      [5, 6],
    ].map(([begin, end]) => ({ begin: begin!, end: end! }));

    expect(ringAtoms(7, bonds)).toEqual([true, true, true, true, true, true, false]);
  });

  it.each(SCREEN_TEST_MOLECULES)('should agree with RDKit on every atom of %s', (input) => {
    const mol = rdkit.get_mol(input)!;
    const canonical = mol.get_smiles();
    const json = JSON.parse(mol.get_json()) as RdkitJson;
    mol.delete();
    const molecule = json.molecules[0]!;
    const rings = molecule.extensions?.find((e) => e.name === 'rdkitRepresentation');
    const expected = molecule.atoms.map((atom, index) => ({
      atomicNumber: atom.z ?? json.defaults.atom.z,
      charge: atom.chg ?? json.defaults.atom.chg,
      hydrogens: atom.impHs ?? json.defaults.atom.impHs,
      aromatic: rings?.aromaticAtoms?.includes(index) ?? false,
      inRing: rings?.atomRings?.some((ring) => ring.includes(index)) ?? false,
      degree: (molecule.bonds ?? []).filter((bond) => bond.atoms.includes(index)).length,
    }));
    const key = (
      atom: Omit<(typeof expected)[number], 'hydrogens'> & { hydrogens: number | null },
    ) => JSON.stringify(atom);
    const actual = features(canonical).map((atom) => ({
      atomicNumber: atom.atomicNumber,
      charge: atom.charge,
      // Where the reader leaves hydrogens open, any count is consistent with it.
      hydrogens: atom.hydrogens,
      aromatic: atom.aromatic,
      inRing: atom.inRing,
      degree: atom.degree,
    }));
    const open = actual.filter((atom) => atom.hydrogens === null);
    const closed = actual
      .filter((atom) => atom.hydrogens !== null)
      .map(key)
      .sort();
    const expectedClosed = expected
      .filter((atom) => {
        const index = open.findIndex(
          (candidate) => key({ ...candidate, hydrogens: atom.hydrogens }) === key(atom),
        );
        if (index === -1) return true;
        open.splice(index, 1);
        return false;
      })
      .map(key)
      .sort();

    expect(open).toEqual([]);
    expect(closed).toEqual(expectedClosed);
  });
});
