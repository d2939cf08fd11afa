import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './config.loader';

describe(loadConfig.name, () => {
  let configDir: string;

  beforeEach(() => {
    configDir = mkdtempSync(join(tmpdir(), 'cryoprotect-config-'));
  });

  afterEach(() => {
    rmSync(configDir, { recursive: true, force: true });
  });

  function problemsOf(fn: () => unknown): string[] {
    try {
      fn();
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    throw new Error('expected a ConfigError');
  }

  it('should apply the schema defaults when there is no file and no environment', () => {
    const sut = loadConfig({ env: {}, configDir });

    expect(sut.server.port).toBe(3000);
    expect(sut.server.host).toBe('0.0.0.0');
    expect(sut.database.url).toBeUndefined();
    expect(sut.cache.redisUrl).toBeUndefined();
    expect(sut.log.level).toBe('info');
    expect(sut.dataDir).toBe(join(process.cwd(), 'data'));
  });

  it('should let CRYOPROTECT_CONFIG override default.yaml and the environment override both', () => {
    writeFileSync(
      join(configDir, 'default.yaml'),
      'server:\n  port: 4000\n  host: 127.0.0.2\nlog:\n  level: warn\n',
    );
    const extra = join(configDir, 'site.yaml');
    writeFileSync(extra, 'server:\n  port: 5000\nlog:\n  level: debug\n');

    const sut = loadConfig({
      env: { CRYOPROTECT_CONFIG: extra, LOG_LEVEL: 'error', DATA_DIR: '/var/lib/cp' },
      configDir,
    });

    expect(sut.server.host).toBe('127.0.0.2');
    expect(sut.server.port).toBe(5000);
    expect(sut.log.level).toBe('error');
    expect(sut.dataDir).toBe('/var/lib/cp');
  });

  it('should ignore empty environment variables', () => {
    writeFileSync(join(configDir, 'default.yaml'), 'server:\n  port: 4100\n');

    const sut = loadConfig({ env: { PORT: '' }, configDir });

    expect(sut.server.port).toBe(4100);
  });

  it('should report every invalid setting at once, named by its environment variable', () => {
    const problems = problemsOf(() =>
      loadConfig({
        env: { PORT: 'abc', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x', RATE_LIMIT: '0' },
        configDir,
      }),
    );

    expect(problems).toHaveLength(4);
    expect(problems.find((p) => p.startsWith('PORT (server.port):'))).toBeDefined();
    expect(problems.find((p) => p.startsWith('LOG_LEVEL (log.level):'))).toBeDefined();
    expect(problems.find((p) => p.startsWith('DATABASE_URL (database.url):'))).toBeDefined();
    expect(
      problems.find((p) => p.startsWith('RATE_LIMIT (server.rateLimit.limit):')),
    ).toBeDefined();
  });

  it('should name a bad file setting by its path and reject unknown keys', () => {
    writeFileSync(join(configDir, 'default.yaml'), 'server:\n  port: -1\n  colour: blue\n');

    const problems = problemsOf(() => loadConfig({ env: {}, configDir }));

    expect(problems.some((p) => p.startsWith('server.port:'))).toBe(true);
    expect(problems.some((p) => p.includes('colour'))).toBe(true);
  });

  it('should put every problem in the error message', () => {
    expect(() => loadConfig({ env: { PORT: 'abc', LOG_LEVEL: 'x' }, configDir })).toThrow(
      /PORT \(server\.port\)[\s\S]*LOG_LEVEL \(log\.level\)/,
    );
  });

  it('should parse flags given as strings', () => {
    const off = loadConfig({ env: { TRUST_PROXY: 'false', LOG_REQUESTS: '0' }, configDir });
    const on = loadConfig({ env: { TRUST_PROXY: 'yes', LOG_REQUESTS: 'TRUE' }, configDir });

    expect(off.server.trustProxy).toBe(false);
    expect(off.log.requests).toBe(false);
    expect(on.server.trustProxy).toBe(true);
    expect(on.log.requests).toBe(true);
    expect(problemsOf(() => loadConfig({ env: { TRUST_PROXY: 'maybe' }, configDir }))[0]).toMatch(
      /^TRUST_PROXY \(server\.trustProxy\):/,
    );
  });

  it('should parse comma-separated lists', () => {
    const sut = loadConfig({
      env: { CORS_ORIGINS: 'https://a.example, https://b.example' },
      configDir,
    });

    expect(sut.server.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
  });

  it('should report a CRYOPROTECT_CONFIG file that does not exist', () => {
    const missing = join(configDir, 'nope.yaml');

    const problems = problemsOf(() =>
      loadConfig({ env: { CRYOPROTECT_CONFIG: missing }, configDir }),
    );

    expect(problems).toEqual([`CRYOPROTECT_CONFIG: file not found: ${missing}`]);
  });

  it('should report a file that is not a YAML mapping', () => {
    writeFileSync(join(configDir, 'default.yaml'), '- just\n- a list\n');

    const problems = problemsOf(() => loadConfig({ env: {}, configDir }));

    expect(problems[0]).toMatch(/must contain a YAML mapping/);
  });

  it('should return a frozen configuration', () => {
    const sut = loadConfig({ env: {}, configDir });

    expect(Object.isFrozen(sut)).toBe(true);
    expect(Object.isFrozen(sut.server)).toBe(true);
  });

  it('should apply overrides above the environment', () => {
    const sut = loadConfig({
      env: { PORT: '4000' },
      configDir,
      overrides: { server: { port: 0 } },
    });

    expect(sut.server.port).toBe(0);
  });

  it('should default backup compression to brotli 2, and gzip to 6 when only the algorithm is given', () => {
    expect(loadConfig({ env: {}, configDir }).backup.compression).toEqual({
      algorithm: 'brotli',
      level: 2,
    });
    const gzip = loadConfig({
      env: {},
      configDir,
      overrides: { backup: { compression: { algorithm: 'gzip' } } },
    });
    expect(gzip.backup.compression).toEqual({ algorithm: 'gzip', level: 6 });
  });

  it('should refuse a gzip level above 9 naming the setting', () => {
    const problems = problemsOf(() =>
      loadConfig({
        env: {},
        configDir,
        overrides: { backup: { compression: { algorithm: 'gzip', level: 11 } } },
      }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/backup\.compression\.level.*gzip levels are 0–9/),
    ]);
  });
});
