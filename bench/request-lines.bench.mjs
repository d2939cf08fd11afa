// The request lines' formatting, as a batch is formatted (formatBatch on a packed batch of
// 5 ms of lines): lines written as bytes from their repeating pieces (RequestLineFormatter.encodeInto,
// the service's path) against the same lines built as strings and encoded (format + the line's
// encoding, the path a line that needs escaping or masking takes, and every line's path before),
// alternating in one process. Two batch shapes: a probe's (/health/live, no user) and a signed-in
// caller's (/api/v1/auth/me with a user id). Nanoseconds per line, best of TRIALS trials each; the
// ratio is string path / byte path. The output is checked to be the same bytes both ways.
import { randomUUID } from 'node:crypto';
import { writeResults } from './lib/results.mjs';

const dist = new URL('../dist/src/logging/', import.meta.url);
const { ABSENT, formatBatch, LINE_SLOTS, RequestLineFormatter, SAME, Slot } = await import(
  new URL('request-line.format.js', dist)
);

const TAIL = ',"ecs.version":"8.10.0","service.name":"cryoprotect","service.version":"2.0.0"}';
const LINES = 64; // about 5 ms of a small route's lines under load
const BATCHES = 400;
const TRIALS = Number(process.env.BENCH_TRIALS ?? 15);

/** A packed batch as the offload makes it: full values in the first line, SAME after. */
function batch(shape) {
  const numbers = new Float64Array(LINES * LINE_SLOTS);
  let text = '';
  const now = Date.now();
  for (let i = 0; i < LINES; i++) {
    const at = i * LINE_SLOTS;
    const put = (slot, value) => {
      if (value === undefined) numbers[at + slot] = ABSENT;
      else if (i > 0 && slot !== Slot.id) numbers[at + slot] = SAME;
      else {
        text += value;
        numbers[at + slot] = value.length;
      }
    };
    put(Slot.method, 'GET');
    put(Slot.url, shape.url);
    put(Slot.id, randomUUID());
    put(Slot.ip, '127.0.0.1');
    put(Slot.userAgent, 'wrk/4.2.0');
    put(Slot.userId, shape.userId);
    put(Slot.route, shape.url);
    numbers[at + Slot.status] = 200;
    numbers[at + Slot.millis] = 0.2 + (i % 17) / 10;
    numbers[at + Slot.answeredAt] = now + i;
    numbers[at + Slot.mask] = 1;
  }
  return { seq: 1, count: LINES, text, numbers };
}

function time(run, batches) {
  const started = process.hrtime.bigint();
  let bytes = 0;
  for (const packed of batches) for (const chunk of run(packed)) bytes += chunk.bytes.length;
  return { ns: Number(process.hrtime.bigint() - started) / (batches.length * LINES), bytes };
}

const shapes = [
  { scenario: 'GET /health/live (no user)', url: '/health/live', userId: undefined },
  { scenario: 'GET /api/v1/auth/me (signed in)', url: '/api/v1/auth/me', userId: randomUUID() },
];
const results = [];
for (const shape of shapes) {
  const batches = Array.from({ length: BATCHES }, () => batch(shape));
  const bytesFormatter = new RequestLineFormatter(TAIL);
  const stringFormatter = new RequestLineFormatter(TAIL);
  // The string path: formatBatch's own unpacking with the byte path switched off (every line
  // formatted as a string, then encoded).
  stringFormatter.encodeInto = () => false;
  const asBytes = (packed) => formatBatch(bytesFormatter, packed);
  const asStrings = (packed) => formatBatch(stringFormatter, packed);
  // The same bytes both ways.
  const same = batches
    .slice(0, 5)
    .every(
      (packed) =>
        Buffer.concat(asBytes(packed).map((c) => c.bytes)).toString() ===
        Buffer.concat(asStrings(packed).map((c) => c.bytes)).toString(),
    );
  if (!same) throw new Error(`${shape.scenario}: the two paths wrote different lines`);
  let best = { bytes: Infinity, strings: Infinity };
  let lineBytes = 0;
  for (let trial = 0; trial < TRIALS + 2; trial++) {
    const b = time(asBytes, batches);
    const s = time(asStrings, batches);
    lineBytes = b.bytes / (batches.length * LINES);
    // The first two trials warm the JIT.
    if (trial < 2) continue;
    best = { bytes: Math.min(best.bytes, b.ns), strings: Math.min(best.strings, s.ns) };
  }
  results.push({
    scenario: shape.scenario,
    bytesPerLine: Math.round(lineBytes),
    nsPerLine: { bytes: best.bytes, strings: best.strings },
    ratio: best.strings / best.bytes,
  });
  console.log(
    `${shape.scenario}: ${best.bytes.toFixed(0)} ns per line as bytes, ${best.strings.toFixed(0)} as strings (${(best.strings / best.bytes).toFixed(2)}×)`,
  );
}

writeResults(
  'request-lines',
  { lines: LINES, batches: BATCHES, trials: TRIALS, results },
  [
    '# Request-line formatting (a batch of lines)',
    '',
    `formatBatch on packed batches of ${LINES} lines (${BATCHES} batches per trial, best of ${TRIALS} trials, alternating,`,
    'one process): lines written as bytes from their repeating pieces (the service) against the same lines built as',
    'strings and encoded (the path of a line that needs escaping or masking). Both paths wrote the same bytes.',
    '',
    '| batch | bytes per line | as bytes, ns/line | as strings, ns/line | strings / bytes |',
    '|---|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.scenario} | ${r.bytesPerLine} | ${r.nsPerLine.bytes.toFixed(0)} | ${r.nsPerLine.strings.toFixed(0)} | ${r.ratio.toFixed(2)}× |`,
    ),
  ].join('\n'),
);
