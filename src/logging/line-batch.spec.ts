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
      const sut = new LineBatch((text) => writes.push(text), 5);
      sut.add('a\n');
      jest.advanceTimersByTime(3);
      sut.add('b\n');
      sut.add('c\n');
      expect(writes).toEqual([]);
      jest.advanceTimersByTime(2);
      expect(writes).toEqual(['a\nb\nc\n']);
      sut.add('d\n');
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
    const sut = new LineBatch((text) => writes.push(text));
    const line = `${'x'.repeat(1023)}\n`;
    for (let i = 0; i < 64; i++) sut.add(line);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toHaveLength(64 * 1024);
    sut.close();
  });

  it('should write what is pending when closed', () => {
    const writes: string[] = [];
    const sut = new LineBatch((text) => writes.push(text));
    sut.add('last\n');
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
