// Preloaded (node --require) into a server by bench/lib/flips.mjs and observability-toggle.mjs, never
// by the service: while the toggle is off, the part of observability named by OBSERVER_TOGGLE_PART is
// skipped, and SIGUSR2 flips the toggle. One process then serves with and without that part in turn,
// with the same JIT state, heap and core placement: process-to-process differences drop out of the
// comparison.
// Parts: all (the request hooks' observers, see below, and the query durations' observer),
// metrics (the HTTP metrics' observers and the query durations'), logging (the request line's
// observer), write (the request line's write: built and added), batch (LineBatch.add: the line is
// built but not copied or written), deliver (the worker's formatted lines handed to the
// transports), defaults (prom-client's default metrics that work between scrapes: the event-loop
// delay histogram and the garbage-collection observer), querytiming (the timing wrapped around
// each embedded-database query), none (nothing: the tool's null).
// OBSERVER_TOGGLE_START=off starts with the part switched off. OBSERVER_TOGGLE_SETTLE_MS: with flips,
// the first that many milliseconds of each phase are not counted.
//
// With OBSERVER_TOGGLE_FLIP_MS the server flips the toggle itself every that many milliseconds and
// keeps, per phase, whether the part was on, the requests answered, the wall time, the process's
// CPU time and the main thread's own; SIGUSR1 writes the phases kept since the last SIGUSR1 to
// OBSERVER_TOGGLE_LOG (JSON) and starts a new list. Adjacent phases a fraction of a second apart
// share the host's state (a slow moment of this VM lasts seconds), so their ratio is the part's cost
// with the host's noise cancelled (bench/lib/flips.mjs).
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { isMainThread } = require('node:worker_threads');

const dist = join(__dirname, '..', '..', 'dist', 'src');
const part = process.env.OBSERVER_TOGGLE_PART || 'all';
// OBSERVER_TOGGLE_START=off: the part starts switched off (a server held in the flips' off phase).
let on = process.env.OBSERVER_TOGGLE_START !== 'off';
/** Told after each switch (parts that switch something themselves). */
const switched = [];
const flip = () => {
  on = !on;
  for (const listener of switched) listener();
};
process.on('SIGUSR2', flip);
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
// Part `all`: the server's one onRequest and one onSend hook (installRequestHooks) are wrapped, and
// while off they do what they do with no observer at all (note the arrival, set up and answer the
// request): every observer and the route, status and duration read for them are skipped, as in a
// server with metrics and request logging off. The other parts skip their observers (gated).
const wholeHooks = part === 'all';
if (wholeHooks) {
  const { markArrival } = require(join(dist, 'common', 'request-timing.js'));
  const install = hooks.installRequestHooks;
  hooks.installRequestHooks = (fastify, onArrival, onAnswer) => {
    const addHook = fastify.addHook;
    fastify.addHook = function (name, hook) {
      if (name === 'onRequest')
        return addHook.call(this, name, function (request, reply, done) {
          if (on) return hook(request, reply, done);
          markArrival(request);
          onArrival(request, done);
        });
      if (name === 'onSend')
        return addHook.call(this, name, function (request, reply, payload, done) {
          answered++;
          if (on) return hook(request, reply, payload, done);
          onAnswer(request, reply);
          done(null, payload);
        });
      return addHook.call(this, name, hook);
    };
    try {
      return install(fastify, onArrival, onAnswer);
    } finally {
      fastify.addHook = addHook;
    }
  };
}
let counting = wholeHooks;
hooks.observeAnsweredRequests = (fastify, observer) => {
  if (flipMs > 0 && !counting) {
    // Counts every answered request, in both phases alike.
    counting = true;
    observeAnsweredRequests(fastify, () => {
      answered++;
    });
  }
  const selected =
    (part === 'metrics' && isMetrics(observer)) || (part === 'logging' && !isMetrics(observer));
  observeAnsweredRequests(fastify, selected ? gated(observer) : observer);
};
hooks.observeArrivals = (fastify, observer) =>
  observeArrivals(fastify, part === 'metrics' ? gated(observer) : observer);
// The database query durations' histogram update (the timing around each query stays in both).
if (part === 'all' || part === 'metrics') {
  const queries = require(join(dist, 'metrics', 'query-instrumentation.js'));
  for (const name of ['instrumentPool', 'instrumentPglite']) {
    const instrument = queries[name];
    queries[name] = (target, observe) => instrument(target, gated(observe));
  }
}

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
  // The worker's formatted lines.
  const addBytes = LineBatch.prototype.addBytes;
  LineBatch.prototype.addBytes = function (bytes) {
    if (on) addBytes.call(this, bytes);
  };
}

if (part === 'defaults') {
  // prom-client's default metrics that work between scrapes: the event-loop delay histogram and
  // the garbage-collection observer, disabled and disconnected while off.
  const perfHooks = require('node:perf_hooks');
  const histograms = [];
  const observers = [];
  const monitor = perfHooks.monitorEventLoopDelay;
  perfHooks.monitorEventLoopDelay = (...args) => {
    const histogram = monitor(...args);
    histograms.push(histogram);
    return histogram;
  };
  const Observer = perfHooks.PerformanceObserver;
  perfHooks.PerformanceObserver = class extends Observer {
    observe(options) {
      observers.push([this, options]);
      return super.observe(options);
    }
  };
  switched.push(() => {
    for (const histogram of histograms) {
      if (on) histogram.enable();
      else histogram.disable();
    }
    for (const [observer, options] of observers) {
      if (on) Observer.prototype.observe.call(observer, options);
      else observer.disconnect();
    }
  });
}

if (part === 'querytiming') {
  // The timing around each query itself (embedded PGlite): while off, the instance's query, exec
  // and transaction are its own again, as in a server with metrics off.
  const queries = require(join(dist, 'metrics', 'query-instrumentation.js'));
  const instrument = queries.instrumentPglite;
  queries.instrumentPglite = (target, observe) => {
    const names = ['query', 'exec', 'transaction'];
    const own = names.map((name) => Object.getOwnPropertyDescriptor(target, name));
    instrument(target, observe);
    const wrapped = names.map((name) => target[name]);
    switched.push(() => {
      names.forEach((name, i) => {
        if (on) target[name] = wrapped[i];
        else if (own[i]) Object.defineProperty(target, name, own[i]);
        else delete target[name];
      });
    });
  };
}

if (part === 'deliver') {
  // The worker's lines are received but not handed to the transports while off.
  const { RequestLineOffload } = require(join(dist, 'logging', 'request-line.offload.js'));
  const received = RequestLineOffload.prototype.received;
  RequestLineOffload.prototype.received = function (formatted) {
    return received.call(this, on ? formatted : { seq: formatted.seq, chunks: [] });
  };
}

// The main thread's own time on a CPU, in ns (its schedstat: the first field).
const schedstat = `/proc/self/task/${process.pid}/schedstat`;
const mainThreadNs = () => Number(readFileSync(schedstat, 'utf8').split(' ')[0]);
const sample = () => ({
  at: process.hrtime.bigint(),
  cpu: process.cpuUsage(),
  main: mainThreadNs(),
  answered,
});

if (flipMs > 0 && isMainThread) {
  let phases = [];
  let start = sample();
  const endPhase = () => {
    const now = sample();
    const cpu = process.cpuUsage(start.cpu);
    phases.push({
      on,
      requests: now.answered - start.answered,
      seconds: Number(now.at - start.at) / 1e9,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      mainThreadSeconds: (now.main - start.main) / 1e9,
    });
    start = now;
  };
  // OBSERVER_TOGGLE_SETTLE_MS: the first that many milliseconds after each flip are not counted
  // (what the phase before leaves behind: the worker's last batches, garbage), as in the swaps.
  const settleMs = Number(process.env.OBSERVER_TOGGLE_SETTLE_MS || 0);
  setInterval(() => {
    endPhase();
    flip();
    if (settleMs > 0)
      setTimeout(() => {
        start = sample();
      }, settleMs).unref();
  }, flipMs).unref();
  process.on('SIGUSR1', () => {
    endPhase();
    writeFileSync(process.env.OBSERVER_TOGGLE_LOG, JSON.stringify(phases));
    phases = [];
  });
}

// With OBSERVER_TOGGLE_MARKS=1 (and no flips) the server notes, at every SIGURG, [monotonic clock in
// ns, requests answered so far, process CPU seconds, main-thread CPU seconds]; SIGUSR1 writes the
// marks noted since the last SIGUSR1 to OBSERVER_TOGGLE_LOG and starts a new list. A controller that
// loads several servers in turn (bench/lib/swaps.mjs) marks them when it moves the load, and cuts
// each server's marks at those moments: the clock is the one every process on the host reads
// (CLOCK_MONOTONIC). Marks on demand, not on a timer: an idle server is not woken.
if (process.env.OBSERVER_TOGGLE_MARKS === '1' && flipMs === 0 && isMainThread) {
  let marks = [];
  const mark = () => {
    const { at, cpu, main } = sample();
    marks.push([Number(at), answered, (cpu.user + cpu.system) / 1e6, main / 1e9]);
  };
  process.on('SIGURG', mark);
  process.on('SIGUSR1', () => {
    writeFileSync(process.env.OBSERVER_TOGGLE_LOG, JSON.stringify(marks));
    marks = [];
  });
}
