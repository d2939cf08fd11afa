import { execFile, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import http from 'node:http';

/**
 * Instructions a server executes per request, counted by valgrind's callgrind (Debian package
 * `valgrind`). Unlike requests/s or CPU time, an instruction count does not move with what else
 * runs on the machine, so two configurations compare exactly (it does not see cache misses or
 * how fast each instruction is; that is what the timed measurements are for).
 *
 * The server runs under callgrind with counting off; `instructionsPerRequest` switches it on
 * around a fixed number of requests sent from this process (outside valgrind) and reads the counts
 * back from the dump, per thread: the main thread's count is the work that bounds a Node server's
 * throughput; the other threads (V8's background compiler and garbage-collector helpers, libuv's
 * pool) run beside it on another core.
 */
export function hasCallgrind() {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Arguments that put a command under callgrind, counting off until `measure` turns it on. */
export function callgrindArgs(outPrefix) {
  return [
    '--tool=callgrind',
    '--instr-atstart=no',
    '--separate-threads=yes',
    `--callgrind-out-file=${outPrefix}.%p`,
  ];
}

/**
 * Sends `count` GET requests over `connections` keep-alive connections and waits for every answer;
 * rejects when one is not 2xx.
 */
export async function sendRequests({ url, headers = {}, count, connections }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(url);
  let left = count;
  const one = () =>
    new Promise((resolve, reject) => {
      const request = http.get(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          agent,
          headers,
        },
        (response) => {
          response.resume();
          response.on('end', () =>
            response.statusCode >= 200 && response.statusCode < 300
              ? resolve()
              : reject(new Error(`${url}: ${response.statusCode}`)),
          );
        },
      );
      request.on('error', reject);
    });
  const worker = async () => {
    while (left > 0) {
      left--;
      await one();
    }
  };
  try {
    await Promise.all(Array.from({ length: connections }, worker));
  } finally {
    agent.destroy();
  }
}

/** callgrind_control must see the server's USER/LOGNAME/HOST: they name valgrind's control pipes. */
function control(pid, env, ...args) {
  return new Promise((resolve, reject) =>
    execFile('callgrind_control', [...args, String(pid)], { env }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    ),
  );
}

/** Processes whose first (empty) counting window has been taken. */
const primed = new Set();

/**
 * Instructions per request of `requests` requests, in the main thread and in all threads: counting
 * is zeroed and switched on, the requests sent, counting switched off and the counts dumped.
 */
export async function instructionsPerRequest({ pid, env, outPrefix, load, requests }) {
  // The first time counting is switched on in a process it counts nothing (seen with valgrind
  // 3.19): a short window is taken and thrown away first.
  if (!primed.has(pid)) {
    primed.add(pid);
    await instructionsPerRequest({ pid, env, outPrefix, load, requests: Math.min(requests, 100) });
  }
  await control(pid, env, '--zero');
  await control(pid, env, '--instr=on');
  await load(requests);
  await control(pid, env, '--instr=off');
  await control(pid, env, '--dump=measured');
  // One file per thread of the dump ('-01' is the main thread), named after the pid and the dump's
  // number; files already read were deleted, so every one found now belongs to this dump. They
  // may appear a moment after callgrind_control returns.
  const stem = `${basename(outPrefix)}.${pid}`;
  const dir = dirname(outPrefix);
  const dumped = () =>
    readdirSync(dir).filter((file) => file.startsWith(stem) && /-\d+$/.test(file));
  for (let waited = 0; dumped().length === 0 && waited < 10_000; waited += 50)
    await new Promise((resolve) => setTimeout(resolve, 50));
  let main = 0;
  let all = 0;
  const files = dumped();
  if (files.length === 0) throw new Error(`callgrind wrote no dump for ${pid} in ${dir}`);
  for (const name of files) {
    const file = join(dir, name);
    const totals = /^totals:\s+(\d+)/m.exec(readFileSync(file, 'utf8'));
    rmSync(file, { force: true });
    const count = totals ? Number(totals[1]) : 0;
    all += count;
    if (name.endsWith('-01')) main += count;
  }
  return { main: main / requests, all: all / requests };
}
