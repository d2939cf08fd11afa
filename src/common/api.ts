/** Every REST route of the service lives under this prefix. */
export const API_PREFIX = 'api/v1';
