import { AppError } from '../common/app-error';

export const RefreshErrors = {
  invalid: () =>
    new AppError('AUTH_REFRESH_INVALID', 401, 'Invalid refresh token', {
      detail: 'The refresh token is unknown, expired or revoked. Log in again.',
    }),
  reused: () =>
    new AppError('AUTH_REFRESH_REUSED', 401, 'Refresh token reused', {
      detail:
        'This refresh token was already used. Every token of its session has been revoked; log in again.',
    }),
};

export const LockErrors = {
  locked: (retryAfterSeconds: number) =>
    new AppError('AUTH_LOCKED', 429, 'Too many failed logins', {
      detail: `Too many failed logins for this account or address. Try again in ${retryAfterSeconds} s.`,
      extensions: { retryAfterSeconds },
    }),
};

export const ApiKeyErrors = {
  invalid: () =>
    new AppError('AUTH_API_KEY_INVALID', 401, 'Invalid API key', {
      detail: 'The API key is unknown, revoked or expired.',
    }),
  roleTooHigh: (requested: string, ceiling: string) =>
    new AppError('API_KEY_ROLE_TOO_HIGH', 403, 'Role too high', {
      detail: `A key may not have more rights than its creator: ${requested} is above ${ceiling}.`,
    }),
  notFound: (id: string) =>
    new AppError('API_KEY_NOT_FOUND', 404, 'API key not found', {
      detail: `API key ${id} does not exist.`,
    }),
};
