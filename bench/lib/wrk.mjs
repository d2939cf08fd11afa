import { execFile } from 'node:child_process';

/**
 * Loads a URL with wrk (Debian package `wrk`) and resolves its requests per second. One client
 * thread: on a 2-core machine wrk's C event loop leaves the other core to the server, where a Node
 * load generator (autocannon) needs about a core of its own and caps what the server can show.
 * Rejects when any answer is not 2xx or a socket fails.
 */
export function wrk({ url, headers = {}, connections, seconds }) {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  args.push(url);
  return new Promise((resolve, reject) => {
    execFile('wrk', args, (error, stdout) => {
      if (error) {
        reject(
          error.code === 'ENOENT' ? new Error('wrk is not installed: apt-get install wrk') : error,
        );
        return;
      }
      const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
      const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
      const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
        stdout,
      );
      const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
      if (!rps || non2xx > 0 || socketErrors > 0)
        reject(new Error(`${url}: ${non2xx} non-2xx, ${socketErrors} socket errors\n${stdout}`));
      else resolve(Number(rps[1]));
    });
  });
}
