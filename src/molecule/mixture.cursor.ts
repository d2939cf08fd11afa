import { decodeCursor } from '../common/pagination';
import { MixtureErrors } from './mixture.errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;

/**
 * Decodes a (timestamp, id) keyset cursor. The timestamp is Postgres' own text form so microseconds
 * survive the round trip (a JS Date would truncate them and skip or repeat rows).
 */
export function parseTimestampCursor(cursor: string): { at: string; id: string } {
  const [at, id] = decodeCursor(cursor, 2);
  if (typeof at !== 'string' || typeof id !== 'string' || !UUID.test(id) || !TIMESTAMP.test(at)) {
    throw MixtureErrors.invalidCursor();
  }
  return { at, id };
}
