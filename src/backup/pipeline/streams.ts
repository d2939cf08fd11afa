import { createHash } from 'node:crypto';
import { PassThrough, Transform, TransformCallback } from 'node:stream';
import {
  constants,
  createBrotliCompress,
  createBrotliDecompress,
  createGunzip,
  createGzip,
} from 'node:zlib';
import { BackupConfig } from '../../config/sections/backup.section';

export type CompressionSettings = BackupConfig['compression'];

/** Counts bytes and computes SHA-256 of what passes through. */
export class HashStream extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;
  private digestValue: string | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.digestValue = this.hash.digest('hex');
    callback();
  }

  /** The hex digest, once the stream has ended. */
  get digest(): string | undefined {
    return this.digestValue;
  }
}

const CHUNK = 256 * 1024;

export function compressor({ algorithm, level }: CompressionSettings): Transform {
  switch (algorithm) {
    case 'gzip':
      return createGzip({ level, chunkSize: CHUNK });
    case 'brotli':
      return createBrotliCompress({
        chunkSize: CHUNK,
        params: {
          [constants.BROTLI_PARAM_QUALITY]: level,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        },
      });
    case 'none':
      return new PassThrough();
    default: {
      const unknown: never = algorithm;
      throw new Error(`unknown compression ${String(unknown)}`);
    }
  }
}

export function decompressor(algorithm: CompressionSettings['algorithm']): Transform {
  switch (algorithm) {
    case 'gzip':
      return createGunzip({ chunkSize: CHUNK });
    case 'brotli':
      return createBrotliDecompress({ chunkSize: CHUNK });
    case 'none':
      return new PassThrough();
    default: {
      const unknown: never = algorithm;
      throw new Error(`unknown compression ${String(unknown)}`);
    }
  }
}
