import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { BlockCompressStream, BlockDecompressStream, CompressionSettings } from './streams';
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
  collect(Readable.from([data]).pipe(new BlockDecompressStream(algorithm, 2)));

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
