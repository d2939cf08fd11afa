import { AppError, FieldError } from '../common/app-error';

/** Every deliberate error of the molecule registry, by stable code. */
export const MoleculeErrors = {
  notFound: (id: string) =>
    new AppError('MOLECULE_NOT_FOUND', 404, 'Molecule not found', {
      detail: `Molecule ${id} does not exist.`,
    }),
  duplicate: (inchikey: string, existingId: string) =>
    new AppError('MOLECULE_DUPLICATE', 409, 'Molecule already registered', {
      detail: `A molecule with InChIKey ${inchikey} is already registered as ${existingId}.`,
      extensions: { existingId, inchikey },
    }),
  inUse: (id: string) =>
    new AppError('MOLECULE_IN_USE', 409, 'Molecule in use', {
      detail: `Molecule ${id} is a component of at least one mixture; remove it from those mixtures first.`,
    }),
  notOwner: (action: 'update' | 'delete') =>
    new AppError('AUTH_FORBIDDEN', 403, 'Forbidden', {
      detail: `Your role may ${action} only the molecules you registered.`,
    }),
  highlightOutOfRange: (indices: number[], atoms: number) =>
    new AppError('MOLECULE_INVALID_HIGHLIGHT', 422, 'Invalid highlight', {
      detail: `Atom indices ${indices.join(', ')} are outside 0–${atoms - 1}.`,
      errors: [{ field: 'query.highlight', message: 'atom index out of range' }],
    }),
  cursorMismatch: () =>
    new AppError('PAGINATION_INVALID_CURSOR', 400, 'Invalid cursor', {
      detail:
        'The cursor belongs to another sort order or was altered; start again without a cursor.',
      errors: [{ field: 'query.cursor', message: 'invalid cursor' }],
    }),
  importUnsupportedType: (contentType: string) =>
    new AppError('MOLECULE_IMPORT_UNSUPPORTED_FORMAT', 415, 'Unsupported import format', {
      detail: `Send text/csv, chemical/x-mdl-sdfile, or application/octet-stream with ?format=csv|sdf (got ${contentType || 'none'}).`,
    }),
  importMissingColumns: (missing: string[]) =>
    new AppError('MOLECULE_IMPORT_INVALID', 400, 'Import file not valid', {
      detail: `The CSV header lacks required column(s): ${missing.join(', ')}.`,
      errors: missing.map((column): FieldError => ({
        field: `header.${column}`,
        message: 'missing column',
      })),
    }),
  importMalformed: (detail: string) =>
    new AppError('MOLECULE_IMPORT_INVALID', 400, 'Import file not valid', { detail }),
  importTooLarge: (limit: number) =>
    new AppError('MOLECULE_IMPORT_TOO_LARGE', 413, 'Import file too large', {
      detail: `Import files may be at most ${limit} bytes (molecule.importMaxBytes).`,
    }),
};
