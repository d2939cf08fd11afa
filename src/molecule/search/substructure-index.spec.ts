import {
  SCREEN_TEST_MOLECULES,
  SCREEN_TEST_SMARTS,
} from '../../../test/support/substructure-fixtures';
import { RdkitAdapter } from '../chemistry/rdkit.adapter';
import { SubstructureIndex } from './substructure-index';

// Real RDKit WASM substructure libraries; nothing is mocked.
describe(SubstructureIndex.name, () => {
  let chemistry: RdkitAdapter;
  let sut: SubstructureIndex;

  beforeAll(async () => {
    chemistry = await RdkitAdapter.load();
  });

  beforeEach(() => {
    sut = new SubstructureIndex(chemistry);
  });

  afterEach(() => sut.clear());

  function search(smarts: string, maxResults = 100, deadline = Number.POSITIVE_INFINITY) {
    const query = chemistry.compileSubstructureQuery({ smarts });
    try {
      return sut.search(query, maxResults, deadline);
    } finally {
      query.dispose();
    }
  }

  it('should find hydroxyl compounds and follow updates and deletes when searched again', () => {
    sut.upsert('glycerol', 'OCC(O)CO');
    sut.upsert('dmso', 'CS(C)=O');
    sut.upsert('ethanol', 'CCO');
    sut.upsert('ethanol', 'CCOC');
    sut.remove('glycerol');

    expect(search('[OX2H]').ids).toEqual([]);
    expect(search('[#16X3]=O').ids).toEqual(['dmso']);
    expect(sut.size).toBe(2);
  });

  it('should report capped when more molecules match than maxResults', () => {
    for (let i = 0; i < 10; i++) sut.upsert(`m${i}`, `${'C'.repeat(i + 1)}O`);

    expect(search('[OX2H]', 4)).toEqual({
      ids: ['m0', 'm1', 'm2', 'm3'],
      timedOut: false,
      capped: true,
    });
    expect(search('[OX2H]', 10)).toEqual({
      ids: expect.any(Array),
      timedOut: false,
      capped: false,
    });
  });

  it('should stop with timedOut when the deadline has passed', () => {
    sut.upsert('a', 'CCO');

    expect(search('[OX2H]', 10, 0)).toEqual({ ids: [], timedOut: true, capped: false });
  });

  it('should keep answering correctly after a segment is rebuilt when many molecules were deleted', () => {
    for (let i = 0; i < 40; i++)
      sut.upsert(`m${i}`, `${'C'.repeat((i % 8) + 1)}${i % 2 ? 'O' : 'N'}`);
    for (let i = 0; i < 40; i += 4) sut.remove(`m${i}`);
    for (let i = 1; i < 40; i += 4) sut.remove(`m${i}`);

    const hits = search('[OX2H]').ids;
    expect(sut.size).toBe(20);
    expect(hits.sort()).toEqual(
      Array.from({ length: 40 }, (_, i) => i)
        .filter((i) => i % 4 === 3)
        .map((i) => `m${i}`)
        .sort(),
    );
  });

  describe('with the JavaScript atom screen', () => {
    const molecules = () =>
      SCREEN_TEST_MOLECULES.map((smiles) => chemistry.fingerprint(smiles).canonicalSmiles);

    // The reference is RDKit's own library over the same molecules, with no JavaScript screen.
    function libraryHits(query: { smarts?: string; smiles?: string }, smiles: string[]): string[] {
      const library = chemistry.createSubstructureLibrary();
      const compiled = chemistry.compileSubstructureQuery(query);
      try {
        for (const text of smiles) library.add(text);
        return Array.from(library.match(compiled, smiles.length), (position) => `m${position}`);
      } finally {
        compiled.dispose();
        library.dispose();
      }
    }

    it.each(SCREEN_TEST_SMARTS)('should find exactly what RDKit finds for %s', (smarts) => {
      const smiles = molecules();
      smiles.forEach((text, i) => sut.upsert(`m${i}`, text));

      expect(search(smarts, 1_000).ids).toEqual(libraryHits({ smarts }, smiles));
    });

    it.each([
      'C1CCCCC1',
      'c1ccccc1',
      'c1ccccc1O',
      'OCC(O)CO',
      'C[N+](C)(C)C',
      'O=C[O-]',
      'CS(C)=O',
      'C1CC1',
    ])('should find exactly what RDKit finds for the SMILES query %s', (query) => {
      const smiles = molecules();
      smiles.forEach((text, i) => sut.upsert(`m${i}`, text));
      const compiled = chemistry.compileSubstructureQuery({ smiles: query });
      try {
        expect(sut.search(compiled, 1_000, Number.POSITIVE_INFINITY).ids).toEqual(
          libraryHits({ smiles: query }, smiles),
        );
      } finally {
        compiled.dispose();
      }
    });

    it('should cap and follow deletes when the screened candidates are matched on their own', () => {
      const smiles = molecules();
      smiles.forEach((text, i) => sut.upsert(`m${i}`, text));
      const all = libraryHits({ smarts: '[Cl,Br,I]' }, smiles);
      sut.remove(all[0]!);

      expect(search('[Cl,Br,I]', 2)).toEqual({
        ids: all.slice(1, 3),
        timedOut: false,
        capped: true,
      });
      expect(search('[Cl,Br,I]', 100).ids).toEqual(all.slice(1));
    });
  });
});
