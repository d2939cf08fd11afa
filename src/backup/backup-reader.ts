import { Injectable } from '@nestjs/common';
import { pipeline, Readable, Transform } from 'node:stream';
import { AppError } from '../common/app-error';
import { BackupErrors } from './backup.errors';
import { BackupManifest } from './backup.manifest';
import { BackupCatalog } from './backup-catalog';
import { BackupKeyring } from './backup-keyring';
import { BackupTarget } from './backup-targets';
import { DecryptStream, keyForBackup } from './pipeline/encryption';
import { BlockLeases, BlockMemory, COLLECTED } from './pipeline/block-memory';
import { WorkerBlockDecoder } from './pipeline/block-worker';
import {
  BlockDecompressStream,
  HashStream,
  MAX_BLOCK_BYTES,
  streamDecompressor,
} from './pipeline/streams';
import { translateStorageError } from './storage/storage-errors';

export interface OpenedBackup {
  /** The plaintext dump (or, with decode false, the raw bytes after the frame checks). */
  stream: Readable;
  /** After the stream has ended: checks the size and SHA-256 against the manifest. */
  assertIntact(): void;
  /** Stored bytes read so far (progress). */
  bytesRead(): number;
  /**
   * What the stream's pieces lie in: a consumer holds each piece it keeps past the current read and
   * drops it once used, so that the memory can take the next block (block-memory.ts).
   */
  leases: BlockLeases;
}

/** Blocks sent to the decompression worker at once while the restore loads the previous ones. */
const DECOMPRESS_CONCURRENCY = 2;
/**
 * Reused slots for decompressed blocks: those decompressing, those waiting in the streams between
 * the worker and the loader, the one or two being cut into sections and those the two database
 * connections are still sending. When all are in use a block gets a Buffer of its own instead.
 */
const BLOCK_SLOTS = 6;

/** Reads a stored backup back, checking every layer: frames, tags, size, checksum. */
@Injectable()
export class BackupReader {
  constructor(
    private readonly catalog: BackupCatalog,
    private readonly keyring: BackupKeyring,
  ) {}

  /** Proves the configured key is this backup's key (BACKUP_KEY_UNAVAILABLE / BACKUP_WRONG_KEY). */
  async keyFor(manifest: BackupManifest): Promise<Buffer | null> {
    if (!manifest.encryption) return null;
    return keyForBackup(
      this.keyring.get(manifest.encryption.keyId),
      manifest.encryption,
      manifest.id,
    );
  }

  /**
   * decode true: decrypts (every GCM tag) and decompresses. decode false: only checks the frame
   * structure, size and checksum (quick verification; no key needed).
   */
  async open(
    target: BackupTarget,
    manifest: BackupManifest,
    decode: boolean,
  ): Promise<OpenedBackup> {
    const key = decode ? await this.keyFor(manifest) : null;
    const source = await target.driver.get(this.catalog.dataKey(target, manifest.id));
    const hash = new HashStream();
    const stages: Transform[] = [hash];
    let leases: BlockLeases = COLLECTED;
    if (manifest.encryption) stages.push(new DecryptStream(key, manifest.id));
    if (decode) {
      const { algorithm, blockBytes } = manifest.compression;
      if (blockBytes) {
        const memory = new BlockMemory(Math.min(blockBytes, MAX_BLOCK_BYTES), BLOCK_SLOTS);
        leases = memory;
        stages.push(
          new BlockDecompressStream(
            DECOMPRESS_CONCURRENCY,
            new WorkerBlockDecoder(algorithm, memory, DECOMPRESS_CONCURRENCY),
          ),
        );
      } else {
        stages.push(streamDecompressor(algorithm));
      }
    }
    const stream = (
      pipeline as (
        ...streams: (Readable | Transform | ((error: Error | null) => void))[]
      ) => Readable
    )(source, ...stages, () => undefined);
    const translated = new Transform({
      transform: (chunk: Buffer, _encoding, callback) => callback(null, chunk),
      // A consumer that stops early (a failed restore) stops the reading too: the whole pipeline,
      // down to the file or the download, is destroyed with it.
      destroy: (error, callback) => {
        stream.destroy();
        callback(error);
      },
    });
    stream.on('error', (error) => translated.destroy(translate(target.name, error)));
    // The consumer may attach later (e.g. after opening a transaction); it still gets the error,
    // because reading a destroyed stream rethrows it.
    translated.on('error', () => undefined);
    stream.pipe(translated);
    return {
      stream: translated,
      bytesRead: () => hash.bytes,
      leases,
      assertIntact: () => {
        if (hash.bytes < manifest.data.sizeBytes) {
          throw BackupErrors.truncated(
            `${hash.bytes} of ${manifest.data.sizeBytes} bytes are stored.`,
          );
        }
        if (hash.bytes !== manifest.data.sizeBytes)
          throw BackupErrors.sizeMismatch(manifest.data.sizeBytes, hash.bytes);
        if (hash.digest !== manifest.data.sha256)
          throw BackupErrors.checksumMismatch(manifest.data.sha256, hash.digest ?? '');
      },
    };
  }
}

/** Decompression errors of damaged unencrypted data and storage errors become our codes. */
function translate(target: string, error: Error): AppError {
  if (error instanceof AppError) return error;
  if ((error as NodeJS.ErrnoException).code?.startsWith('Z_')) {
    return BackupErrors.malformed(`The backup data cannot be decoded: ${error.message}`);
  }
  return translateStorageError(target, error);
}
