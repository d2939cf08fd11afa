import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { FLUSH_INTERVAL_MS } from './line-batch';
import {
  ABSENT,
  formatBatch,
  LINE_SLOTS,
  RequestLineBatch,
  RequestLineChunk,
  RequestLineFields,
  RequestLineFormatter,
  SAME,
  Slot,
} from './request-line.format';

/** A batch is posted at once when it has this many lines (otherwise 5 ms after its first). */
const MAX_BATCH_LINES = 1024;
/** Lines the current batch has room for at first (it doubles up to MAX_BATCH_LINES as needed). */
const FIRST_BATCH_LINES = 64;
/** At exit, how long the process waits for the formatting thread to finish what it was given. */
const EXIT_DEADLINE_MS = 2_000;
/**
 * Batches the worker may hold (about 0.3 s of lines at one batch per 5 ms). Past this the request's
 * thread waits for the worker to get back to half of it, so a worker that falls behind (starved of
 * a core) slows the service as a slow log disk would, rather than queueing lines without bound.
 */
export const MAX_BATCHES_IN_FLIGHT = 64;
/** How long the request's thread waits for a worker that fell behind before formatting itself. */
const CATCH_UP_DEADLINE_MS = 1_000;

/** The compiled worker beside this module (absent when the service runs from its TypeScript sources). */
export const DEFAULT_WORKER_SCRIPT = join(__dirname, 'request-line.worker.js');

/** What the formatting thread is started with. */
export interface RequestLineWorkerData {
  tail: string;
  port: MessagePort;
  /** [0]: the seq of the last batch the worker has posted back. */
  done: BigInt64Array;
}

/** What the formatting thread posts back for each batch. */
export interface FormattedBatch {
  seq: number;
  chunks: RequestLineChunk[];
}

/**
 * Request lines formatted in batches, away from the request. The request's thread only copies each
 * answered request's fields into the current batch (numbers into a typed array, new strings
 * appended to one string); every 5 ms the batch's lines are serialised and encoded together
 * (formatBatch, RequestLineFormatter) and their bytes handed to the transports' batches in order.
 *
 * Where the batch is formatted:
 * - **Here** (the default, `RequestLineOffload.here`): in the 5 ms timer on the request's thread.
 * - **On a worker thread** (`RequestLineOffload.start`, config `log.requestWorker`): the batch is
 *   posted to the worker, which posts the bytes back.
 *
 * Why batches: measured in one server with request lines switched on and off every 250 ms
 * (bench/observability-toggle.mjs --flip-ms), building a line as each request is answered cost
 * about 13–15 % of a trivial request's throughput, several times what the same code costs in a
 * tight loop: the thread's caches hold the HTTP stack, and the line's code and strings evict it.
 * Formatting the lines of a batch together costs a fraction of that.
 *
 * Why here rather than on the worker (stop 23): the worker's thread does the same formatting, plus
 * a message each way per batch, in a thread that wakes every 5 ms with cold caches: 7–8 µs of CPU
 * per request against 0.7 µs per line here. On a host whose cores are busy (the service's own
 * second core serving other work, a container's CPU quota) that CPU is taken from the service.
 * Separate servers loaded in turns (6 sets with the worker first in the rotation, 6 with the
 * batch first) put the worker at 15.3 % of `/health/live`'s throughput and the batch formatted
 * here at 12.4 %, with less CPU per request in 11 of the 12 sets; flips of one server favour the
 * worker by about 1.5 points (docs/observability-cost-log.md, stop 23).
 *
 * With a worker, request lines reach the transports 5–10 ms after they were answered, so they may
 * come after later lines of other loggers (their `@timestamp` is the time the request was
 * answered); formatted here, 0–5 ms. Nothing is lost: when the worker fails, what it was given is
 * formatted here and every later line too; at process exit (a graceful shutdown, process.exit(), a
 * crash) the batch is formatted at once, and the process waits up to 2 s for the batches the worker
 * holds, takes its results synchronously and formats the rest itself.
 */
export class RequestLineOffload {
  // The current batch (see RequestLineBatch): its lines, their numbers (reused from batch to batch,
  // copied when posted) and the strings added.
  private count = 0;
  private numbers = new Float64Array(FIRST_BATCH_LINES * LINE_SLOTS);
  private text = '';
  private seq = 0;
  private scheduled = false;
  /** Batches posted and not yet back, oldest first (formatted here if the worker fails). */
  private readonly inFlight: RequestLineBatch[] = [];
  private readonly done = new BigInt64Array(new SharedArrayBuffer(8));
  /** The formatting thread and its port; undefined when batches are formatted here. */
  private readonly worker: Worker | undefined;
  private readonly port: MessagePort | undefined;
  /** Batches are formatted here: from the start, or since the worker failed or was closed. */
  private formatsHere: boolean;
  private readonly onExit = () => this.drain();
  // Last strings put in the current batch: a repeat is put as SAME.
  private method: string | null = null;
  private url: string | null = null;
  private ip: string | null = null;
  private userAgent: string | undefined | null = null;
  private userId: string | undefined | null = null;
  private route: string | null = null;

  private constructor(
    /** The caller's: the worker formats with its tail; it formats here without the worker. */
    private readonly formatter: RequestLineFormatter,
    script: string | undefined,
    /** Hands one chunk of lines to the transports its mask names. */
    private readonly deliver: (chunk: RequestLineChunk) => void,
    /**
     * Told of an error while a batch was formatted or delivered in a timer or message (its lines
     * are lost).
     */
    private readonly report: (error: unknown) => void,
  ) {
    this.formatsHere = script === undefined;
    if (script !== undefined) {
      const { port1, port2 } = new MessageChannel();
      const workerData: RequestLineWorkerData = {
        tail: formatter.tail,
        port: port2,
        done: this.done,
      };
      const worker = new Worker(script, { workerData, transferList: [port2] });
      port1.on('message', (formatted: FormattedBatch) => {
        try {
          this.received(formatted);
        } catch (error) {
          this.report(error);
        }
      });
      // Neither the worker nor its port keeps the process alive; exit waits for them (drain).
      worker.unref();
      port1.unref();
      worker.on('error', () => this.fail());
      worker.on('exit', () => this.fail());
      this.worker = worker;
      this.port = port1;
    }
    // Before the transports' own exit hooks (LineBatch, stdout), which then write what this adds.
    process.prependListener('exit', this.onExit);
  }

  /** Batches formatted on the request's thread, in the 5 ms timer (no worker). */
  static here(
    formatter: RequestLineFormatter,
    deliver: (chunk: RequestLineChunk) => void,
    report: (error: unknown) => void,
  ): RequestLineOffload {
    return new RequestLineOffload(formatter, undefined, deliver, report);
  }

  /**
   * Batches formatted on a worker thread, or here when the worker's script is not there (the
   * service running from its TypeScript sources, as under Jest) or the worker cannot start.
   */
  static start(
    formatter: RequestLineFormatter,
    deliver: (chunk: RequestLineChunk) => void,
    report: (error: unknown) => void,
    script = DEFAULT_WORKER_SCRIPT,
  ): RequestLineOffload {
    if (existsSync(script))
      try {
        return new RequestLineOffload(formatter, script, deliver, report);
      } catch {
        // Formatted here.
      }
    return RequestLineOffload.here(formatter, deliver, report);
  }

  /** Whether batches go to the worker thread (false without one, and once it failed or was closed). */
  get threaded(): boolean {
    return !this.formatsHere;
  }

  /**
   * Adds an answered request's line to the current batch (its fields are copied: the caller may
   * reuse the object), for the transports `mask` names.
   */
  add(fields: RequestLineFields, mask: number): void {
    const { method, url, id, ip, userAgent, userId, route } = fields;
    const at = this.count * LINE_SLOTS;
    if (at === this.numbers.length) this.grow();
    const numbers = this.numbers;
    // The strings go into the text in the order of their slots (see RequestLineBatch).
    numbers[at + Slot.method] = method === this.method ? SAME : this.put((this.method = method));
    numbers[at + Slot.url] = url === this.url ? SAME : this.put((this.url = url));
    numbers[at + Slot.id] = this.put(id);
    numbers[at + Slot.ip] = ip === this.ip ? SAME : this.put((this.ip = ip));
    numbers[at + Slot.userAgent] =
      userAgent === this.userAgent ? SAME : this.putOptional((this.userAgent = userAgent));
    numbers[at + Slot.userId] =
      userId === this.userId ? SAME : this.putOptional((this.userId = userId));
    numbers[at + Slot.route] = route === this.route ? SAME : this.put((this.route = route));
    numbers[at + Slot.status] = fields.status;
    numbers[at + Slot.millis] = fields.millis;
    numbers[at + Slot.answeredAt] = fields.answeredAt;
    numbers[at + Slot.mask] = mask;
    if (++this.count >= MAX_BATCH_LINES) this.post();
    else if (!this.scheduled) {
      this.scheduled = true;
      setTimeout(() => {
        this.scheduled = false;
        // An exception here would be uncaught and stop the service.
        try {
          this.post();
        } catch (error) {
          this.report(error);
        }
      }, FLUSH_INTERVAL_MS);
    }
  }

  /**
   * Hands every line given so far to the transports, synchronously (waiting for the worker), and
   * stops the worker. Later lines are the caller's to format: nothing writes them at exit.
   */
  close(): void {
    this.drain();
    process.removeListener('exit', this.onExit);
    void this.worker?.terminate();
  }

  /** Appends a string to the batch's text; its slot holds the length. */
  private put(value: string): number {
    this.text += value;
    return value.length;
  }

  private putOptional(value: string | undefined): number {
    return value === undefined ? ABSENT : this.put(value);
  }

  private grow(): void {
    const numbers = new Float64Array(this.numbers.length * 2);
    numbers.set(this.numbers);
    this.numbers = numbers;
  }

  private post(): void {
    const count = this.count;
    if (count === 0) return;
    const batch: RequestLineBatch = {
      seq: ++this.seq,
      count,
      text: this.text,
      numbers: this.numbers.slice(0, count * LINE_SLOTS),
    };
    this.count = 0;
    this.text = '';
    this.method = this.url = this.ip = this.route = null;
    this.userAgent = this.userId = null;
    if (this.formatsHere) {
      this.formatHere(batch);
      return;
    }
    this.inFlight.push(batch);
    this.port!.postMessage(batch);
    if (this.inFlight.length > MAX_BATCHES_IN_FLIGHT) this.catchUp();
  }

  /**
   * Waits until the worker holds at most half of MAX_BATCHES_IN_FLIGHT batches and hands their
   * lines over; a worker that does not get there within a second is given up (fail).
   */
  private catchUp(): void {
    const target = BigInt(this.inFlight[this.inFlight.length - 1 - MAX_BATCHES_IN_FLIGHT / 2].seq);
    if (!this.waitFor(target, CATCH_UP_DEADLINE_MS)) {
      this.fail();
      return;
    }
    this.takeResults();
  }

  /** Waits until the worker has posted back batch `seq`; false when the deadline came first. */
  private waitFor(seq: bigint, deadlineMs: number): boolean {
    const deadline = Date.now() + deadlineMs;
    for (let seen; (seen = Atomics.load(this.done, 0)) < seq;) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      Atomics.wait(this.done, 0, seen, left);
    }
    return true;
  }

  private received({ seq, chunks }: FormattedBatch): void {
    // Results come back in the order the batches were posted.
    if (this.inFlight[0]?.seq !== seq) return;
    this.inFlight.shift();
    for (const chunk of chunks) this.deliver(chunk);
  }

  /** The chunks are views of the formatter's sink: the transports copy them as they are handed over. */
  private formatHere(batch: RequestLineBatch): void {
    for (const chunk of formatBatch(this.formatter, batch, true)) this.deliver(chunk);
  }

  /** The worker is gone: what it was given, and every later line, is formatted here. */
  private fail(): void {
    if (this.formatsHere) return;
    this.takeResults();
    this.formatsHere = true;
    for (const batch of this.inFlight.splice(0)) this.formatHere(batch);
    // Then the lines not yet posted.
    this.post();
  }

  /** Results already posted back, taken synchronously. */
  private takeResults(): void {
    for (let message; (message = receiveMessageOnPort(this.port!));)
      this.received(message.message as FormattedBatch);
  }

  /**
   * Hands every line given so far to the transports before it returns: formatted here, or waited
   * for from the worker (which is given up, as in fail, when it does not answer in 2 s).
   */
  flush(): void {
    this.post();
    if (this.formatsHere || this.inFlight.length === 0) return;
    if (this.waitFor(BigInt(this.inFlight[this.inFlight.length - 1].seq), EXIT_DEADLINE_MS))
      this.takeResults();
    else this.fail();
  }

  /** Everything given so far reaches the transports before this returns (exit, close). */
  private drain(): void {
    this.flush();
    this.fail();
  }
}
