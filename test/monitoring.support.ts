import { ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';

export const ROOT = join(__dirname, '..');
export const MONITORING = join(ROOT, 'monitoring');

const run = promisify(execFile);

/** Resolves a binary on PATH, or undefined. */
export function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The binaries of the Debian prometheus / prometheus-alertmanager / prometheus-node-exporter
 * packages. Outside CI a missing binary skips its tests with a printed reason; in CI it fails.
 */
export function requireBinaries(...names: string[]): boolean {
  const missing = names.filter((name) => !which(name));
  if (missing.length === 0) return true;
  if (process.env.CI === 'true')
    throw new Error(
      `CI requires ${missing.join(', ')} (apt-get install prometheus prometheus-alertmanager prometheus-node-exporter)`,
    );
  process.stdout.write(`skipping: ${missing.join(', ')} not installed\n`);
  return false;
}

export async function exec(
  file: string,
  args: string[],
  cwd = ROOT,
): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(file, args, { cwd });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failure.code === 'number' ? failure.code : 1,
      output: `${failure.stdout ?? ''}${failure.stderr ?? ''}`,
    };
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A long-running server process, stopped (SIGTERM, then SIGKILL) by stop(). */
export class ServerProcess {
  private output = '';
  private readonly child: ChildProcess;

  constructor(file: string, args: string[]) {
    this.child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
  }

  get log(): string {
    return this.output;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Polls check until it returns a value (not undefined) or the time is up. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  process?: ServerProcess,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `timed out waiting for ${what}${lastError ? ` (${String(lastError)})` : ''}${process ? `\n${process.log}` : ''}`,
  );
}

export function readYaml<T = unknown>(path: string): T {
  return parse(readFileSync(path, 'utf8')) as T;
}

export function filesIn(dir: string, suffix: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(suffix))
    .sort()
    .map((name) => join(dir, name));
}

/** The queryable series names of an exposition text, from its `# TYPE name kind` lines. */
export function exposedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const line of exposition.split('\n')) {
    const match = /^# TYPE (\S+) (\S+)/.exec(line);
    if (!match) continue;
    // A histogram or summary has no series under its bare name: only its suffixed series can be queried.
    if (match[2] === 'histogram')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(match[1] + suffix);
    else if (match[2] === 'summary')
      for (const suffix of ['_sum', '_count']) names.add(match[1] + suffix);
    else names.add(match[1]);
  }
  return names;
}

/** Metric names a PromQL expression reads (recording-rule names, which contain ':', excluded). */
export function namesInExpression(expr: string): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const found =
    withoutStrings.match(/(?<![\w:])(?:(?:cryoprotect|node|process|nodejs)_\w+|up)(?![\w:])/g) ??
    [];
  return [...new Set(found)];
}

/** Recording-rule names (level:metric:operation) a PromQL expression reads. */
export function recordedNamesInExpression(expr: string): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...new Set(withoutStrings.match(/\b[a-zA-Z_]\w*:[\w:]+/g) ?? [])];
}
