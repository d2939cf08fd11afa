import { encodeLine, lineRoom } from './line-batch';
import { redactText, SECRET_TRIGGER_SOURCE } from './redaction';

/**
 * What a request line is made of, read off the answered request on the service's thread (so that
 * the line can be formatted on another: see request-line.offload.ts).
 */
export interface RequestLineFields {
  method: string;
  /** The URL as requested (the query string is cut off here). */
  url: string;
  id: string;
  ip: string;
  userAgent: string | undefined;
  userId: string | undefined;
  /** The route template (ours). */
  route: string;
  status: number;
  millis: number;
  /** When the request was answered (ms since the epoch): the line's `@timestamp`. */
  answeredAt: number;
}

/** Fields to fill in for each line (one object, refilled line after line). */
export const emptyFields = (): RequestLineFields => ({
  method: '',
  url: '',
  id: '',
  ip: '',
  userAgent: undefined,
  userId: undefined,
  route: '',
  status: 0,
  millis: 0,
  answeredAt: 0,
});

export const levelOf = (status: number): 'warn' | 'info' => (status >= 500 ? 'warn' : 'info');

/**
 * Milliseconds with one decimal, as `toFixed(1)` writes them but without its call into the runtime
 * (a tenth of a millisecond is rounded on the scaled value, so a duration that lies exactly on a
 * half may round the other way; both request-line paths use this one function).
 */
export function millisText(millis: number): string {
  const tenths = Math.round(millis * 10);
  if (!(tenths >= 0 && tenths <= Number.MAX_SAFE_INTEGER)) return millis.toFixed(1);
  const whole = Math.floor(tenths / 10);
  return `${whole}.${tenths - whole * 10}`;
}

/** An ASCII string's bytes. */
const asciiBytes = (value: string): Uint8Array => Buffer.from(value, 'latin1');

// The second the last line's time fell in, and its ISO text up to the milliseconds.
let secondAt = -1;
let secondPrefix = '';
let secondPrefixBytes: Uint8Array = new Uint8Array(0);
/** Whether `second`'s prefix ('YYYY-MM-DDTHH:MM:SS.') is the cached one; false outside years 0–9999. */
function cacheSecond(second: number): boolean {
  if (second === secondAt) return true;
  const iso = new Date(second * 1000).toISOString();
  // Years 0–9999 only ('YYYY-MM-DDTHH:MM:SS.000Z'); any other date is formatted whole.
  if (iso.length !== 24) return false;
  secondAt = second;
  secondPrefix = iso.slice(0, 20);
  secondPrefixBytes = asciiBytes(secondPrefix);
  return true;
}

/**
 * `new Date().toISOString()` without a Date per line: the part up to the seconds is formatted once
 * per second, the milliseconds are appended (V8 formats a date through printf, a few thousand
 * instructions each time).
 */
export function timestamp(now = Date.now()): string {
  const second = Math.floor(now / 1000);
  if (!cacheSecond(second)) return new Date(now).toISOString();
  const millis = now - second * 1000;
  return `${secondPrefix}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}

/**
 * timestamp(now), a whole number of milliseconds, written as bytes at `at` (`buffer` has 27 free:
 * the longest date); returns the offset after it.
 */
function putTimestamp(buffer: Uint8Array, at: number, now: number): number {
  const second = Math.floor(now / 1000);
  if (!cacheSecond(second)) return putAscii(buffer, at, timestamp(now));
  buffer.set(secondPrefixBytes, at);
  const millis = now - second * 1000;
  buffer[at + 20] = 0x30 + Math.floor(millis / 100);
  buffer[at + 21] = 0x30 + (Math.floor(millis / 10) % 10);
  buffer[at + 22] = 0x30 + (millis % 10);
  buffer[at + 23] = 0x5a; // Z
  return at + 24;
}

/**
 * What a string needs more than quotes around it to be its JSON value with secrets masked: a
 * character JSON escapes (quote, backslash, control characters; all non-ASCII too, which covers
 * lone surrogates) or a substring a redaction rule needs. Most request fields (paths, ids, addresses,
 * user agents) have none, and are written without JSON.stringify's call into the runtime.
 */
// eslint-disable-next-line no-control-regex -- control characters are what JSON escapes
const JSON_ESCAPED = /["\\\u0000-\u001f\u007f-\uffff]/;
const NOT_PLAIN = new RegExp(`${JSON_ESCAPED.source}|${SECRET_TRIGGER_SOURCE}`);

/** A string's JSON text, and whether that text is ASCII only. */
type Encoded = { json: string; ascii: boolean };

/**
 * A string as a JSON value, with secrets masked as the logger's redaction step masks them. `ascii`
 * is true exactly when the string is written between quotes as it is (it passed the plain test,
 * which admits ASCII only).
 */
function masked(value: string): Encoded {
  return NOT_PLAIN.test(value)
    ? { json: JSON.stringify(redactText(value)), ascii: false }
    : { json: `"${value}"`, ascii: true };
}

const text = (value: string): string => masked(value).json;

// eslint-disable-next-line no-control-regex -- the test is for any character beyond ASCII
const NOT_ASCII = /[^\u0000-\u007f]/;

/** A string of ours (a route template, a user id) as a JSON value: no masking. */
function ours(value: string): Encoded {
  const json = JSON.stringify(value);
  return { json, ascii: !NOT_ASCII.test(json) };
}

/**
 * The JSON text of the last string seen of one field, kept until a different string comes, and
 * whether it is ASCII only (for a masked field: whether the string was written as it is).
 */
class LastText {
  private value: string | undefined;
  private json = '';
  ascii = true;

  constructor(private readonly encode: (value: string) => Encoded) {}

  of(value: string): string {
    if (value !== this.value) {
      ({ json: this.json, ascii: this.ascii } = this.encode(value));
      this.value = value;
    }
    return this.json;
  }
}

/**
 * Serialises request lines by template: the line the service's winston logger would write for the
 * same request (RequestLineWriter.forLogger finds `tail`, what the logger's formats add, and checks
 * that they change nothing else). Every client-controlled string is masked by the logger's own
 * `redactText`; the line's keys are fixed and none is a secret key. One formatter per thread: it
 * keeps the last value of each repeating field.
 */
export class RequestLineFormatter {
  // A client's address and agent repeat from request to request (keep-alive, one client's burst),
  // and so do a route, its path (a probe's, a list's) and a caller.
  private readonly clientIp = new LastText(masked);
  private readonly userAgent = new LastText(masked);
  private readonly path = new LastText(masked);
  private readonly route = new LastText(ours);
  private readonly userId = new LastText(ours);
  /** Whether the tail is ASCII only. */
  private readonly asciiTail: boolean;
  /** Whether the line `format` made last is ASCII only (see LineBatch.add). */
  ascii = false;
  /** The repeating pieces of the line encodeInto wrote last. */
  private frame: LineFrame | undefined;
  // The JSON texts of the line's repeating fields, as `read` read them last.
  private pathJson = '';
  private routeJson = '';
  private ipJson = '';
  private userAgentJson: string | undefined;
  private userJson: string | undefined;

  constructor(
    /** `,"ecs.version":…,"service.name":…}`: what the formats add, closing the object. */
    readonly tail: string,
  ) {
    this.asciiTail = !NOT_ASCII.test(tail);
  }

  /** Reads the line's repeating fields into their JSON texts; returns its path (no query). */
  private read(fields: RequestLineFields): string {
    const { url, userAgent, userId } = fields;
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    this.pathJson = this.path.of(path);
    this.routeJson = this.route.of(fields.route);
    this.ipJson = this.clientIp.of(fields.ip);
    this.userAgentJson = userAgent === undefined ? undefined : this.userAgent.of(userAgent);
    this.userJson = userId === undefined ? undefined : this.userId.of(userId);
    return path;
  }

  /**
   * Whether the repeating fields `read` read last, and the tail, are written as they are, ASCII only.
   * Every string written between quotes as it is passed the plain test, which admits ASCII only;
   * the other pieces are ours (numbers, constants, the tail).
   */
  private repeatsAscii(): boolean {
    return (
      this.path.ascii &&
      this.clientIp.ascii &&
      this.route.ascii &&
      this.asciiTail &&
      (this.userAgentJson === undefined || this.userAgent.ascii) &&
      (this.userJson === undefined || this.userId.ascii)
    );
  }

  /**
   * Writes the line `format` makes for these fields, and its newline, into `sink` as bytes, without
   * building the line as a string: the pieces that stay the same while the repeating fields do
   * (method, path, status, route, address, agent, user) are kept as bytes (LineFrame), and only the
   * duration, request id and time are written per line. False, with nothing written, when a field
   * is not written as it is (it needs escaping or masking, or is not ASCII): the caller formats
   * that line.
   *
   * Why: built as a string and encoded, a /health/live line took 1.07 µs on the formatting thread,
   * about half of it (CPU profile) flattening the line's ~30 pieces into one string and copying it
   * into the buffer; as bytes, 0.72 µs (bench/request-lines.bench.mjs). That thread shares two
   * cores with the service's thread and the load generator.
   */
  encodeInto(fields: RequestLineFields, sink: ByteSink): boolean {
    const { status, method, id } = fields;
    this.read(fields);
    if (!this.repeatsAscii() || NOT_PLAIN.test(id)) return false;
    const { pathJson, routeJson, ipJson, userAgentJson, userJson } = this;
    let frame = this.frame;
    if (
      frame === undefined ||
      frame.method !== method ||
      frame.status !== status ||
      frame.pathJson !== pathJson ||
      frame.routeJson !== routeJson ||
      frame.ipJson !== ipJson ||
      frame.userAgentJson !== userAgentJson ||
      frame.userJson !== userJson
    )
      frame = this.frame = new LineFrame(
        method,
        status,
        pathJson,
        routeJson,
        ipJson,
        userAgentJson,
        userJson,
        this.tail,
      );
    const millis = millisText(fields.millis);
    const duration = `${Math.round(fields.millis * 1e6)}`;
    const answeredAt = fields.answeredAt;
    // putTimestamp takes whole milliseconds (the batch's times are Date.now()'s); any other time
    // is formatted as format() formats it. The longest date is 27 characters.
    const time = Number.isInteger(answeredAt) ? undefined : timestamp(answeredAt);
    const buffer = sink.room(
      frame.size + millis.length + duration.length + id.length + (time?.length ?? 27),
    );
    let at = sink.length;
    buffer.set(frame.message, at);
    at = putAscii(buffer, at + frame.message.length, millis);
    buffer.set(frame.duration, at);
    at = putAscii(buffer, at + frame.duration.length, duration);
    buffer.set(frame.id, at);
    at = putAscii(buffer, at + frame.id.length, id);
    buffer.set(frame.timestamp, at);
    at =
      time === undefined
        ? putTimestamp(buffer, at + frame.timestamp.length, answeredAt)
        : putAscii(buffer, at + frame.timestamp.length, time);
    buffer.set(frame.end, at);
    sink.length = at + frame.end.length;
    return true;
  }

  format(fields: RequestLineFields): string {
    const { status, millis, method } = fields;
    const path = this.read(fields);
    const plainPath = this.path.ascii;
    const message = `${method} ${path} ${status} ${millisText(millis)} ms`;
    const id = fields.id;
    const plainId = !NOT_PLAIN.test(id);
    const { pathJson, routeJson, ipJson: clientIp, userAgentJson, userJson } = this;
    this.ascii = this.repeatsAscii() && plainId;
    return (
      // Around the path, the message holds the method (one of the HTTP parser's known methods), the
      // status and the duration, separated by spaces: it needs escaping or masking only where its
      // path does, and no masking rule's trigger can span the spaces.
      `{"message":${plainPath ? `"${message}"` : text(message)}` +
      `,"event.kind":"event","event.category":["web"]` +
      `,"event.outcome":"${status >= 400 ? 'failure' : 'success'}"` +
      `,"event.duration":${Math.round(millis * 1e6)}` +
      `,"http.request.id":${plainId ? `"${id}"` : text(id)}` +
      // The method (a token the HTTP parser accepted), the route template (ours) and the user id
      // (ours) cannot hold a secret: no redaction pass for them.
      `,"http.request.method":"${method}"` +
      `,"http.response.status_code":${status}` +
      `,"http.route":${routeJson}` +
      `,"url.path":${pathJson}` +
      `,"client.ip":${clientIp}` +
      (userAgentJson === undefined ? '' : `,"user_agent.original":${userAgentJson}`) +
      (userJson === undefined ? '' : `,"user.id":${userJson}`) +
      `,"log.logger":"http","@timestamp":"${timestamp(fields.answeredAt)}","log.level":"${levelOf(status)}"` +
      this.tail
    );
  }
}

/** Writes an ASCII string's characters as bytes at `at`; returns the offset after them. */
function putAscii(buffer: Uint8Array, at: number, value: string): number {
  for (let i = 0; i < value.length; i++) buffer[at++] = value.charCodeAt(i);
  return at;
}

/**
 * The bytes of a request line between its per-line values (the duration as text and as a number,
 * the request id, the time), for one set of the repeating fields' values. The JSON texts are the
 * formatter's (LastText), compared by identity: each stays the same string while its field repeats.
 */
class LineFrame {
  /** `{"message":"GET /path 200 ` */
  readonly message: Uint8Array;
  /** ` ms",…,"event.duration":` */
  readonly duration: Uint8Array;
  /** `,"http.request.id":"` */
  readonly id: Uint8Array;
  /** `","http.request.method":…,"@timestamp":"` */
  readonly timestamp: Uint8Array;
  /** `","log.level":"info"` and the tail, then the newline. */
  readonly end: Uint8Array;
  /** All of the above. */
  readonly size: number;

  constructor(
    readonly method: string,
    readonly status: number,
    readonly pathJson: string,
    readonly routeJson: string,
    readonly ipJson: string,
    readonly userAgentJson: string | undefined,
    readonly userJson: string | undefined,
    tail: string,
  ) {
    // The path is written as it is (encodeInto's condition): its JSON is the path in quotes.
    const path = pathJson.slice(1, -1);
    this.message = asciiBytes(`{"message":"${method} ${path} ${status} `);
    this.duration = asciiBytes(
      ` ms","event.kind":"event","event.category":["web"]` +
        `,"event.outcome":"${status >= 400 ? 'failure' : 'success'}","event.duration":`,
    );
    this.id = asciiBytes(`,"http.request.id":"`);
    this.timestamp = asciiBytes(
      `","http.request.method":"${method}","http.response.status_code":${status}` +
        `,"http.route":${routeJson},"url.path":${pathJson},"client.ip":${ipJson}` +
        (userAgentJson === undefined ? '' : `,"user_agent.original":${userAgentJson}`) +
        (userJson === undefined ? '' : `,"user.id":${userJson}`) +
        `,"log.logger":"http","@timestamp":"`,
    );
    this.end = asciiBytes(`","log.level":"${levelOf(status)}"${tail}\n`);
    this.size =
      this.message.length +
      this.duration.length +
      this.id.length +
      this.timestamp.length +
      this.end.length;
  }
}

/** Bytes written one after another into a buffer that grows as needed (formatBatch's chunks). */
export class ByteSink {
  buffer: Buffer;
  /** Bytes written so far. */
  length = 0;

  constructor(capacity = 64 * 1024) {
    this.buffer = Buffer.allocUnsafeSlow(capacity);
  }

  /** The buffer, with at least `bytes` free after `length`. */
  room(bytes: number): Buffer {
    if (this.length + bytes > this.buffer.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(2 * this.buffer.length, this.length + bytes));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    return this.buffer;
  }

  /** A line and its newline, encoded (see encodeLine). */
  addLine(line: string, ascii: boolean): void {
    this.length += encodeLine(this.room(lineRoom(line, ascii)), this.length, line, ascii);
  }

  /** A copy of the bytes from `start`, with an ArrayBuffer of its own (transferable). */
  copy(start: number): Uint8Array {
    return new Uint8Array(this.buffer.subarray(start, this.length));
  }
}

/** The batch formatter's sink, kept from batch to batch (one per thread) unless it grew past this. */
let batchSink: ByteSink | undefined;
const KEEP_SINK_BYTES = 1024 * 1024;

/**
 * The request lines of a few milliseconds, packed as the service's thread collects them for the
 * formatting thread (request-line.offload.ts): two values, so that posting a batch copies two blocks
 * of memory rather than serialising an array per field. `numbers` holds LINE_SLOTS numbers per line,
 * at the offsets Slot names: for each string field, the length of its value in `text`, or SAME where
 * the line repeats the line before it in the batch (a client's address and agent, a route, a path)
 * and ABSENT where it has no value; then the status, the milliseconds, the time answered and the mask
 * (which of the logger's transports take the line, bit i: transport i). The strings are in `text` in
 * the order of their slots. Every batch starts with full values and can be formatted alone.
 */
export interface RequestLineBatch {
  seq: number;
  count: number;
  /** The string values that differ from the line before, one after another. */
  text: string;
  numbers: Float64Array;
}

/** Where each field of a line is in a packed batch's numbers, from the line's first slot. */
export const Slot = {
  method: 0,
  url: 1,
  id: 2,
  ip: 3,
  userAgent: 4,
  userId: 5,
  route: 6,
  status: 7,
  millis: 8,
  answeredAt: 9,
  mask: 10,
} as const;
/** Numbers per line in a packed batch. */
export const LINE_SLOTS = 11;
/** A string slot's value when the line repeats the line before it in that field. */
export const SAME = -1;
/** A string slot's value when the field has no value (no user agent, no user). */
export const ABSENT = -2;

/** Lines for the same transports, in order, as the bytes the transports write (newlines included). */
export interface RequestLineChunk {
  mask: number;
  bytes: Uint8Array;
}

/**
 * Formats a batch into chunks of consecutive lines that go to the same transports. Lines are written
 * as bytes where they can be (encodeInto), otherwise formatted and encoded. Each chunk's bytes have
 * an ArrayBuffer of their own (not Buffer's shared pool), so they can be transferred; with `views`,
 * they are views of this thread's sink instead, valid until the next batch is formatted (for a
 * caller that hands them on at once to transports that copy them).
 */
export function formatBatch(
  formatter: RequestLineFormatter,
  batch: RequestLineBatch,
  views = false,
): RequestLineChunk[] {
  const chunks: RequestLineChunk[] = [];
  const fields = emptyFields();
  const sink = (batchSink ??= new ByteSink());
  sink.length = 0;
  let chunkStart = 0;
  let mask = -1;
  const close = () => {
    if (sink.length === chunkStart) return;
    chunks.push({
      mask,
      bytes: views ? sink.buffer.subarray(chunkStart, sink.length) : sink.copy(chunkStart),
    });
    chunkStart = sink.length;
  };
  const { text, numbers } = batch;
  let offset = 0;
  /** The string in the next slot: read from the text, the line before's (SAME), or none. */
  const take = (slot: number, before: string | undefined): string | undefined => {
    const length = numbers[slot];
    if (length === SAME) return before;
    if (length === ABSENT) return undefined;
    return text.slice(offset, (offset += length));
  };
  for (let i = 0, at = 0; i < batch.count; i++, at += LINE_SLOTS) {
    // In the order of their slots: the order their strings are in the text.
    fields.method = take(at + Slot.method, fields.method)!;
    fields.url = take(at + Slot.url, fields.url)!;
    fields.id = take(at + Slot.id, fields.id)!;
    fields.ip = take(at + Slot.ip, fields.ip)!;
    fields.userAgent = take(at + Slot.userAgent, fields.userAgent);
    fields.userId = take(at + Slot.userId, fields.userId);
    fields.route = take(at + Slot.route, fields.route)!;
    fields.status = numbers[at + Slot.status];
    fields.millis = numbers[at + Slot.millis];
    fields.answeredAt = numbers[at + Slot.answeredAt];
    const lineMask = numbers[at + Slot.mask];
    if (lineMask !== mask) {
      close();
      mask = lineMask;
    }
    if (!formatter.encodeInto(fields, sink))
      sink.addLine(formatter.format(fields), formatter.ascii);
  }
  close();
  // A batch of very long lines (large headers) does not keep its memory for every later batch.
  if (sink.buffer.length > KEEP_SINK_BYTES) batchSink = undefined;
  return chunks;
}
