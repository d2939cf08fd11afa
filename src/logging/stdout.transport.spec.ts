import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeStdout } from './stdout-writer';

const ROOT = join(__dirname, '..', '..');

/**
 * A process (the built transport: npm test builds first) that writes `count` lines through the
 * stdout transport and exits in the same turn.
 */
const WRITER = (count: number) => `
  const { StdoutTransport } = require(${JSON.stringify(join(ROOT, 'dist/src/logging/stdout.transport.js'))});
  const transport = new StdoutTransport();
  for (let i = 0; i < ${count}; i++) transport.writeLine('{"n":' + i + ',"pad":"' + 'p'.repeat(200) + '"}', true);
  process.exit(0);
`;

const numbers = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { n: number }).n);

describe('StdoutTransport', () => {
  it("should hand the bytes to process.stdout.write when something replaced it (a test's spy)", () => {
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const bytes = Buffer.from('{"a":1}\n');
      expect(writeStdout(bytes)).toBe(false);
      expect(stdout).toHaveBeenCalledWith(bytes);
    } finally {
      stdout.mockRestore();
    }
  });

  it('should write every line once and in order when stdout is a file and the process exits right after', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cryoprotect-stdout-'));
    const path = join(dir, 'out.log');
    const fd = openSync(path, 'w');
    try {
      const result = spawnSync(process.execPath, ['-e', WRITER(20_000)], {
        stdio: ['ignore', fd, 'pipe'],
      });
      expect(result.status).toBe(0);
      expect(numbers(readFileSync(path, 'utf8'))).toEqual(
        Array.from({ length: 20_000 }, (_, i) => i),
      );
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('should write every line once and in order when stdout is a pipe whose reader is slow and the process exits right after', () => {
    // About 4.5 MB into a 64 KiB pipe that is not read for half a second: the pipe fills, the rest
    // waits, and process.exit() waits for it. (Queued in process.stdout's stream, it was lost.)
    const script = join(mkdtempSync(join(tmpdir(), 'cryoprotect-stdout-')), 'writer.js');
    writeFileSync(script, WRITER(20_000));
    try {
      const result = spawnSync(
        'bash',
        ['-c', `"${process.execPath}" "${script}" | { sleep 0.5; cat; }; exit "\${PIPESTATUS[0]}"`],
        { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      );
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(numbers(result.stdout)).toEqual(Array.from({ length: 20_000 }, (_, i) => i));
    } finally {
      rmSync(dirname(script), { recursive: true, force: true });
    }
  });
});
