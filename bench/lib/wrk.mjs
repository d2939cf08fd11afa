import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** CPU seconds a process has used so far, all its threads (user + system), from /proc. */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
}

/**
 * Loads a URL with wrk (Debian package `wrk`) and resolves its requests per second. One client
 * thread: on a 2-core machine wrk's C event loop leaves the other core to the server, where a Node
 * load generator (autocannon) needs about a core of its own and caps what the server can show.
 * Rejects when any answer is not 2xx or a socket fails.
 *
 * With `pid` (the server's process), also resolves `cpuMicrosPerRequest`: the CPU time the server
 * spent per request answered during the run. A single-threaded server's throughput at saturation
 * is one over that; it moves less than requests/s when other processes take turns on the
 * machine's cores (not nothing: sharing caches and cores slows every instruction).
 */
export async function wrk({ url, headers = {}, connections, seconds, pid }) {
  const args = wrkArgs({ url, headers, connections, seconds });
  const cpuBefore = pid === undefined ? 0 : cpuSeconds(pid);
  const stdout = await new Promise((resolve, reject) => {
    execFile('wrk', args, (error, out) => {
      if (error) reject(wrkError(error));
      else resolve(out);
    });
  });
  const cpu = pid === undefined ? 0 : cpuSeconds(pid) - cpuBefore;
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
  const requests = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? 0);
  const failure = wrkFailures(stdout);
  if (!rps || failure || requests === 0)
    throw new Error(`${url}: ${failure ?? 'no answers'}\n${stdout}`);
  if (pid === undefined) return Number(rps[1]);
  return { rps: Number(rps[1]), cpuMicrosPerRequest: (cpu * 1e6) / requests };
}

/** wrk's arguments: one thread, `connections` connections, `seconds`, the headers, the URL. */
export function wrkArgs({ url, headers = {}, connections, seconds }) {
  // A generous timeout: a slow route under full load is measured, not counted as a failed socket.
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '30s'];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  args.push(url);
  return args;
}

/** What wrk's report says went wrong (answers that are not 2xx, failed sockets), or undefined. */
export function wrkFailures(stdout) {
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    stdout,
  );
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return non2xx > 0 || socketErrors > 0
    ? `${non2xx} non-2xx, ${socketErrors} socket errors`
    : undefined;
}

/** A failure to run wrk, told plainly when wrk is missing. */
export function wrkError(error) {
  return error.code === 'ENOENT' ? new Error('wrk is not installed: apt-get install wrk') : error;
}
