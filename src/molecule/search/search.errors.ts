import { AppError } from '../../common/app-error';

export const SearchErrors = {
  limitTooLarge: (limit: number, max: number) =>
    new AppError('SEARCH_LIMIT_TOO_LARGE', 400, 'Search limit too large', {
      detail: `limit ${limit} exceeds the configured maximum of ${max} (molecule.search.maxResults).`,
    }),
};
