import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineBatch } from './line-batch';

const ROOT = join(__dirname, '..', '..');

describe(LineBatch.name, () => {
  it('should write the lines of one interval in one write when several are added', () => {
    jest.useFakeTimers();
    try {
      const writes: string[] = [];
      const sut = new LineBatch((bytes) => void writes.push(bytes.toString()), 5);
      sut.add('a');
      jest.advanceTimersByTime(3);
      sut.add('b');
      sut.add('c');
      expect(writes).toEqual([]);
      jest.advanceTimersByTime(2);
      expect(writes).toEqual(['a\nb\nc\n']);
      sut.add('d');
      jest.advanceTimersByTime(4);
      expect(writes).toEqual(['a\nb\nc\n']);
      jest.advanceTimersByTime(1);
      expect(writes).toEqual(['a\nb\nc\n', 'd\n']);
      sut.close();
    } finally {
      jest.useRealTimers();
    }
  });

  it('should write at once when more than 64 KiB are pending', () => {
    const writes: string[] = [];
    const sut = new LineBatch((bytes) => void writes.push(bytes.toString()));
    const line = 'x'.repeat(1023);
    for (let i = 0; i < 64; i++) sut.add(line);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toHaveLength(64 * 1024);
    sut.close();
  });

  it('should encode each line as Buffer.from would, characters beyond ASCII and lone surrogates included', () => {
    const writes: Buffer[] = [];
    const sut = new LineBatch((bytes) => void writes.push(bytes));
    const lines = ['plain', 'Ærø – 冷冻保护剂 🧊', 'lone \ud800 high', 'lone \udc00 low', ''];
    const sizes = lines.map((line) => sut.add(line));
    sut.close();
    const expected = Buffer.from(lines.map((line) => `${line}\n`).join(''));
    expect(Buffer.concat(writes)).toEqual(expected);
    expect(sizes).toEqual(lines.map((line) => Buffer.byteLength(`${line}\n`)));
  });

  it('should write the same bytes for an ASCII line whether or not the caller says it is ASCII', () => {
    const lines = ['{"message":"GET /health/live 200 0.3 ms","x":[1,2]}', '', ' ~!\\"'];
    const asAscii: Buffer[] = [];
    const asText: Buffer[] = [];
    const ascii = new LineBatch((bytes) => void asAscii.push(Buffer.from(bytes)));
    const text = new LineBatch((bytes) => void asText.push(Buffer.from(bytes)));
    const sizes = lines.map((line) => ascii.add(line, true));
    for (const line of lines) text.add(line);
    ascii.close();
    text.close();
    expect(Buffer.concat(asAscii)).toEqual(Buffer.concat(asText));
    expect(sizes).toEqual(lines.map((line) => line.length + 1));
  });

  it('should write a line larger than its buffer alone, after the lines before it', () => {
    const writes: string[] = [];
    const sut = new LineBatch((bytes) => void writes.push(bytes.toString()));
    sut.add('before');
    const huge = '冷'.repeat(40 * 1024);
    expect(sut.add(huge)).toBe(Buffer.byteLength(huge) + 1);
    sut.add('after');
    sut.close();
    expect(writes).toEqual(['before\n', `${huge}\n`, 'after\n']);
  });

  it('should write encoded lines among text lines in the order they were added, a chunk larger than its buffer alone', () => {
    const writes: string[] = [];
    const sut = new LineBatch((bytes) => void writes.push(bytes.toString()));
    sut.add('first');
    const chunk = Buffer.from('second 冷\nthird\n');
    sut.addBytes(chunk);
    chunk.fill(0); // the batch copied it
    sut.add('fourth');
    const huge = Buffer.from(`${'x'.repeat(100 * 1024)}\n`);
    sut.addBytes(huge);
    sut.close();
    expect(writes).toEqual(['first\nsecond 冷\nthird\nfourth\n', huge.toString()]);
  });

  it('should never change bytes it has handed over', () => {
    // A stream writer may keep the buffer until its write completes.
    const writes: Buffer[] = [];
    const sut = new LineBatch((bytes) => void writes.push(bytes));
    const copies: string[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 100; i++) sut.add(`${round}:${i}:${'y'.repeat(1000)}`);
      for (const written of writes.slice(copies.length)) copies.push(written.toString());
    }
    sut.add('small');
    sut.flush();
    copies.push(writes[writes.length - 1].toString());
    sut.add('other');
    sut.close();
    expect(writes.map((bytes) => bytes.toString())).toEqual([...copies, 'other\n']);
  });

  it('should write from one buffer again and again when the writer is done with the bytes as it returns', () => {
    const written: string[] = [];
    const memory = new Set<ArrayBufferLike>();
    const sut = new LineBatch((bytes) => {
      written.push(bytes.toString());
      memory.add(bytes.buffer);
      return true;
    });
    const lines = Array.from({ length: 300 }, (_, i) => `${i}:${'z'.repeat(999)}`);
    for (const line of lines) sut.add(line);
    sut.close();
    expect(written.join('')).toBe(lines.map((line) => `${line}\n`).join(''));
    expect(written.length).toBeGreaterThan(3);
    expect(memory.size).toBe(1);
  });

  it('should never change bytes a writer kept when a writer that was synchronous stops being so', () => {
    // A stream's write is synchronous until its pipe is full; then it keeps what it is given.
    const kept: Array<{ bytes: Buffer; text: string }> = [];
    let synchronous = true;
    const sut = new LineBatch((bytes) => {
      if (!synchronous) kept.push({ bytes, text: bytes.toString() });
      return synchronous;
    });
    for (let round = 0; round < 6; round++) {
      synchronous = round % 2 === 0;
      for (let i = 0; i < 100; i++) sut.add(`${round}:${i}:${'w'.repeat(500)}`);
      sut.flush();
    }
    sut.close();
    expect(kept).toHaveLength(3);
    for (const { bytes, text } of kept) expect(bytes.toString()).toBe(text);
  });

  it('should write what is pending when closed', () => {
    const writes: string[] = [];
    const sut = new LineBatch((bytes) => void writes.push(bytes.toString()));
    sut.add('last');
    sut.close();
    expect(writes).toEqual(['last\n']);
  });

  it('should lose no line when the process exits right after logging', () => {
    // The built logger (npm test builds first), in a process that exits in the same turn.
    const dir = mkdtempSync(join(tmpdir(), 'cryoprotect-batch-'));
    try {
      const script = `
        const { loadConfig } = require(${JSON.stringify(join(ROOT, 'dist/src/config/config.loader.js'))});
        const { createWinston } = require(${JSON.stringify(join(ROOT, 'dist/src/logging/logger.factory.js'))});
        const config = loadConfig({ env: {}, overrides: { dataDir: ${JSON.stringify(dir)}, log: { dir: 'logs' } } });
        const logger = createWinston(config);
        for (let i = 0; i < 1000; i++) logger.info('line ' + i, { password: 'never-written' });
        process.exit(0);
      `;
      const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
      expect(result.status).toBe(0);
      const stdout = result.stdout.split('\n').filter(Boolean);
      const file = readFileSync(join(dir, 'logs', 'cryoprotect.log'), 'utf8')
        .split('\n')
        .filter(Boolean);
      for (const lines of [stdout, file]) {
        expect(lines).toHaveLength(1000);
        expect((JSON.parse(lines[999]) as { message: string }).message).toBe('line 999');
      }
      expect(result.stdout).not.toContain('never-written');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
