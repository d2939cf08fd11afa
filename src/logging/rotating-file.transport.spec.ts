import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RotatingFileTransport } from './rotating-file.transport';

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
      const files = readdirSync(dir).sort(
        (a, b) => Number(/\d+/.exec(b)?.[0] ?? 0) - Number(/\d+/.exec(a)?.[0] ?? 0),
      );
      expect(files.length).toBeGreaterThan(2);
      for (const file of files) expect(statSync(join(dir, file)).size).toBeLessThanOrEqual(2048);
      const written = files.flatMap((file) =>
        readFileSync(join(dir, file), 'utf8').split('\n').filter(Boolean),
      );
      expect(written).toEqual(lines);
    },
  );
});
