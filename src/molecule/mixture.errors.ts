import { AppError } from '../common/app-error';

/** Every deliberate error of mixtures, experiments, predictions and property types, by stable code. */
export const MixtureErrors = {
  notFound: (what: 'Mixture' | 'Experiment' | 'Prediction', id: string) =>
    new AppError(`${what.toUpperCase()}_NOT_FOUND`, 404, `${what} not found`, {
      detail: `${what} ${id} does not exist.`,
    }),
  notOwner: (what: 'mixtures' | 'experiments' | 'predictions', action: 'update' | 'delete') =>
    new AppError('AUTH_FORBIDDEN', 403, 'Forbidden', {
      detail: `Your role may ${action} only the ${what} you created.`,
    }),
  unknownMolecules: (fields: { field: string; id: string }[]) =>
    new AppError('MIXTURE_UNKNOWN_MOLECULE', 422, 'Unknown molecule', {
      detail: `Molecule(s) ${fields.map((f) => f.id).join(', ')} do not exist (never registered or deleted).`,
      errors: fields.map(({ field }) => ({ field, message: 'no such molecule' })),
    }),
  conversionNeedsData: (field: string, datum: string, detail: string) =>
    new AppError('MIXTURE_CONVERSION_NEEDS_DATA', 422, 'Conversion needs data', {
      detail,
      errors: [{ field, message: `${datum} is needed` }],
      extensions: { missing: datum },
    }),
  irreconcilable: (field: string, detail: string) =>
    new AppError('MIXTURE_COMPONENTS_IRRECONCILABLE', 422, 'Components cannot be reconciled', {
      detail,
      errors: [{ field, message: detail }],
    }),
  inUse: (id: string) =>
    new AppError('MIXTURE_IN_USE', 409, 'Mixture in use', {
      detail: `Mixture ${id} has recorded experiments; delete those first.`,
    }),
  unknownMixture: (field: string, id: string) =>
    new AppError('EXPERIMENT_UNKNOWN_MIXTURE', 422, 'Unknown mixture', {
      detail: `Mixture ${id} does not exist.`,
      errors: [{ field, message: 'no such mixture' }],
    }),
  unknownTarget: (field: string, id: string) =>
    new AppError('PREDICTION_UNKNOWN_TARGET', 422, 'Unknown prediction target', {
      detail: `${field} ${id} does not exist.`,
      errors: [{ field, message: 'no such record' }],
    }),
  unknownProperty: (field: string, key: string) =>
    new AppError('PROPERTY_TYPE_UNKNOWN', 422, 'Unknown property', {
      detail: `Property type ${key} is not registered (GET /api/v1/property-types lists them).`,
      errors: [{ field, message: 'unknown property type' }],
    }),
  unitMismatch: (field: string, unit: string, key: string, allowed: string[]) =>
    new AppError('PROPERTY_UNIT_MISMATCH', 422, 'Unit does not fit the property', {
      detail: `${unit} is not a unit of ${key}; use one of ${allowed.join(', ')}.`,
      errors: [{ field, message: `unit must be one of ${allowed.join(', ')}` }],
    }),
  outOfRange: (field: string, key: string, min: number | null, max: number | null) =>
    new AppError('PROPERTY_VALUE_OUT_OF_RANGE', 422, 'Value outside the property range', {
      detail: `${key} must lie within [${min ?? '−∞'}, ${max ?? '∞'}] in its canonical unit.`,
      errors: [{ field, message: 'out of range' }],
    }),
  invalidCursor: () =>
    new AppError('PAGINATION_INVALID_CURSOR', 400, 'Invalid cursor', {
      detail: 'The cursor is not one this service issued for this query.',
      errors: [{ field: 'query.cursor', message: 'invalid cursor' }],
    }),
  propertyTypeExists: (key: string) =>
    new AppError('PROPERTY_TYPE_DUPLICATE', 409, 'Property type exists', {
      detail: `Property type ${key} already exists.`,
    }),
  propertyTypeUnits: (field: string, detail: string) =>
    new AppError('PROPERTY_TYPE_INVALID_UNITS', 422, 'Invalid property units', {
      detail,
      errors: [{ field, message: detail }],
    }),
};
