/** A field-level problem, reported in problem+json `errors`. */
export interface FieldError {
  /** JSON pointer-like dotted path to the field, e.g. `components.1.concentration.unit`. */
  field: string;
  message: string;
  code?: string;
}

export interface AppErrorOptions {
  detail?: string;
  errors?: FieldError[];
  /** Extra members added to the problem document (e.g. `existingId`). */
  extensions?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * Every error the service answers with deliberately. `code` is stable and documented;
 * `status` is the HTTP status; `title` is a short human summary that does not change per occurrence.
 */
export class AppError extends Error {
  readonly detail?: string;
  readonly errors?: FieldError[];
  readonly extensions?: Record<string, unknown>;

  constructor(
    readonly code: string,
    readonly status: number,
    readonly title: string,
    options: AppErrorOptions = {},
  ) {
    super(options.detail ?? title, { cause: options.cause });
    this.name = 'AppError';
    this.detail = options.detail;
    this.errors = options.errors;
    this.extensions = options.extensions;
  }
}

export const CommonErrors = {
  validation: (errors: FieldError[], detail = 'The request is not valid.') =>
    new AppError('VALIDATION_FAILED', 400, 'Validation failed', { detail, errors }),
  notFound: (what: string, id: string) =>
    new AppError('RESOURCE_NOT_FOUND', 404, 'Resource not found', {
      detail: `${what} ${id} does not exist.`,
    }),
};
