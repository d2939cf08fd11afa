// Preloaded (node --require) into a server by bench/observability-toggle.mjs, never by the service:
// while the toggle is off, the part of observability named by OBSERVER_TOGGLE_PART is skipped, and
// SIGUSR2 flips the toggle. One process then serves with and without that part in turn, with the
// same JIT state, heap and core placement: process-to-process differences drop out of the comparison.
// Parts: all (every answered-request and arrival observer), metrics (the HTTP metrics' observers),
// logging (the request line's observer), write (the request line's write: built and added), batch
// (LineBatch.add: the line is built but not encoded or written).
const { join } = require('node:path');

const dist = join(__dirname, '..', '..', 'dist', 'src');
const part = process.env.OBSERVER_TOGGLE_PART || 'all';
let on = true;
process.on('SIGUSR2', () => {
  on = !on;
});

const hooks = require(join(dist, 'common', 'answered-requests.js'));
const { observeAnsweredRequests, observeArrivals } = hooks;
// The HTTP metrics' observers are the ones that touch the series or the slot table.
const isMetrics = (observer) => /series|release/.test(observer.toString());
const gated = (observer) =>
  function (...args) {
    if (on) observer(...args);
  };
hooks.observeAnsweredRequests = (fastify, observer) => {
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
