import { AppError } from '../../src/common/app-error';

/** The stable code a promise fails with ('no error' when it succeeds), for asserting on failures. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return error instanceof AppError ? error.code : `not an AppError: ${String(error)}`;
  }
  return 'no error';
}
