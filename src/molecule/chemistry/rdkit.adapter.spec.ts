import { AppError } from '../../common/app-error';
import { RdkitAdapter } from './rdkit.adapter';

// Real RDKit MinimalLib (WASM); nothing is mocked.
describe(RdkitAdapter.name, () => {
  let sut: RdkitAdapter;

  beforeAll(async () => {
    sut = await RdkitAdapter.load();
  });

  function codeOf(fn: () => unknown): string | undefined {
    try {
      fn();
    } catch (error) {
      return error instanceof AppError ? `${error.status} ${error.code}` : `raw ${String(error)}`;
    }
    return undefined;
  }

  it('should compute identity, formula and rounded descriptors of trehalose when given its SMILES', () => {
    const result = sut.analyse({
      smiles: 'OC[C@H]1O[C@H](O[C@H]2O[C@H](CO)[C@@H](O)[C@H](O)[C@H]2O)[C@H](O)[C@@H](O)[C@@H]1O',
    });

    expect(result.inchikey).toBe('HDTRYLNUVZCQOY-LIZSDCNHSA-N');
    expect(result.inchi.startsWith('InChI=1S/C12H22O11/')).toBe(true);
    expect(result.formula).toBe('C12H22O11');
    expect(result.descriptors).toEqual({
      molecularWeight: 342.297,
      exactMass: 342.11621,
      logP: -5.397,
      tpsa: 189.53,
      hbd: 8,
      hba: 11,
      rotatableBonds: 4,
      rings: 2,
      aromaticRings: 0,
      heavyAtoms: 23,
      fractionCsp3: 1,
    });
    expect(result.rules.lipinski).toEqual({
      passes: false,
      violations: ['hydrogen-bond donors > 5', 'hydrogen-bond acceptors > 10'],
    });
    expect(result.rules.veber).toEqual({ passes: false, violations: ['TPSA > 140'] });
    expect(result.fingerprint).toHaveLength(256);
  });

  it.each([
    ['glycerol', 'OCC(O)CO', { hydroxyl: 3 }],
    ['DMSO', 'CS(C)=O', { sulfoxide: 1 }],
    ['DMSO, charge-separated', 'C[S+](C)[O-]', { sulfoxide: 1 }],
    ['dimethyl sulfone (not a sulfoxide)', 'CS(C)(=O)=O', {}],
    ['trehalose', 'OCC1OC(OC2OC(CO)C(O)C(O)C2O)C(O)C(O)C1O', { hydroxyl: 8, ether: 3 }],
    ['formamide', 'NC=O', { amide: 1 }],
    ['urea (two N–C=O)', 'NC(N)=O', { amide: 2 }],
    ['acetic acid (OH not counted as hydroxyl)', 'CC(=O)O', { carboxylicAcid: 1 }],
    ['ethyl acetate (ester, not ether)', 'CCOC(C)=O', { ester: 1 }],
    ['diethyl ether', 'CCOCC', { ether: 1 }],
    ['triethylamine', 'CCN(CC)CC', { amine: 1 }],
    ['aniline', 'Nc1ccccc1', { amine: 1 }],
    ['chloroform', 'ClC(Cl)Cl', { halide: 3 }],
    ['nitrobenzene (nitro, not amine)', 'O=[N+]([O-])c1ccccc1', { nitro: 1 }],
    ['betaine zwitterion', 'C[N+](C)(C)CC(=O)[O-]', { carboxylicAcid: 1 }],
  ])('should count the functional groups of %s when analysed', (_name, smiles, expected) => {
    const zero = {
      hydroxyl: 0,
      ether: 0,
      amide: 0,
      amine: 0,
      carboxylicAcid: 0,
      sulfoxide: 0,
      ester: 0,
      halide: 0,
      nitro: 0,
    };

    expect(sut.analyse({ smiles }).functionalGroups).toEqual({ ...zero, ...expected });
  });

  it('should write a charged formula in Hill order when the molecule is an ion', () => {
    expect(sut.analyse({ smiles: 'CC(=O)[O-]' }).formula).toBe('C2H3O2-');
    expect(sut.analyse({ smiles: '[NH4+]' }).formula).toBe('H4N+');
  });

  it('should parse V2000 and V3000 molfiles to the same molecule when both describe ethanol', () => {
    const v2000 = sut.molfile('CCO');
    const fromV2000 = sut.analyse({ molfile: v2000 });
    const v3000 = [
      '',
      '  test',
      '',
      '  0  0  0     0  0            999 V3000',
      'M  V30 BEGIN CTAB',
      'M  V30 COUNTS 3 2 0 0 0',
      'M  V30 BEGIN ATOM',
      'M  V30 1 C 0 0 0 0',
      'M  V30 2 C 1.3 0.75 0 0',
      'M  V30 3 O 2.6 0 0 0',
      'M  V30 END ATOM',
      'M  V30 BEGIN BOND',
      'M  V30 1 1 1 2',
      'M  V30 2 1 2 3',
      'M  V30 END BOND',
      'M  V30 END CTAB',
      'M  END',
    ].join('\n');

    expect(v2000).toContain('V2000');
    expect(fromV2000.canonicalSmiles).toBe('CCO');
    expect(sut.analyse({ molfile: v3000 }).inchikey).toBe(fromV2000.inchikey);
  });

  it('should answer 422 MOLECULE_INVALID_MOLFILE when the counts line has the wrong atom count', () => {
    const molfile = sut.molfile('CCO').replace(/^(\s*)3(\s+2\s+0)/m, '$15$2');

    expect(molfile).not.toBe(sut.molfile('CCO'));
    expect(codeOf(() => sut.analyse({ molfile }))).toBe('422 MOLECULE_INVALID_MOLFILE');
  });

  it.each([
    ['an empty string', { smiles: '' }, '422 MOLECULE_INVALID_SMILES'],
    ['blanks', { smiles: '   ' }, '422 MOLECULE_INVALID_SMILES'],
    ['an unclosed ring', { smiles: 'C1CC' }, '422 MOLECULE_INVALID_SMILES'],
    ['a 100 kB SMILES', { smiles: 'C'.repeat(100_000) }, '422 MOLECULE_STRUCTURE_TOO_LARGE'],
    [
      'RDKit JSON in the SMILES field',
      { smiles: '{"rdkitjson":{}}' },
      '422 MOLECULE_INVALID_SMILES',
    ],
    ['a molfile without M  END', { molfile: 'not a molfile' }, '422 MOLECULE_INVALID_MOLFILE'],
    ['no structure', {}, '400 MOLECULE_STRUCTURE_REQUIRED'],
    ['both structures', { smiles: 'C', molfile: 'x' }, '400 MOLECULE_STRUCTURE_AMBIGUOUS'],
  ])('should reject %s with a stable code when analysing', (_name, input, expected) => {
    expect(codeOf(() => sut.analyse(input))).toBe(expected);
  });

  it('should compile SMARTS and SMILES queries and reject an invalid SMARTS with SEARCH_INVALID_SMARTS', () => {
    const hydroxyl = sut.compileSubstructureQuery({ smarts: '[OX2H][CX4]' });
    const ring = sut.compileSubstructureQuery({ smiles: 'C1CCCCC1' });
    try {
      expect(hydroxyl.matches('OCC(O)CO')).toBe(true);
      expect(hydroxyl.matches('CS(C)=O')).toBe(false);
      expect(ring.matches('OC1CCCCC1')).toBe(true);
      expect(hydroxyl.screen).toHaveLength(256);
      expect(hydroxyl.graph?.atoms).toHaveLength(2);
      expect(ring.graph?.bonds).toHaveLength(6);
    } finally {
      hydroxyl.dispose();
      ring.dispose();
    }
    expect(codeOf(() => sut.compileSubstructureQuery({ smarts: '[OX2H' }))).toBe(
      '422 SEARCH_INVALID_SMARTS',
    );
    expect(codeOf(() => sut.compileSubstructureQuery({}))).toBe('400 SEARCH_QUERY_REQUIRED');
  });

  it('should find molecules in a substructure library and draw highlighted SVG when asked', () => {
    const library = sut.createSubstructureLibrary();
    const query = sut.compileSubstructureQuery({ smarts: '[#16X3]=O' });
    try {
      for (const smiles of ['OCCO', 'CS(C)=O', 'CCC', 'CCS(=O)CC']) library.add(smiles);

      expect(Array.from(library.match(query, 10))).toEqual([1, 3]);
      expect(Array.from(library.match(query, 1))).toEqual([1]);
      expect(library.screenFingerprint(1)).toHaveLength(256);
      expect(Array.from(sut.matchAmong(query, ['CCS(=O)CC', 'CCC', 'CS(C)=O'], 10))).toEqual([
        0, 2,
      ]);
      expect(Array.from(sut.matchAmong(query, ['CCS(=O)CC', 'CCC', 'CS(C)=O'], 1))).toEqual([0]);
      expect(Array.from(sut.matchAmong(query, [], 1))).toEqual([]);
    } finally {
      query.dispose();
      library.dispose();
    }
    const svg = sut.depict('OCC(O)CO', { highlightAtoms: [0, 1, 99], width: 250, height: 150 });
    expect(svg.startsWith('<?xml')).toBe(true);
    expect(svg).toContain("width='250px'");
  });
});
