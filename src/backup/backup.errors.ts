import { AppError } from '../common/app-error';

/** Every deliberate backup failure, with a stable code. */
export const BackupErrors = {
  notFound: (id: string, target?: string) =>
    new AppError('BACKUP_NOT_FOUND', 404, 'Backup not found', {
      detail: target ? `No backup ${id} on target ${target}.` : `No backup ${id} on any target.`,
    }),
  objectNotFound: (key: string) =>
    new AppError('BACKUP_NOT_FOUND', 404, 'Backup not found', {
      detail: `Object ${key} does not exist.`,
    }),
  unknownTarget: (name: string) =>
    new AppError('BACKUP_UNKNOWN_TARGET', 404, 'Unknown backup target', {
      detail: `No backup target named "${name}" is configured.`,
    }),
  targetUnreachable: (target: string, cause: unknown) =>
    new AppError('BACKUP_TARGET_UNREACHABLE', 503, 'Backup target unreachable', {
      detail: `Target ${target} could not be reached: ${messageOf(cause)}`,
      cause,
    }),
  targetAuthFailed: (target: string, cause: unknown) =>
    new AppError('BACKUP_TARGET_AUTH_FAILED', 502, 'Backup target refused the credentials', {
      detail: `Target ${target} refused the credentials: ${messageOf(cause)}`,
      cause,
    }),
  targetFailed: (target: string, cause: unknown) =>
    new AppError('BACKUP_TARGET_FAILED', 502, 'Backup target failed', {
      detail: `Target ${target} failed: ${messageOf(cause)}`,
      cause,
    }),
  noKey: () =>
    new AppError('BACKUP_NO_KEY', 422, 'No backup encryption key', {
      detail:
        'Backups are encrypted, but no key is configured. Set BACKUP_ENCRYPTION_KEY (openssl rand -base64 32) or BACKUP_PASSPHRASE, or set backup.encryption: false in config to store backups unencrypted.',
    }),
  keyUnavailable: (keyId: string) =>
    new AppError('BACKUP_KEY_UNAVAILABLE', 422, 'Backup key not configured', {
      detail: `The backup was encrypted with key "${keyId}", which is not configured (backup.keys).`,
    }),
  wrongKey: (keyId: string) =>
    new AppError('BACKUP_WRONG_KEY', 422, 'Wrong backup key', {
      detail: `The key configured as "${keyId}" is not the key this backup was encrypted with.`,
    }),
  corrupted: (chunk: number) =>
    new AppError('BACKUP_CORRUPTED', 422, 'Backup corrupted', {
      detail: `Chunk ${chunk} failed authentication: the backup was modified or damaged.`,
    }),
  truncated: (detail: string) =>
    new AppError('BACKUP_TRUNCATED', 422, 'Backup truncated', { detail }),
  chunkMissing: (expected: number, found: number) =>
    new AppError('BACKUP_CHUNK_MISSING', 422, 'Backup chunk missing or out of order', {
      detail: `Expected chunk ${expected}, found chunk ${found}.`,
    }),
  checksumMismatch: (expected: string, actual: string) =>
    new AppError('BACKUP_CHECKSUM_MISMATCH', 422, 'Backup checksum mismatch', {
      detail: `SHA-256 is ${actual}, the manifest says ${expected}.`,
    }),
  sizeMismatch: (expected: number, actual: number) =>
    new AppError('BACKUP_SIZE_MISMATCH', 422, 'Backup size mismatch', {
      detail: `The stored object has ${actual} bytes, the manifest says ${expected}.`,
    }),
  malformed: (detail: string) =>
    new AppError('BACKUP_MALFORMED', 422, 'Backup malformed', { detail }),
  rowCountMismatch: (table: string, expected: number, actual: number) =>
    new AppError('BACKUP_ROW_COUNT_MISMATCH', 422, 'Restored row count differs', {
      detail: `Table ${table}: the backup has ${expected} rows, the database has ${actual}.`,
    }),
  rebuildFailed: (name: string, cause: unknown) =>
    new AppError('BACKUP_REBUILD_FAILED', 422, 'Restored data breaks an index or key', {
      detail: `Rebuilding ${name} after loading the data failed: ${messageOf(cause)}${detailOf(cause)} Nothing was restored.`,
      cause,
    }),
  stagingNotPermitted: (cause: unknown) =>
    new AppError('BACKUP_RESTORE_NOT_PERMITTED', 403, 'Restore cannot create its staging schema', {
      detail: `A restore into PostgreSQL loads into a schema of its own first, and the database role may not create one: ${messageOf(cause)}. Grant it CREATE on the database (GRANT CREATE ON DATABASE … TO …), or restore as the database's owner. Nothing was restored.`,
      cause,
    }),
  targetNotEmpty: (tables: string[]) =>
    new AppError('BACKUP_RESTORE_TARGET_NOT_EMPTY', 409, 'Restore target is not empty', {
      detail: `The target database has data in ${tables.join(', ')}. Restore into an empty database, or pass --force to replace it.`,
    }),
  schemaTooNew: (backupVersion: string, known: string) =>
    new AppError('BACKUP_SCHEMA_UNKNOWN', 422, 'Backup schema is newer than this service', {
      detail: `The backup has schema ${backupVersion}; this service knows up to ${known}. Restore with a newer version.`,
    }),
  alreadyRunning: () =>
    new AppError('BACKUP_ALREADY_RUNNING', 409, 'A backup is already running', {
      detail: 'Another backup run holds the lock; try again when it has finished.',
    }),
};

function messageOf(cause: unknown): string {
  return cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
}

/** The server's detail line of a database error (e.g. which key is duplicated), as a sentence. */
function detailOf(cause: unknown): string {
  const detail = (cause as { detail?: unknown } | null)?.detail;
  return typeof detail === 'string' && detail ? `. ${detail}` : '.';
}
