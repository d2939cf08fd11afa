import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RotatingFileTransport } from './rotating-file.transport';

/**
 * The lines of every file in `dir`, oldest file first; checks that the limit (2048 bytes) rotated
 * them into several files and that none is past it.
 */
function rotatedLines(dir: string): string[] {
  const files = readdirSync(dir).sort(
    (a, b) => Number(/\d+/.exec(b)?.[0] ?? 0) - Number(/\d+/.exec(a)?.[0] ?? 0),
  );
  expect(files.length).toBeGreaterThan(2);
  for (const file of files) expect(statSync(join(dir, file)).size).toBeLessThanOrEqual(2048);
  return files.flatMap((file) => readFileSync(join(dir, file), 'utf8').split('\n').filter(Boolean));
}

describe(RotatingFileTransport.name, () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'cryoprotect-rotation-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['ASCII', 'x'],
    // 3 bytes per character in UTF-8: the limit is on bytes, not characters.
    ['beyond ASCII', '冷'],
  ])(
    'should keep every file within maxBytes and every line, in order, when %s lines cross the limit',
    (_kind, character) => {
      const sut = new RotatingFileTransport({
        filename: join(dir, 'app.log'),
        maxBytes: 2048,
        maxFiles: 20,
      });
      const lines = Array.from({ length: 60 }, (_, i) => `line ${i} ${character.repeat(150)}`);
      for (const line of lines) sut.writeLine(line);
      sut.close();
      expect(rotatedLines(dir)).toEqual(lines);
    },
  );

  it('should keep every file within maxBytes and every line, in order, when lines encoded elsewhere come in chunks that cross the limit', () => {
    const sut = new RotatingFileTransport({
      filename: join(dir, 'app.log'),
      maxBytes: 2048,
      maxFiles: 20,
    });
    const lines = Array.from({ length: 60 }, (_, i) => `line ${i} ${'冷'.repeat(100)}`);
    // Chunks of 1 to 7 lines, as the request lines' worker thread hands them over.
    for (let i = 0, size = 1; i < lines.length; i += size, size = (size % 7) + 1)
      sut.writeBytes(
        Buffer.from(
          lines
            .slice(i, i + size)
            .map((line) => `${line}\n`)
            .join(''),
        ),
      );
    sut.close();
    expect(rotatedLines(dir)).toEqual(lines);
  });

  /** A transport writing `logs/app.log` in the test's directory, and the failures it reports. */
  function inLogsDirectory(maxBytes: number, maxFiles: number) {
    const logs = join(dir, 'logs');
    const sut = new RotatingFileTransport({ filename: join(logs, 'app.log'), maxBytes, maxFiles });
    const warnings: NodeJS.ErrnoException[] = [];
    sut.on('warn', (error: NodeJS.ErrnoException) => warnings.push(error));
    return { logs, sut, warnings };
  }

  it('should make the log directory again and go on writing when it was removed while the service ran', () => {
    const { logs, sut } = inLogsDirectory(2048, 3);
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i} ${'x'.repeat(150)}`);
    for (const line of lines.slice(0, 5)) sut.writeLine(line);
    // A clean-up removes the directory; the next lines cross the limit, so the file is rotated.
    rmSync(logs, { recursive: true, force: true });
    expect(() => {
      for (const line of lines.slice(5)) sut.writeLine(line);
    }).not.toThrow();
    sut.close();
    const written = readdirSync(logs).flatMap((file) =>
      readFileSync(join(logs, file), 'utf8').split('\n').filter(Boolean),
    );
    // The lines after the removal are in the files made again (the oldest rotated out, maxFiles 3).
    expect(written).toContain(lines[lines.length - 1]);
    expect(written.length).toBeGreaterThan(0);
  });

  it('should drop and report the lines it cannot write, without throwing, and write again once the file can be opened', () => {
    const { logs, sut, warnings } = inLogsDirectory(1024, 2);
    sut.writeLine('before');
    // The directory becomes a file: the next rotation can neither open the log nor make its folder.
    rmSync(logs, { recursive: true, force: true });
    writeFileSync(logs, 'not a directory');
    expect(() => sut.writeLine(`lost ${'x'.repeat(1100)}`)).not.toThrow();
    expect(() => sut.writeLine('lost too')).not.toThrow();
    (sut as unknown as { batch: { flush(): void } }).batch.flush();
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.some((error) => ['EEXIST', 'ENOTDIR'].includes(error.code ?? ''))).toBe(true);
    // Fixed: the next write opens the file again.
    rmSync(logs, { force: true });
    sut.writeLine('after');
    sut.close();
    expect(readFileSync(join(logs, 'app.log'), 'utf8')).toBe('after\n');
  });
});
