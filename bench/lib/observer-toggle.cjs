// Preloaded (node --require) into a server by bench/observability-toggle.mjs, never by the service:
// while the toggle is off, the part of observability named by OBSERVER_TOGGLE_PART is skipped, and
// SIGUSR2 flips the toggle. One process then serves with and without that part in turn, with the
// same JIT state, heap and core placement: process-to-process differences drop out of the comparison.
// Parts: all (every answered-request and arrival observer), metrics (the HTTP metrics' observers),
// logging (the request line's observer), write (the request line's write: built and added), batch
// (LineBatch.add: the line is built but not encoded or written), none (nothing: the tool's null).
//
// With OBSERVER_TOGGLE_FLIP_MS the server flips the toggle itself every that many milliseconds and
// keeps, per phase, whether the part was on, the requests answered, the wall time and the process's
// CPU time; SIGUSR1 writes the phases kept since the last SIGUSR1 to OBSERVER_TOGGLE_LOG (JSON) and
// starts a new list. Adjacent phases a fraction of a second apart share the host's state (a slow
// moment of this VM lasts seconds), so their ratio is the part's cost with the host's noise cancelled.
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { isMainThread } = require('node:worker_threads');

const dist = join(__dirname, '..', '..', 'dist', 'src');
const part = process.env.OBSERVER_TOGGLE_PART || 'all';
let on = true;
process.on('SIGUSR2', () => {
  on = !on;
});
const flipMs = Number(process.env.OBSERVER_TOGGLE_FLIP_MS || 0);
let answered = 0;

const hooks = require(join(dist, 'common', 'answered-requests.js'));
const { observeAnsweredRequests, observeArrivals } = hooks;
// The HTTP metrics' observers are the ones that touch the series or the slot table.
const isMetrics = (observer) => /series|release/.test(observer.toString());
const gated = (observer) =>
  function (...args) {
    if (on) observer(...args);
  };
let counting = false;
hooks.observeAnsweredRequests = (fastify, observer) => {
  if (flipMs > 0 && !counting) {
    // Counts every answered request, in both phases alike.
    counting = true;
    observeAnsweredRequests(fastify, () => {
      answered++;
    });
  }
  const selected =
    part === 'all' ||
    (part === 'metrics' && isMetrics(observer)) ||
    (part === 'logging' && !isMetrics(observer));
  observeAnsweredRequests(fastify, selected ? gated(observer) : observer);
};
hooks.observeArrivals = (fastify, observer) =>
  observeArrivals(fastify, part === 'all' || part === 'metrics' ? gated(observer) : observer);

if (part === 'write') {
  const { RequestLineWriter } = require(join(dist, 'logging', 'request-line.writer.js'));
  const write = RequestLineWriter.prototype.write;
  RequestLineWriter.prototype.write = function (...args) {
    return on ? write.apply(this, args) : true;
  };
}
if (part === 'batch') {
  const { LineBatch } = require(join(dist, 'logging', 'line-batch.js'));
  const add = LineBatch.prototype.add;
  LineBatch.prototype.add = function (line, ascii) {
    return on ? add.call(this, line, ascii) : line.length + 1;
  };
}

if (flipMs > 0 && isMainThread) {
  let phases = [];
  let start = { at: process.hrtime.bigint(), cpu: process.cpuUsage(), answered: 0 };
  const endPhase = () => {
    const now = { at: process.hrtime.bigint(), cpu: process.cpuUsage(), answered };
    const cpu = process.cpuUsage(start.cpu);
    phases.push({
      on,
      requests: now.answered - start.answered,
      seconds: Number(now.at - start.at) / 1e9,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
    });
    start = now;
  };
  setInterval(() => {
    endPhase();
    on = !on;
  }, flipMs).unref();
  process.on('SIGUSR1', () => {
    endPhase();
    writeFileSync(process.env.OBSERVER_TOGGLE_LOG, JSON.stringify(phases));
    phases = [];
  });
}
