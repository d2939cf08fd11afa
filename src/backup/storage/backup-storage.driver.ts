import { Readable, Transform } from 'node:stream';

export interface StoredObject {
  key: string;
  size: number;
  modifiedAt: Date;
}

/**
 * The port every storage target implements. Keys are '/'-separated paths under the target's
 * prefix. `put` is all-or-nothing: an interrupted upload never shows up in `list` or `stat` under
 * its key (temporary file then rename, multipart complete, block-list commit, resumable finish).
 * Drivers take their options in the constructor, never read the environment, and throw
 * AppErrors (BACKUP_TARGET_UNREACHABLE, BACKUP_TARGET_AUTH_FAILED, BACKUP_NOT_FOUND…).
 */
export abstract class BackupStorageDriver {
  abstract readonly kind: 'local' | 's3' | 'azure' | 'gcs';

  /** Stores the whole stream under key; returns the number of bytes written. */
  abstract put(key: string, body: Readable): Promise<number>;

  /** Streams an object; BACKUP_NOT_FOUND when it does not exist. */
  abstract get(key: string): Promise<Readable>;

  /** Every object whose key starts with prefix. */
  abstract list(prefix: string): Promise<StoredObject[]>;

  /** Metadata of one object, or null. */
  abstract stat(key: string): Promise<StoredObject | null>;

  /** Removes an object; deleting a missing object is not an error. */
  abstract delete(key: string): Promise<void>;
}

/**
 * Counts the bytes of an upload body without starting its flow early: the SDK reads the returned
 * stream whenever it is ready, and an error of the source reaches it.
 */
export function counted(body: Readable): { stream: Readable; bytes: () => number } {
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  body.on('error', (error) => stream.destroy(error));
  body.pipe(stream);
  return { stream, bytes: () => bytes };
}
