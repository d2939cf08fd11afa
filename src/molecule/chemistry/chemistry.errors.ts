import { AppError } from '../../common/app-error';

/** Stable error codes of the chemistry port; every bad structure or query ends in one of these. */
export const ChemistryErrors = {
  structureMissing: () =>
    new AppError('MOLECULE_STRUCTURE_REQUIRED', 400, 'Structure required', {
      detail: 'Give exactly one of smiles or molfile.',
    }),
  structureAmbiguous: () =>
    new AppError('MOLECULE_STRUCTURE_AMBIGUOUS', 400, 'Ambiguous structure', {
      detail: 'Give exactly one of smiles or molfile, not both.',
    }),
  emptySmiles: () =>
    new AppError('MOLECULE_INVALID_SMILES', 422, 'Invalid SMILES', {
      detail: 'The SMILES string is empty.',
    }),
  invalidSmiles: (smiles: string) =>
    new AppError('MOLECULE_INVALID_SMILES', 422, 'Invalid SMILES', {
      detail: `RDKit could not parse the SMILES ${preview(smiles)}.`,
    }),
  invalidMolfile: () =>
    new AppError('MOLECULE_INVALID_MOLFILE', 422, 'Invalid molfile', {
      detail:
        'RDKit could not parse the molfile (check the counts line against the atom and bond blocks).',
    }),
  tooLarge: (what: string, length: number, limit: number) =>
    new AppError('MOLECULE_STRUCTURE_TOO_LARGE', 422, 'Structure too large', {
      detail: `The ${what} has ${length} characters; the limit is ${limit}.`,
    }),
  tooManyAtoms: (atoms: number, limit: number) =>
    new AppError('MOLECULE_STRUCTURE_TOO_LARGE', 422, 'Structure too large', {
      detail: `The structure has ${atoms} atoms; the limit is ${limit}.`,
    }),
  emptyStructure: () =>
    new AppError('MOLECULE_EMPTY_STRUCTURE', 422, 'Empty structure', {
      detail: 'The structure has no atoms.',
    }),
  inchiFailed: () =>
    new AppError('MOLECULE_INCHI_FAILED', 422, 'InChI not computable', {
      detail: 'RDKit could not compute a standard InChI for this structure.',
    }),
  invalidSmarts: (smarts: string) =>
    new AppError('SEARCH_INVALID_SMARTS', 422, 'Invalid SMARTS', {
      detail: `RDKit could not parse the query ${preview(smarts)}.`,
    }),
  queryRequired: () =>
    new AppError('SEARCH_QUERY_REQUIRED', 400, 'Query required', {
      detail: 'Give exactly one of smarts or smiles.',
    }),
  queryTooLarge: (length: number, limit: number) =>
    new AppError('SEARCH_QUERY_TOO_LARGE', 422, 'Query too large', {
      detail: `The query has ${length} characters; the limit is ${limit}.`,
    }),
};

function preview(text: string): string {
  const clean = text.replace(/\s+/g, ' ');
  return JSON.stringify(clean.length > 80 ? `${clean.slice(0, 80)}…` : clean);
}
