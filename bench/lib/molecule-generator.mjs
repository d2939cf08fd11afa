// Deterministic generator of realistic small organic molecules for the structure-search benchmarks.
//
// Every molecule is core template × (linker + substituent) in slot {a} × substituent in slot {b}:
// 20 cores (benzene, cyclohexane, piperidine, pyridine, THF, thiophene, piperazine, cyclopropane,
// acyclic polyol/amide/sulfoxide/ester/acid/amine chains, a pyranose), 8 linkers and 30 substituents
// (hydroxyl, amines, halides, nitro, nitrile, amide, ester, sulfoxide, sulfonamide, aryl, small rings,
// polyol fragments…), i.e. 20 × 240 × 30 = 144,000 combinations. They are visited in a fixed
// pseudo-random order, canonicalised with RDKit, and duplicates dropped, so the first N unique
// molecules mix every core and substituent. Substituent rings use ring-closure digit 9 so they never
// pair with a core's open ring bond (which would make accidental macrocycles).

export const CORES = [
  'c1ccc({a})cc1{b}',
  'C1CCC({a})CC1{b}',
  'C1CC({a})CN1{b}',
  'c1cc({a})ncc1{b}',
  'C1COC({a})C1{b}',
  'c1cc({a})sc1{b}',
  'N1CCN({a})CC1{b}',
  'C1CC1({a}){b}',
  'OCC({a})C{b}',
  'CC({a})C{b}',
  'O=C(NC{b})C{a}',
  'CS(=O)C({a})C{b}',
  'OC(=O)C({a})C{b}',
  'CC(=O)OC({a})C{b}',
  'OC1C({a})OC(CO)C(O)C1{b}',
  'NCC({a})C{b}',
  'c1ccc2cc({a})ccc2c1{b}',
  'C1CCOC({a})C1{b}',
  'O=C1CCC({a})N1{b}',
  'CC(C)(O)C({a})C{b}',
];

export const LINKERS = ['', 'C', 'CC', 'O', 'N', 'C(=O)', 'OC', 'CO'];

export const SUBSTITUENTS = [
  'O',
  'N',
  'C',
  'CC',
  'Cl',
  'F',
  'C(=O)O',
  'C(=O)N',
  'OC',
  'S(C)=O',
  'C#N',
  '[N+](=O)[O-]',
  'CO',
  'CCO',
  'C(F)(F)F',
  'NC(C)=O',
  'OC(C)=O',
  'C(C)C',
  'c9ccccc9',
  'C9CC9',
  'Br',
  'CN(C)C',
  'OCCO',
  'C(O)CO',
  'S(=O)(=O)N',
  'N9CCOCC9',
  'C=O',
  'CC(=O)OC',
  'OCC(O)CO',
  'I',
];

const TOTAL = CORES.length * LINKERS.length * SUBSTITUENTS.length * SUBSTITUENTS.length;

function combination(index) {
  let rest = index;
  const b = SUBSTITUENTS[rest % SUBSTITUENTS.length];
  rest = Math.floor(rest / SUBSTITUENTS.length);
  const a = SUBSTITUENTS[rest % SUBSTITUENTS.length];
  rest = Math.floor(rest / SUBSTITUENTS.length);
  const linker = LINKERS[rest % LINKERS.length];
  rest = Math.floor(rest / LINKERS.length);
  return CORES[rest].replace('{a}', linker + a).replace('{b}', b);
}

/** Up to `count` unique canonical SMILES; `rdkit` is the loaded RDKit MinimalLib module. */
export function generateMolecules(rdkit, count) {
  const seen = new Set();
  const smiles = [];
  // 100,003 is prime and coprime with TOTAL, so i × 100,003 mod TOTAL visits every combination once.
  for (let i = 0; i < TOTAL && smiles.length < count; i++) {
    const mol = rdkit.get_mol(combination((i * 100_003) % TOTAL));
    if (!mol) continue;
    try {
      const canonical = mol.get_smiles();
      if (!seen.has(canonical)) {
        seen.add(canonical);
        smiles.push(canonical);
      }
    } finally {
      mol.delete();
    }
  }
  return smiles;
}

/** Small deterministic PRNG (LCG) returning floats in [0, 1). */
export function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 2 ** 32;
  };
}
