import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RequestContext } from '../common/request-context';
import { loadConfig } from '../config/config.loader';
import { createLogger, logFilePath } from './logger.factory';

describe('createLogger', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cryoprotect-log-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function logLines(
    write: (logger: ReturnType<typeof createLogger>) => void,
    log: Record<string, unknown> = {},
  ): Promise<Array<Record<string, unknown>>> {
    const config = loadConfig({
      env: {},
      overrides: { dataDir: dir, log: { dir: 'logs', level: 'debug', ...log } },
    });
    const logger = createLogger(config);
    // The same lines also go to stdout; the file is what is checked, so stdout is kept quiet.
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      write(logger);
      // The File transport opens its stream asynchronously.
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      stdout.mockRestore();
    }
    return readFileSync(logFilePath(config)!, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  it('should write ECS JSON lines carrying the request id when logging inside a request context', async () => {
    const lines = await logLines((logger) =>
      RequestContext.run({ requestId: 'req-123', userId: 'user-9' }, () =>
        logger.log('inside', 'Probe'),
      ),
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      message: 'inside',
      'log.level': 'info',
      'log.logger': 'Probe',
      'http.request.id': 'req-123',
      'user.id': 'user-9',
      'ecs.version': expect.any(String),
      '@timestamp': expect.any(String),
    });
  });

  it('should put the stack trace into error.stack_trace when an Error is logged', async () => {
    const [line] = await logLines((logger) =>
      logger.error(new TypeError('boom'), undefined, 'Unhandled'),
    );
    const error = line['error'] as Record<string, string>;
    expect(line['message']).toBe('boom');
    expect(error.type).toBe('TypeError');
    expect(error.stack_trace).toContain('TypeError: boom');
    expect(line['stack']).toBeUndefined();
  });

  it('should redact secrets in messages and fields when a caller logs them', async () => {
    const lines = await logLines((logger) => {
      logger.log(
        { message: 'login', password: 'hunter2-pw', body: { refreshToken: 'rt-secret-value' } },
        'Auth',
      );
      logger.warn('cannot reach postgres://cryo:db-pass-77@db:5432/cryo', 'Database');
    });
    const text = JSON.stringify(lines);
    expect(text).not.toContain('hunter2-pw');
    expect(text).not.toContain('rt-secret-value');
    expect(text).not.toContain('db-pass-77');
    expect(lines[1]['message']).toBe('cannot reach postgres://cryo:***@db:5432/cryo');
  });

  it('should rotate by size and keep at most maxFiles files when more than maxFileBytes is written', async () => {
    const lines = await logLines(
      (logger) => {
        for (let i = 0; i < 60; i++) logger.log(`line ${i} ${'x'.repeat(150)}`, 'Rotation');
      },
      { maxFileBytes: 2048, maxFiles: 3 },
    );
    const files = readdirSync(join(dir, 'logs')).sort();
    expect(files).toEqual(['cryoprotect.log', 'cryoprotect1.log', 'cryoprotect2.log']);
    const read = (file: string) =>
      readFileSync(join(dir, 'logs', file), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) =>
          Number(/^line (\d+)/.exec((JSON.parse(line) as { message: string }).message)?.[1]),
        );
    // Oldest to newest, every line of a burst is kept, in order, up to the last one.
    const kept = [
      ...read('cryoprotect2.log'),
      ...read('cryoprotect1.log'),
      ...lines.map((line) => Number(/^line (\d+)/.exec(line['message'] as string)?.[1])),
    ];
    expect(kept.at(-1)).toBe(59);
    expect(kept).toEqual(kept.map((_, index) => kept[0] + index));
    for (const file of files)
      expect(statSync(join(dir, 'logs', file)).size).toBeLessThanOrEqual(2048);
  });
});
