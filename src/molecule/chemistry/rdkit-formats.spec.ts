import initRDKitModule, { MainModule } from '@rdkit/rdkit';
import { SCREEN_TEST_MOLECULES } from '../../../test/support/substructure-fixtures';
import { decodeRdkitBitVector, queryGraphFromRdkitJson } from './rdkit-formats';

// Real RDKit MinimalLib (WASM) produces the inputs; nothing is mocked.
describe('rdkit-formats', () => {
  let rdkit: MainModule;

  beforeAll(async () => {
    rdkit = await initRDKitModule();
    rdkit.disable_logging();
  });

  function queryGraph(smarts: string) {
    const mol = rdkit.get_qmol(smarts)!;
    try {
      return queryGraphFromRdkitJson(mol.get_json());
    } finally {
      mol.delete();
    }
  }

  describe(decodeRdkitBitVector.name, () => {
    it('should decode the pattern fingerprints a SubstructLibrary stores to the bits RDKit computes for the molecule', () => {
      const library = new rdkit.SubstructLibrary(2048);
      try {
        for (const smiles of SCREEN_TEST_MOLECULES) {
          const mol = rdkit.get_mol(smiles)!;
          const canonical = mol.get_smiles();
          const expected = Uint8Array.from(mol.get_pattern_fp_as_uint8array() as Uint8Array);
          mol.delete();
          const position = library.add_trusted_smiles(canonical);
          const pickle = library.get_pattern_fp_as_uint8array(position) as Uint8Array;

          expect([canonical, decodeRdkitBitVector(pickle, 2048)]).toEqual([canonical, expected]);
        }
      } finally {
        library.delete();
      }
    });

    it('should return null for another version, another size or a truncated pickle', () => {
      const library = new rdkit.SubstructLibrary(2048);
      try {
        const pickle = Uint8Array.from(
          library.get_pattern_fp_as_uint8array(
            library.add_trusted_smiles('OCC(O)CO'),
          ) as Uint8Array,
        );

        expect(decodeRdkitBitVector(pickle, 1024)).toBeNull();
        expect(decodeRdkitBitVector(pickle.subarray(0, pickle.length - 1), 2048)).toBeNull();
        expect(decodeRdkitBitVector(Uint8Array.from([...pickle, 0]), 2048)).toBeNull();
        pickle[0] = 0xf0;
        expect(decodeRdkitBitVector(pickle, 2048)).toBeNull();
      } finally {
        library.delete();
      }
    });
  });

  describe(queryGraphFromRdkitJson.name, () => {
    it('should read an OR list of elements, aliphatic and aromatic atom types and bond orders from SMARTS', () => {
      expect(queryGraph('[Cl,Br,I]')).toEqual({
        atoms: [
          {
            kind: 'or',
            children: [
              {
                kind: 'or',
                children: [
                  { kind: 'element', atomicNumber: 17, aromatic: false },
                  { kind: 'element', atomicNumber: 35, aromatic: false },
                ],
              },
              { kind: 'element', atomicNumber: 53, aromatic: false },
            ],
          },
        ],
        bonds: [],
      });
      expect(queryGraph('c:C=O-[#7]~*')?.bonds.map((bond) => bond.order)).toEqual([
        'aromatic',
        'double',
        'single',
        'any',
      ]);
      expect(queryGraph('C1CCCCC1')?.bonds.map((bond) => bond.order)).toEqual(
        Array(6).fill('single-or-aromatic'),
      );
    });

    it('should read negations, charges, H counts and degrees, and leave recursion, ranges and isotopes unknown', () => {
      expect(queryGraph('[!#6;+1]')?.atoms).toEqual([
        {
          kind: 'and',
          children: [
            { kind: 'not', child: { kind: 'element', atomicNumber: 6 } },
            { kind: 'charge', value: 1 },
          ],
        },
      ]);
      expect(queryGraph('[OX2H1]')?.atoms[0]).toEqual({
        kind: 'and',
        children: [
          {
            kind: 'and',
            children: [
              { kind: 'element', atomicNumber: 8, aromatic: false },
              { kind: 'totalDegree', value: 2 },
            ],
          },
          { kind: 'hydrogens', value: 1 },
        ],
      });
      expect(queryGraph('[$(C=O)]')?.atoms).toEqual([{ kind: 'unknown' }]);
      expect(queryGraph('[D{2-4}]')?.atoms).toEqual([{ kind: 'unknown' }]);
      expect(queryGraph('[13C]')?.atoms[0]).toEqual({
        kind: 'and',
        children: [{ kind: 'element', atomicNumber: 6, aromatic: false }, { kind: 'unknown' }],
      });
      expect(queryGraph('[R0;!R]')?.atoms[0]).toEqual({
        kind: 'and',
        children: [
          { kind: 'inRing', value: false },
          { kind: 'not', child: { kind: 'inRing', value: true } },
        ],
      });
    });

    it('should match a molecule used as a query by element only, with any bonds', () => {
      const mol = rdkit.get_mol('c1ccccc1[N+](=O)[O-]')!;
      try {
        const graph = queryGraphFromRdkitJson(mol.get_json());

        expect(graph?.atoms.slice(5)).toEqual([
          { kind: 'element', atomicNumber: 6 },
          { kind: 'element', atomicNumber: 7 },
          { kind: 'element', atomicNumber: 8 },
          { kind: 'element', atomicNumber: 8 },
        ]);
        expect(new Set(graph?.bonds.map((bond) => bond.order))).toEqual(new Set(['any']));
      } finally {
        mol.delete();
      }
    });

    it('should return null for JSON that is not one molecule', () => {
      expect(queryGraphFromRdkitJson('not json')).toBeNull();
      expect(queryGraphFromRdkitJson('{"molecules":[]}')).toBeNull();
    });
  });
});
