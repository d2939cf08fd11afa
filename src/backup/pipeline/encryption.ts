import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdf,
  randomBytes,
  scrypt,
  timingSafeEqual,
} from 'node:crypto';
import { Transform, TransformCallback } from 'node:stream';
import { promisify } from 'node:util';
import { BackupErrors } from '../backup.errors';
import { ByteQueue } from './streams';

/**
 * Chunked AES-256-GCM. Each frame is
 *   [u32 ciphertext length][u64 chunk index][u8 final flag][12-byte nonce][ciphertext][16-byte tag]
 * and its associated data is the backup id plus the 13 header bytes, so a reordered, dropped,
 * truncated or altered chunk fails authentication (or is caught earlier by the index and final checks).
 */
const HEADER_BYTES = 13;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const FRAME_OVERHEAD = HEADER_BYTES + NONCE_BYTES + TAG_BYTES;
const MAX_CHUNK = 16 * 1024 * 1024;

/** scrypt cost: 2^15 × 8 × 128 B = 32 MiB of memory per derivation (memory-hard on purpose). */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export type KeyMaterial = { key: Buffer } | { passphrase: string };

export interface EncryptionParams {
  algorithm: 'aes-256-gcm';
  keyId: string;
  kdf: 'hkdf-sha256' | 'scrypt';
  /** Per-backup salt (base64). */
  salt: string;
  chunkSizeBytes: number;
  /** HMAC of the backup id under the derived key: tells a wrong key from a damaged chunk. */
  keyCheck: string;
}

/** Derives the per-backup data key from a configured key and a fresh (or stored) salt. */
export async function deriveKey(
  material: KeyMaterial,
  salt: Buffer,
): Promise<{ key: Buffer; kdf: EncryptionParams['kdf'] }> {
  if ('key' in material) {
    const derived = await promisify(hkdf)(
      'sha256',
      material.key,
      salt,
      'cryoprotect-backup-v1',
      32,
    );
    return { key: Buffer.from(derived), kdf: 'hkdf-sha256' };
  }
  const derived = (await promisify(
    scrypt as (
      password: string,
      salt: Buffer,
      length: number,
      options: typeof SCRYPT,
      callback: (error: Error | null, key: Buffer) => void,
    ) => void,
  )(material.passphrase, salt, 32, SCRYPT)) as Buffer;
  return { key: derived, kdf: 'scrypt' };
}

export function keyCheckOf(key: Buffer, backupId: string): string {
  return createHmac('sha256', key).update(`key-check:${backupId}`).digest('base64');
}

export async function newEncryptionParams(
  material: KeyMaterial,
  keyId: string,
  backupId: string,
  chunkSizeBytes: number,
): Promise<{ params: EncryptionParams; key: Buffer }> {
  const salt = randomBytes(16);
  const { key, kdf } = await deriveKey(material, salt);
  return {
    key,
    params: {
      algorithm: 'aes-256-gcm',
      keyId,
      kdf,
      salt: salt.toString('base64'),
      chunkSizeBytes,
      keyCheck: keyCheckOf(key, backupId),
    },
  };
}

/** Derives the key of an existing backup and proves it is the right one before any chunk is read. */
export async function keyForBackup(
  material: KeyMaterial,
  params: EncryptionParams,
  backupId: string,
): Promise<Buffer> {
  const { key } = await deriveKey(material, Buffer.from(params.salt, 'base64'));
  const expected = Buffer.from(params.keyCheck, 'base64');
  const actual = Buffer.from(keyCheckOf(key, backupId), 'base64');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual))
    throw BackupErrors.wrongKey(params.keyId);
  return key;
}

function header(length: number, index: number, final: boolean): Buffer {
  const bytes = Buffer.alloc(HEADER_BYTES);
  bytes.writeUInt32BE(length, 0);
  bytes.writeBigUInt64BE(BigInt(index), 4);
  bytes.writeUInt8(final ? 1 : 0, 12);
  return bytes;
}

export class EncryptStream extends Transform {
  private readonly queue = new ByteQueue();
  private index = 0;
  private readonly aadPrefix: Buffer;

  constructor(
    private readonly key: Buffer,
    backupId: string,
    private readonly chunkSize: number,
  ) {
    // Room for a whole frame on either side: with the default 16 KiB every 1 MiB frame stalled the
    // stream between pushes.
    super({ highWaterMark: 2 * (chunkSize + FRAME_OVERHEAD) });
    this.aadPrefix = Buffer.from(backupId, 'utf8');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.queue.push(chunk);
    try {
      // Strictly more than one chunk buffered: the chunk taken now is certainly not the last one.
      while (this.queue.length > this.chunkSize)
        this.seal(this.queue.takeParts(this.chunkSize), this.chunkSize, false);
    } catch (error) {
      callback(error as Error);
      return;
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    const length = this.queue.length;
    try {
      this.seal(this.queue.takeParts(length), length, true);
    } catch (error) {
      callback(error as Error);
      return;
    }
    callback();
  }

  /**
   * Pushes one frame: header and nonce, the ciphertext of each part of the chunk as the cipher
   * gives it, and the tag. The chunk's parts (the compressor's blocks it spans) are encrypted one
   * after the other, as GCM is a stream mode, so neither the plaintext nor the ciphertext is copied
   * into one buffer: copies of every megabyte were external memory that made V8 collect garbage
   * more often during a backup.
   */
  private seal(parts: Buffer[], length: number, final: boolean): void {
    const head = header(length, this.index++, final);
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.concat([this.aadPrefix, head]));
    const ciphertext: Buffer[] = [];
    for (const part of parts) ciphertext.push(cipher.update(part));
    ciphertext.push(cipher.final());
    // GCM is a stream mode: the ciphertext is exactly as long as the plaintext.
    let written = 0;
    for (const piece of ciphertext) written += piece.length;
    if (written !== length) throw new Error('AES-GCM output length mismatch');
    this.push(Buffer.concat([head, nonce], HEADER_BYTES + NONCE_BYTES));
    for (const piece of ciphertext) if (piece.length > 0) this.push(piece);
    this.push(cipher.getAuthTag());
  }
}

/**
 * Reads frames back. With a key it decrypts and authenticates each; without one it only checks the
 * frame structure (indexes in order, final frame present), for quick verification.
 */
export class DecryptStream extends Transform {
  private readonly queue = new ByteQueue();
  private index = 0;
  private finished = false;
  private readonly aadPrefix: Buffer;

  constructor(
    private readonly key: Buffer | null,
    backupId: string,
  ) {
    super();
    this.aadPrefix = Buffer.from(backupId, 'utf8');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.queue.push(chunk);
    try {
      this.drain();
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    if (this.queue.length > 0 && !this.finished) {
      return callback(BackupErrors.truncated(`The backup ends inside chunk ${this.index}.`));
    }
    if (!this.finished)
      return callback(
        BackupErrors.truncated(
          `The backup ends after chunk ${this.index - 1} without its final chunk.`,
        ),
      );
    callback();
  }

  private drain(): void {
    while (this.queue.length >= HEADER_BYTES) {
      const head = this.queue.peek(HEADER_BYTES);
      const length = head.readUInt32BE(0);
      const index = Number(head.readBigUInt64BE(4));
      const final = head.readUInt8(12);
      if (this.finished) throw BackupErrors.malformed('Data follows the final chunk.');
      if (length > MAX_CHUNK || final > 1)
        throw BackupErrors.malformed(`Chunk ${this.index} has an invalid header.`);
      if (index !== this.index) throw BackupErrors.chunkMissing(this.index, index);
      if (this.queue.length < length + FRAME_OVERHEAD) return;
      // The body stays in the pieces it arrived in (no copy of the frame into one Buffer).
      const front = this.queue.take(HEADER_BYTES + NONCE_BYTES);
      const body = this.queue.takeParts(length);
      const tag = this.queue.take(TAG_BYTES);
      if (this.key) for (const piece of this.open(front, body, tag)) this.push(piece);
      this.index++;
      if (final === 1) this.finished = true;
    }
  }

  /** The frame's plaintext, in pieces as its ciphertext came; none is given out before the tag holds. */
  private open(front: Buffer, body: Buffer[], tag: Buffer): Buffer[] {
    const decipher = createDecipheriv('aes-256-gcm', this.key!, front.subarray(HEADER_BYTES));
    decipher.setAAD(Buffer.concat([this.aadPrefix, front.subarray(0, HEADER_BYTES)]));
    decipher.setAuthTag(tag);
    try {
      const plain = body.map((piece) => decipher.update(piece));
      // GCM's final only checks the tag; it has no bytes left to give.
      const rest = decipher.final();
      if (rest.length > 0) plain.push(rest);
      return plain;
    } catch {
      throw BackupErrors.corrupted(this.index);
    }
  }
}

/** Frame layout facts the fault tests use to damage a backup precisely. */
export const FRAME_LAYOUT = { HEADER_BYTES, NONCE_BYTES, TAG_BYTES, FRAME_OVERHEAD };
