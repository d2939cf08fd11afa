import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { BlockMemory } from './block-memory';
import { WorkerBlockDecoder } from './block-worker';
import {
  BlockCompressStream,
  BlockDecompressStream,
  CompressionSettings,
  DecoderFailure,
  threadPoolDecoder,
} from './streams';
import { codeOf } from '../../../test/support/error-code';

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** Rows of text with some randomness, fed in uneven pieces as a database would produce them. */
function pieces(): Buffer[] {
  const all: Buffer[] = [];
  for (let i = 0; i < 3000; i++)
    all.push(
      Buffer.from(`${i}\tuser${i}@example.org\t${randomBytes(1 + (i % 40)).toString('hex')}\n`),
    );
  return all;
}

const compress = (input: Buffer[], settings: CompressionSettings, blockBytes: number) =>
  collect(Readable.from(input).pipe(new BlockCompressStream(settings, blockBytes, 3)));

const decompress = (data: Buffer, algorithm: CompressionSettings['algorithm']) =>
  collect(Readable.from([data]).pipe(new BlockDecompressStream(2, threadPoolDecoder(algorithm))));

/**
 * Through the worker into reused slots, read as the restore reads: each piece copied out, then
 * dropped, so its slot takes a later block. Returns the bytes and the slots still held at the end.
 */
async function decompressIntoSlots(
  data: Buffer,
  algorithm: CompressionSettings['algorithm'],
  { slotBytes = 16 * 1024, slots = 3, drop = true } = {},
): Promise<{ bytes: Buffer; pieces: Buffer[]; memory: BlockMemory }> {
  const memory = new BlockMemory(slotBytes, slots);
  const stream = Readable.from([data]).pipe(
    new BlockDecompressStream(2, new WorkerBlockDecoder(algorithm, memory, 2)),
  );
  const copies: Buffer[] = [];
  const pieces: Buffer[] = [];
  for await (const piece of stream) {
    copies.push(Buffer.from(piece as Buffer));
    pieces.push(piece as Buffer);
    if (drop) memory.drop(piece as Buffer);
  }
  return { bytes: Buffer.concat(copies), pieces, memory };
}

/** The test rows compressed in blocks of `blockBytes`, then read back through the worker. */
async function throughSlots(
  settings: CompressionSettings,
  blockBytes: number,
  slotOptions?: Parameters<typeof decompressIntoSlots>[2],
) {
  const input = Buffer.concat(pieces());
  const compressed = await compress([input], settings, blockBytes);
  return { input, ...(await decompressIntoSlots(compressed, settings.algorithm, slotOptions)) };
}

describe(BlockCompressStream.name, () => {
  it.each([
    { algorithm: 'brotli', level: 3 },
    { algorithm: 'gzip', level: 6 },
  ] as const)(
    'should give back the same bytes in order when $algorithm blocks are compressed at once',
    async (settings) => {
      const input = pieces();
      const sut = await compress(input, settings, 16 * 1024);
      expect(sut.length).toBeLessThan(Buffer.concat(input).length);
      // Many blocks, so several were in flight together and had to come back in order.
      expect(Buffer.concat(input).length / (16 * 1024)).toBeGreaterThan(10);
      expect((await decompress(sut, settings.algorithm)).equals(Buffer.concat(input))).toBe(true);
    },
  );

  it.each(['brotli', 'gzip'] as const)(
    'should give back the same bytes through the worker, %s blocks reusing three slots',
    async (algorithm) => {
      const {
        input,
        bytes,
        pieces: out,
        memory,
      } = await throughSlots({ algorithm, level: 3 }, 16 * 1024);
      expect(bytes.equals(input)).toBe(true);
      // Every block came back in a slot (none needed a Buffer of its own), so slots were reused.
      expect(out.length).toBeGreaterThan(10);
      expect(out.every((piece) => piece.buffer === memory.shared)).toBe(true);
      expect(memory.inUse).toBe(0);
    },
  );

  it('should give blocks Buffers of their own when every slot is still held', async () => {
    const {
      input,
      bytes,
      pieces: out,
      memory,
    } = await throughSlots({ algorithm: 'brotli', level: 3 }, 16 * 1024, { drop: false });
    expect(bytes.equals(input)).toBe(true);
    expect(Buffer.concat(out).equals(input)).toBe(true);
    expect(out.filter((piece) => piece.buffer === memory.shared)).toHaveLength(3);
    expect(memory.inUse).toBe(3);
  });

  it('should give blocks larger than a slot Buffers of their own', async () => {
    const {
      input,
      bytes,
      pieces: out,
      memory,
    } = await throughSlots({ algorithm: 'gzip', level: 6 }, 64 * 1024, { slotBytes: 16 * 1024 });
    expect(bytes.equals(input)).toBe(true);
    const large = out.filter((piece) => piece.length > 16 * 1024);
    expect(large.length).toBeGreaterThan(2);
    expect(large.some((piece) => piece.buffer === memory.shared)).toBe(false);
  });

  it.each(['thread pool', 'worker'])(
    'should report BACKUP_MALFORMED when a block cannot be decoded (%s)',
    async (decoder) => {
      const sut = await compress(pieces(), { algorithm: 'brotli', level: 3 }, 16 * 1024);
      const damaged = Buffer.from(sut);
      for (let at = 8; at < 40; at++) damaged[at] ^= 0xff;
      const run =
        decoder === 'worker'
          ? decompressIntoSlots(damaged, 'brotli')
          : decompress(damaged, 'brotli');
      expect(await codeOf(run)).toBe('BACKUP_MALFORMED');
    },
  );

  it("should fail with the decoder's own error, not BACKUP_MALFORMED, when its worker is gone", async () => {
    const sut = await compress(pieces(), { algorithm: 'brotli', level: 3 }, 16 * 1024);
    const decoder = new WorkerBlockDecoder('brotli', new BlockMemory(16 * 1024, 3), 2);
    decoder.close();

    const run = collect(Readable.from([sut]).pipe(new BlockDecompressStream(2, decoder)));

    await expect(run).rejects.toBeInstanceOf(DecoderFailure);
  });

  it('should report BACKUP_TRUNCATED when the data ends inside a block', async () => {
    const sut = await compress(pieces(), { algorithm: 'brotli', level: 3 }, 16 * 1024);
    expect(await codeOf(decompress(sut.subarray(0, sut.length - 10), 'brotli'))).toBe(
      'BACKUP_TRUNCATED',
    );
  });

  it('should report BACKUP_MALFORMED when a block header states a wrong length', async () => {
    const sut = await compress(pieces(), { algorithm: 'brotli', level: 3 }, 16 * 1024);
    const damaged = Buffer.from(sut);
    damaged.writeUInt32BE(damaged.readUInt32BE(0) - 1, 0);
    expect(await codeOf(decompress(damaged, 'brotli'))).toBe('BACKUP_MALFORMED');
  });
});
