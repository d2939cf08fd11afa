import { writeSync } from 'node:fs';

/** How soon bytes a full pipe did not take are offered again. */
const RETRY_MS = 5;
/** At exit, how long the process waits for a full pipe to take what is left. */
const EXIT_DEADLINE_MS = 10_000;

/** Bytes stdout did not take yet (a full non-blocking pipe), oldest first. */
const waiting: Buffer[] = [];
let retryScheduled = false;
let exitHookInstalled = false;
/** After an error other than a full pipe, every write goes through the stream, which reports it. */
let broken = false;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes bytes to stdout in order, and returns true when they were all written before it returned
 * (the caller may then reuse their memory; otherwise the bytes are kept until written).
 *
 * The bytes are written with writeSync on stdout's descriptor, outside Node's stream machinery: the
 * HTTP sockets run the same Writable code for every response, and a second kind of stream through
 * it (a file's or /dev/null's SyncWriteStream) makes that shared code polymorphic. When the
 * descriptor is a pipe its reader has not emptied (EAGAIN: Node opens pipes non-blocking), the
 * rest waits here and is offered again every few milliseconds, and at exit the process waits up to
 * 10 s for it. (Through process.stdout.write, such bytes were queued in the stream, and a
 * process.exit() lost them.)
 *
 * process.stdout.write is used when something replaced it (a test's spy, a capture) or when a write
 * failed otherwise (a closed pipe: the stream reports the error as before).
 */
export function writeStdout(bytes: Buffer): boolean {
  // process.stdout is looked up at each write, so a test can replace it.
  const stdout = process.stdout;
  if (!writesDirectly(stdout)) return throughStream(bytes);
  waitForStdoutAtExit();
  if (waiting.length > 0) {
    waiting.push(bytes);
    return false;
  }
  const written = writeSome(stdout.fd, bytes);
  if (written === bytes.length) return true;
  waiting.push(bytes.subarray(written));
  if (broken) throughStream();
  else scheduleRetry();
  return false;
}

/**
 * Makes the process wait at exit for bytes a full pipe has not taken. Called by the stdout
 * transport once its batch exists, so the hook runs after LineBatch's own (the batches' last lines
 * are written first, then waited for), and before an exit is under way: a listener added while
 * 'exit' is being emitted is not called, and the first write may come from an exit hook (request
 * lines taken from the worker thread at exit, see request-line.offload.ts).
 */
export function waitForStdoutAtExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', drainBeforeExit);
}

/** Whether bytes go to stdout's descriptor (see writeStdout) rather than through its stream. */
function writesDirectly(stdout: typeof process.stdout): boolean {
  return !broken && typeof stdout.fd === 'number' && !Object.hasOwn(stdout, 'write');
}

/** Hands what is waiting, then `bytes`, to process.stdout.write; the stream keeps them (false). */
function throughStream(bytes?: Buffer): false {
  for (const rest of waiting.splice(0)) process.stdout.write(rest);
  if (bytes) process.stdout.write(bytes);
  return false;
}

/**
 * Writes what the descriptor takes now and returns how many bytes that was; stops at a full pipe.
 * Another error marks stdout broken: the rest and every later write go through the stream.
 */
function writeSome(fd: number, bytes: Buffer): number {
  let written = 0;
  try {
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') broken = true;
  }
  return written;
}

/** Writes waiting bytes, oldest first, until the pipe is full again; true when none are left. */
function writeWaiting(): boolean {
  while (waiting.length > 0) {
    if (!writesDirectly(process.stdout)) {
      throughStream();
      return true;
    }
    const head = waiting[0];
    const written = writeSome(process.stdout.fd, head);
    if (written === head.length) waiting.shift();
    else {
      waiting[0] = head.subarray(written);
      if (!broken) return false;
    }
  }
  return true;
}

function scheduleRetry(): void {
  if (retryScheduled) return;
  retryScheduled = true;
  // Unreferenced: waiting output does not keep the process alive; exit waits for it (below).
  setTimeout(() => {
    retryScheduled = false;
    if (!writeWaiting()) scheduleRetry();
  }, RETRY_MS).unref();
}

function drainBeforeExit(): void {
  const deadline = Date.now() + EXIT_DEADLINE_MS;
  while (!writeWaiting() && Date.now() < deadline) Atomics.wait(sleeper, 0, 0, 1);
}
