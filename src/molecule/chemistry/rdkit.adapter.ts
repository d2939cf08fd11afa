import initRDKitModule, {
  MainModule,
  Mol,
  SubstructLibrary as RdkitSubstructLibrary,
} from '@rdkit/rdkit';
import { ChemistryErrors } from './chemistry.errors';
import {
  ChemistryPort,
  ChemistryResult,
  DepictionOptions,
  Descriptors,
  FunctionalGroups,
  QueryGraph,
  RuleCheck,
  StructureInput,
  SubstructureLibrary,
  SubstructureQuery,
} from './chemistry.port';
import { ELEMENT_SYMBOLS } from './elements';
import { FUNCTIONAL_GROUP_SMARTS } from './functional-groups';
import { decodeRdkitBitVector, queryGraphFromRdkitJson } from './rdkit-formats';

/** Input limits: large enough for any small molecule or oligomer, small enough to parse in milliseconds. */
export const CHEMISTRY_LIMITS = {
  smilesChars: 10_000,
  molfileChars: 1_000_000,
  queryChars: 2_000,
  atoms: 2_000,
  depictionPixels: { min: 50, max: 2_000 },
} as const;

const MORGAN = JSON.stringify({ radius: 2, nBits: 2048 });
const PATTERN_FP_BITS = 2048;
// matchAmong's throwaway library holds candidates the caller already screened: an 8-bit screen
// fingerprint with every bit set passes them all and costs far less to add than a real one.
const PASS_ALL_BITS = 8;
const PASS_ALL_PICKLE = allBitsSetPickle(PASS_ALL_BITS);

interface RawDescriptors {
  amw: number;
  exactmw: number;
  CrippenClogP: number;
  tpsa: number;
  NumHBD: number;
  NumHBA: number;
  lipinskiHBD: number;
  lipinskiHBA: number;
  NumRotatableBonds: number;
  NumRings: number;
  NumAromaticRings: number;
  NumHeavyAtoms: number;
  FractionCSP3: number;
}

interface JsonAtom {
  z?: number;
  impHs?: number;
  chg?: number;
}

interface MolJson {
  defaults: { atom: Required<JsonAtom> };
  molecules: { atoms: JsonAtom[] }[];
}

/**
 * ChemistryPort on RDKit MinimalLib (WASM). The module is loaded once per process by load(); every
 * Mol handle it creates lives inside WASM memory and is freed in a finally block.
 */
export class RdkitAdapter extends ChemistryPort {
  private constructor(
    private readonly rdkit: MainModule,
    private readonly groupQueries: ReadonlyArray<readonly [keyof FunctionalGroups, Mol]>,
  ) {
    super();
  }

  static async load(): Promise<RdkitAdapter> {
    const rdkit = await initRDKitModule();
    // RDKit writes parse warnings to stderr; bad input is reported through our errors instead.
    rdkit.disable_logging();
    // The functional-group queries are compiled once and kept for the life of the process.
    const groupQueries = (Object.keys(FUNCTIONAL_GROUP_SMARTS) as (keyof FunctionalGroups)[]).map(
      (group) => {
        const query = rdkit.get_qmol(FUNCTIONAL_GROUP_SMARTS[group]);
        if (!query) throw new Error(`functional-group SMARTS for ${group} does not parse`);
        return [group, query] as const;
      },
    );
    return new RdkitAdapter(rdkit, groupQueries);
  }

  version(): string {
    return `RDKit MinimalLib ${this.rdkit.version()}`;
  }

  analyse(input: StructureInput): ChemistryResult {
    const mol = this.parseInput(input);
    try {
      const inchi = mol.get_inchi();
      if (!inchi) throw ChemistryErrors.inchiFailed();
      const raw = JSON.parse(mol.get_descriptors()) as RawDescriptors;
      const descriptors = toDescriptors(raw);
      return {
        canonicalSmiles: mol.get_smiles(),
        inchi,
        inchikey: this.rdkit.get_inchikey_for_inchi(inchi),
        formula: hillFormula(JSON.parse(mol.get_json()) as MolJson),
        descriptors,
        functionalGroups: this.countGroups(mol),
        rules: { lipinski: lipinski(raw), veber: veber(descriptors) },
        fingerprint: Uint8Array.from(mol.get_morgan_fp_as_uint8array(MORGAN) as Uint8Array),
      };
    } finally {
      mol.delete();
    }
  }

  fingerprint(smiles: string): { canonicalSmiles: string; fingerprint: Uint8Array } {
    const mol = this.parseSmiles(smiles);
    try {
      return {
        canonicalSmiles: mol.get_smiles(),
        fingerprint: Uint8Array.from(mol.get_morgan_fp_as_uint8array(MORGAN) as Uint8Array),
      };
    } finally {
      mol.delete();
    }
  }

  molfile(smiles: string): string {
    const mol = this.parseSmiles(smiles);
    try {
      return mol.get_molblock();
    } finally {
      mol.delete();
    }
  }

  depict(structure: string, options: DepictionOptions = {}): string {
    const mol = isMolfile(structure) ? this.parseMolfile(structure) : this.parseSmiles(structure);
    try {
      const { min, max } = CHEMISTRY_LIMITS.depictionPixels;
      const atomCount = mol.get_num_atoms();
      const atoms = (options.highlightAtoms ?? []).filter(
        (atom) => Number.isInteger(atom) && atom >= 0 && atom < atomCount,
      );
      return mol.get_svg_with_highlights(
        JSON.stringify({
          width: clamp(Math.round(options.width ?? 300), min, max),
          height: clamp(Math.round(options.height ?? 200), min, max),
          atoms,
        }),
      );
    } finally {
      mol.delete();
    }
  }

  compileSubstructureQuery(query: { smarts?: string; smiles?: string }): SubstructureQuery {
    const text = (query.smarts ?? query.smiles ?? '').trim();
    if (!text || (query.smarts !== undefined && query.smiles !== undefined))
      throw ChemistryErrors.queryRequired();
    if (text.length > CHEMISTRY_LIMITS.queryChars)
      throw ChemistryErrors.queryTooLarge(text.length, CHEMISTRY_LIMITS.queryChars);
    let mol: Mol | null;
    if (query.smarts !== undefined) {
      mol = hasForeignSyntax(text) ? null : this.rdkit.get_qmol(text);
      if (!mol || mol.get_num_atoms() === 0) {
        mol?.delete();
        throw ChemistryErrors.invalidSmarts(text);
      }
    } else {
      mol = this.parseSmiles(text);
    }
    return new RdkitSubstructureQuery(this.rdkit, mol);
  }

  createSubstructureLibrary(): SubstructureLibrary {
    return new RdkitSubstructureLibrary(new this.rdkit.SubstructLibrary(PATTERN_FP_BITS));
  }

  matchAmong(
    query: SubstructureQuery,
    canonicalSmiles: readonly string[],
    maxResults: number,
  ): Uint32Array {
    if (!(query instanceof RdkitSubstructureQuery))
      throw new Error('query was not compiled by the RDKit adapter');
    if (canonicalSmiles.length === 0) return new Uint32Array(0);
    const library = new this.rdkit.SubstructLibrary(PASS_ALL_BITS);
    try {
      for (const smiles of canonicalSmiles)
        library.add_trusted_smiles_and_pattern_fp(smiles, PASS_ALL_PICKLE);
      return Uint32Array.from(
        library.get_matches_as_uint32array(query.mol, false, 1, maxResults) as Uint32Array,
      );
    } finally {
      library.delete();
    }
  }

  private countGroups(mol: Mol): FunctionalGroups {
    const counts = {} as FunctionalGroups;
    for (const [group, query] of this.groupQueries) {
      const matches = JSON.parse(mol.get_substruct_matches(query)) as unknown;
      counts[group] = Array.isArray(matches) ? matches.length : 0;
    }
    return counts;
  }

  private parseInput(input: StructureInput): Mol {
    if (input.smiles !== undefined && input.molfile !== undefined)
      throw ChemistryErrors.structureAmbiguous();
    if (input.molfile !== undefined) return this.parseMolfile(input.molfile);
    if (input.smiles !== undefined) return this.parseSmiles(input.smiles);
    throw ChemistryErrors.structureMissing();
  }

  private parseSmiles(smiles: string): Mol {
    const text = smiles.trim();
    if (!text) throw ChemistryErrors.emptySmiles();
    if (text.length > CHEMISTRY_LIMITS.smilesChars) {
      throw ChemistryErrors.tooLarge('SMILES', text.length, CHEMISTRY_LIMITS.smilesChars);
    }
    // get_mol also accepts molblocks and RDKit JSON; a SMILES field must hold a SMILES and nothing else.
    if (/\s/.test(text) || hasForeignSyntax(text)) throw ChemistryErrors.invalidSmiles(text);
    return this.checked(this.rdkit.get_mol(text), () => ChemistryErrors.invalidSmiles(text));
  }

  private parseMolfile(molfile: string): Mol {
    if (molfile.length > CHEMISTRY_LIMITS.molfileChars) {
      throw ChemistryErrors.tooLarge('molfile', molfile.length, CHEMISTRY_LIMITS.molfileChars);
    }
    if (!isMolfile(molfile)) throw ChemistryErrors.invalidMolfile();
    return this.checked(this.rdkit.get_mol(molfile), () => ChemistryErrors.invalidMolfile());
  }

  private checked(mol: Mol | null, invalid: () => Error): Mol {
    if (!mol) throw invalid();
    const atoms = mol.get_num_atoms();
    if (atoms === 0 || atoms > CHEMISTRY_LIMITS.atoms) {
      mol.delete();
      throw atoms === 0
        ? ChemistryErrors.emptyStructure()
        : ChemistryErrors.tooManyAtoms(atoms, CHEMISTRY_LIMITS.atoms);
    }
    return mol;
  }
}

class RdkitSubstructureQuery implements SubstructureQuery {
  readonly screen: Uint8Array | null;
  readonly graph: QueryGraph | null;
  private disposed = false;

  constructor(
    private readonly rdkit: MainModule,
    readonly mol: Mol,
  ) {
    this.screen = Uint8Array.from(mol.get_pattern_fp_as_uint8array() as Uint8Array);
    this.graph = readQueryGraph(mol);
  }

  matches(canonicalSmiles: string): boolean {
    const target = this.rdkit.get_mol(canonicalSmiles);
    if (!target) return false;
    try {
      return target.get_substruct_match(this.mol) !== '{}';
    } finally {
      target.delete();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.mol.delete();
  }
}

/**
 * RDKit's SubstructLibrary: trusted canonical SMILES parsed on demand (about 150 bytes a molecule)
 * plus a pattern fingerprint per molecule for the screen. Live Mol handles would cost ~10 kB each.
 */
class RdkitSubstructureLibrary implements SubstructureLibrary {
  private disposed = false;

  constructor(private readonly library: RdkitSubstructLibrary) {}

  get size(): number {
    return this.library.size();
  }

  add(canonicalSmiles: string): number {
    return this.library.add_trusted_smiles(canonicalSmiles);
  }

  screenFingerprint(position: number): Uint8Array | null {
    return decodeRdkitBitVector(
      this.library.get_pattern_fp_as_uint8array(position) as Uint8Array,
      PATTERN_FP_BITS,
    );
  }

  match(query: SubstructureQuery, maxResults: number): Uint32Array {
    if (!(query instanceof RdkitSubstructureQuery))
      throw new Error('query was not compiled by the RDKit adapter');
    if (this.library.size() === 0) return new Uint32Array(0);
    return Uint32Array.from(
      this.library.get_matches_as_uint32array(query.mol, false, 1, maxResults) as Uint32Array,
    );
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.library.delete();
  }
}

function isMolfile(text: string): boolean {
  return /M {2}END/.test(text) && /V[23]000/.test(text);
}

// RDKit JSON ("{") and CX extensions ("|") are not part of the SMILES/SMARTS we accept.
function hasForeignSyntax(text: string): boolean {
  return text.startsWith('{') || text.includes('|');
}

function toDescriptors(raw: RawDescriptors): Descriptors {
  return {
    molecularWeight: round(raw.amw, 3),
    exactMass: round(raw.exactmw, 5),
    logP: round(raw.CrippenClogP, 3),
    tpsa: round(raw.tpsa, 2),
    hbd: raw.NumHBD,
    hba: raw.NumHBA,
    rotatableBonds: raw.NumRotatableBonds,
    rings: raw.NumRings,
    aromaticRings: raw.NumAromaticRings,
    heavyAtoms: raw.NumHeavyAtoms,
    fractionCsp3: round(raw.FractionCSP3, 3),
  };
}

/** Lipinski's rule of five (N+O acceptors, NH+OH donors); passes with at most one violation. */
function lipinski(raw: RawDescriptors): RuleCheck {
  const violations = [
    raw.amw > 500 ? 'molecular weight > 500' : null,
    raw.CrippenClogP > 5 ? 'logP > 5' : null,
    raw.lipinskiHBD > 5 ? 'hydrogen-bond donors > 5' : null,
    raw.lipinskiHBA > 10 ? 'hydrogen-bond acceptors > 10' : null,
  ].filter((violation): violation is string => violation !== null);
  return { passes: violations.length <= 1, violations };
}

/** Veber's oral-bioavailability rule: ≤ 10 rotatable bonds and TPSA ≤ 140 Å². */
function veber(descriptors: Descriptors): RuleCheck {
  const violations = [
    descriptors.rotatableBonds > 10 ? 'rotatable bonds > 10' : null,
    descriptors.tpsa > 140 ? 'TPSA > 140' : null,
  ].filter((violation): violation is string => violation !== null);
  return { passes: violations.length === 0, violations };
}

/** Hill-order formula (C, H, then alphabetical; alphabetical when there is no carbon) with net charge. */
function hillFormula(json: MolJson): string {
  const defaults = json.defaults.atom;
  const counts = new Map<string, number>();
  let charge = 0;
  const add = (symbol: string, n: number) => counts.set(symbol, (counts.get(symbol) ?? 0) + n);
  for (const molecule of json.molecules) {
    for (const atom of molecule.atoms) {
      add(ELEMENT_SYMBOLS[atom.z ?? defaults.z] ?? '*', 1);
      const hydrogens = atom.impHs ?? defaults.impHs;
      if (hydrogens > 0) add('H', hydrogens);
      charge += atom.chg ?? defaults.chg;
    }
  }
  const symbols = [...counts.keys()].sort();
  const order = counts.has('C')
    ? ['C', ...(counts.has('H') ? ['H'] : []), ...symbols.filter((s) => s !== 'C' && s !== 'H')]
    : symbols;
  const body = order
    .map((symbol) => `${symbol}${counts.get(symbol) === 1 ? '' : counts.get(symbol)}`)
    .join('');
  if (charge === 0) return body;
  const magnitude = Math.abs(charge) === 1 ? '' : String(Math.abs(charge));
  return `${body}${charge > 0 ? '+' : '-'}${magnitude}`;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** ExplicitBitVect pickle (see decodeRdkitBitVector) of `bits` bits, all set. */
function allBitsSetPickle(bits: number): Uint8Array {
  const pickle = new Uint8Array(12 + bits + 1);
  const view = new DataView(pickle.buffer);
  view.setInt32(0, -32, true);
  view.setInt32(4, bits, true);
  view.setInt32(8, bits, true);
  return pickle;
}

/** The query's graph for the JavaScript screen; a query RDKit cannot write as JSON is not screened. */
function readQueryGraph(mol: Mol): QueryGraph | null {
  try {
    return queryGraphFromRdkitJson(mol.get_json());
  } catch {
    return null;
  }
}
