import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readMigrations } from '../src/database/migrator';
import { freePort } from './support/ports';

const ROOT = join(__dirname, '..');
const MAIN = join(ROOT, 'dist', 'src', 'main.js');
const CLI = join(ROOT, 'dist', 'src', 'cli.js');

/** Only what the service needs: no DATABASE_URL or REDIS_URL leaks in from the shell running the tests. */
function serviceEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'error',
    SEED_ON_FIRST_START: 'false',
    ...extra,
  };
}

interface Running {
  child: ChildProcess;
  stderr: () => string;
  exit: Promise<number | null>;
}

function start(env: NodeJS.ProcessEnv): Running {
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (data: Buffer) => (stderr += data.toString()));
  child.stdout!.resume();
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exit };
}

async function waitForReady(url: string, timeoutMs: number, service: Running): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (service.child.exitCode !== null) {
      throw new Error(`service exited with ${service.child.exitCode}: ${service.stderr()}`);
    }
    const status = await fetch(`${url}/health/ready`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return Date.now() - started;
    await sleep(100);
  }
  throw new Error(`not ready within ${timeoutMs} ms; stderr: ${service.stderr()}`);
}

/** Sends the request line, headers and part of the body now; the rest when `finish` is called. */
function slowRequest(port: number, path: string, body: string) {
  const socket: Socket = connect(port, '127.0.0.1');
  let response = '';
  socket.on('data', (data) => (response += data.toString()));
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(response)));
  const head =
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
  const half = Math.floor(body.length / 2);
  socket.write(head + body.slice(0, half));
  return {
    finish: () => socket.write(body.slice(half)),
    response: closed,
  };
}

describe('service process', () => {
  const dataDirs: string[] = [];
  const children: ChildProcess[] = [];

  function freshDataDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'cryoprotect-process-'));
    dataDirs.push(dir);
    return dir;
  }

  beforeAll(() => {
    if (!existsSync(MAIN))
      throw new Error(`${MAIN} is missing: run npm run build first (npm test does)`);
  });

  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('should become ready on a fresh data dir, drain in-flight requests after SIGTERM and exit 0', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const service = start(
      serviceEnv(freshDataDir(), { PORT: String(port), SHUTDOWN_GRACE_MS: '3000' }),
    );
    children.push(service.child);

    // Generous bound: a fresh data dir runs initdb and every migration, and CI machines are shared.
    await waitForReady(url, 120_000, service);

    const inFlight = slowRequest(
      port,
      '/api/v1/auth/login',
      JSON.stringify({ email: 'nobody@example.org', password: 'not-the-password-at-all' }),
    );
    await sleep(200);
    service.child.kill('SIGTERM');

    let drainingStatus = 0;
    for (let i = 0; i < 20 && drainingStatus !== 503; i++) {
      drainingStatus = await fetch(`${url}/health/ready`).then(
        (response) => response.status,
        () => -1,
      );
      if (drainingStatus !== 503) await sleep(25);
    }
    expect(drainingStatus).toBe(503);
    // Finish the body only after the listener has started closing: the request must still be served.
    await sleep(1_200);
    inFlight.finish();

    const raw = await inFlight.response;
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]);
    expect(status).toBe(401);
    expect(raw).toContain('application/problem+json');
    expect(await service.exit).toBe(0);
  }, 180_000);

  it('should exit non-zero naming PORT when PORT is not a number', async () => {
    const service = start(serviceEnv(freshDataDir(), { PORT: 'abc' }));
    children.push(service.child);

    const code = await service.exit;

    expect(code).not.toBe(0);
    expect(service.stderr()).toMatch(/PORT \(server\.port\)/);
  });

  describe('CLI', () => {
    function cli(args: string[], env: NodeJS.ProcessEnv) {
      return spawnSync(process.execPath, [CLI, ...args], {
        cwd: ROOT,
        env,
        encoding: 'utf8',
        timeout: 60_000,
      });
    }

    it('should apply every migration, print JSON and exit 0, then find nothing to do', () => {
      const env = serviceEnv(freshDataDir());

      const first = cli(['migrate', '--json'], env);
      const second = cli(['migrate', '--json'], env);

      expect(first.status).toBe(0);
      expect(JSON.parse(first.stdout)).toMatchObject({
        applied: readMigrations().map((migration) => migration.name),
        current: readMigrations().at(-1)?.name,
      });
      expect(JSON.parse(first.stdout).database).toMatch(/^pglite:/);
      expect(second.status).toBe(0);
      expect(JSON.parse(second.stdout).applied).toEqual([]);
    }, 180_000);

    it('should exit 2 with one message naming the variable when the configuration is bad', () => {
      const result = cli(['migrate'], serviceEnv(freshDataDir(), { DATABASE_URL: 'mysql://db/x' }));

      expect(result.status).toBe(2);
      expect(result.stderr).toContain('DATABASE_URL (database.url)');
    });

    it('should exit 2 for an unknown command', () => {
      const result = cli(['frobnicate'], serviceEnv(freshDataDir()));

      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/unknown command/i);
    });
  });
});
