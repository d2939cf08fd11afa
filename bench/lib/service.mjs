// The service as the observability benches run it: a server process of dist/src/main.js on a free
// loopback port, on its embedded defaults, with observability switched by environment.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { callgrindArgs } from './callgrind.mjs';

// Node 20's global fetch (the lint config lists no browser globals).
const { fetch } = globalThis;
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ADMIN = { email: 'bench-admin@example.org', password: 'bench-password-0123456789' };

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the service (node dist/src/main.js, embedded PGlite) with observability on or off (and the
 * log file), signs the bench's admin in and resolves { name, url, token, pid, env, stop }; with
 * `callgrind`, under valgrind's callgrind with counting off (see callgrind.mjs), which takes minutes
 * to boot. `nodeArgs` and `env` are added to node's arguments and the service's environment.
 */
export async function startService(
  name,
  observability,
  file,
  callgrind,
  { nodeArgs = [], env: extraEnv = {} } = {},
) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), `cryoprotect-bench-${name}-`));
  const env = {
    PATH: process.env.PATH,
    NODE_ENV: 'development',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    RATE_LIMIT: '100000000',
    // The 33 reference molecules, so the list scenario reads real rows.
    SEED_ON_FIRST_START: 'true',
    AUTH_JWT_SECRET: 'bench-only-jwt-secret-0123456789abcdef0123456789',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    METRICS_ENABLED: String(observability),
    LOG_REQUESTS: String(observability),
    ...(file ? { LOG_DIR: join(dataDir, 'logs') } : {}),
    ...extraEnv,
  };
  // stdout goes to /dev/null: the ECS lines are still serialised and written, as in a container.
  const main = [process.execPath, ...nodeArgs, join(root, 'dist', 'src', 'main.js')];
  const [command, ...args] = callgrind ? ['valgrind', ...callgrindArgs(callgrind), ...main] : main;
  // valgrind writes its banner and notes on stderr.
  const child = spawn(command, args, {
    env,
    stdio: ['ignore', 'ignore', callgrind ? 'ignore' : 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (callgrind ? 30 * 60_000 : 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} service exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health/live`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} service did not start`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  let token;
  const login = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  if (login.ok) token = (await login.json()).accessToken;
  return {
    name,
    url,
    token,
    pid: child.pid,
    env,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
