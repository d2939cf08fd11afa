import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface LocalService {
  port: number;
  endpoint: string;
  stop(): Promise<void>;
}

async function startProcess(
  args: string[],
  port: number,
  endpoint: string,
  dir: string,
): Promise<LocalService> {
  const child: ChildProcess = spawn(process.execPath, args, { cwd: root, stdio: 'ignore' });
  await waitForPort(port);
  return {
    port,
    endpoint,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** s3rver on a free port with the given bucket (credentials S3RVER / S3RVER). */
export async function startS3rver(bucket: string): Promise<LocalService> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'backup-s3-'));
  return startProcess(
    [
      join(root, 'node_modules/s3rver/bin/s3rver.js'),
      '-d',
      dir,
      '-a',
      '127.0.0.1',
      '-p',
      String(port),
      '--configure-bucket',
      bucket,
      '--silent',
    ],
    port,
    `http://127.0.0.1:${port}`,
    dir,
  );
}

/** Azurite's blob service on a free port. */
export async function startAzurite(): Promise<LocalService & { connectionString: string }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'backup-az-'));
  const service = await startProcess(
    [
      join(root, 'node_modules/azurite/dist/src/blob/main.js'),
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      String(port),
      '--location',
      dir,
      '--skipApiVersionCheck',
      '--loose',
      '--disableTelemetry',
    ],
    port,
    `http://127.0.0.1:${port}/devstoreaccount1`,
    dir,
  );
  return { ...service, connectionString: azuriteConnectionString(port) };
}

/** Azurite's well-known development account (published in Azurite's documentation; not a secret). */
export function azuriteConnectionString(port: number, accountKey = AZURITE_DEV_KEY): string {
  return `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${accountKey};BlobEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`;
}

const AZURITE_DEV_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
