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
});
