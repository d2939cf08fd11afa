/** Pending bytes above this size are written at once rather than at the end of the interval. */
const MAX_PENDING_BYTES = 64 * 1024;
/** Room for the line that takes the pending bytes past MAX_PENDING_BYTES. */
const CAPACITY = MAX_PENDING_BYTES + 16 * 1024;
/** Fewer pending bytes than this are handed over as a copy, and the buffer is kept. */
const COPY_BELOW = 8 * 1024;

/** Lines wait at most this long for the write that takes them. */
export const FLUSH_INTERVAL_MS = 5;

export const NEWLINE = 0x0a;

/**
 * The most bytes a line and its newline can take in UTF-8, without encoding it: a UTF-16 code unit
 * takes at most 3 bytes (a surrogate pair 4 bytes for 2 units).
 */
export const maxLineBytes = (line: string): number => 3 * line.length + 1;

/** The most bytes a line and its newline take: exactly its length plus one when it is ASCII. */
export const lineRoom = (line: string, ascii: boolean): number =>
  ascii ? line.length + 1 : maxLineBytes(line);

/**
 * Buffer's own encoders, which Buffer.write calls after checking its arguments and looking up the
 * encoding by name (about as long as the copy for a line). Node's typings leave them out.
 */
type EncodingBuffer = Buffer & {
  latin1Write(text: string, offset: number): number;
  utf8Write(text: string, offset: number): number;
};

/**
 * Writes a line and its newline into `buffer` at `offset` (which has lineRoom bytes free there) and
 * returns how many bytes they took: an ASCII line's characters are copied, any other is encoded.
 */
export function encodeLine(buffer: Buffer, offset: number, line: string, ascii: boolean): number {
  const encoding = buffer as EncodingBuffer;
  const bytes = (ascii ? encoding.latin1Write(line, offset) : encoding.utf8Write(line, offset)) + 1;
  buffer[offset + bytes - 1] = NEWLINE;
  return bytes;
}

const open = new Set<LineBatch>();
let exitHookInstalled = false;

/**
 * Log lines collected for a few milliseconds and written together: one write system call per 5 ms
 * instead of one per line (a system call costs microseconds on this VM, as much as building the
 * line; under load an event-loop turn answers only a request or two, so a write per turn was still
 * a write per request or two). Lines are written 5 ms after the first of them, as soon as more than
 * 64 KiB are pending, on close, and synchronously when the process exits, so a graceful shutdown,
 * process.exit() or a crash loses none; only a SIGKILL can drop the last 5 ms of lines.
 *
 * Each line is encoded into one buffer as it is added. Kept as text (one string appended to for
 * 5 ms), the pending lines were a rope of a few hundred strings that lived through every young
 * collection of those milliseconds, was copied by each, and was then flattened and measured once
 * more to be encoded: about a fifth of what request logging cost a small request (perf).
 */
export class LineBatch {
  private buffer = Buffer.allocUnsafeSlow(CAPACITY);
  private length = 0;
  private scheduled = false;
  /** Whether the last write was done with its bytes when it returned (assumed until one was not). */
  private synchronous = true;

  /**
   * `write` gets the bytes of whole lines, and returns true when it is done with them (a
   * synchronous write): the batch then keeps its one buffer. Otherwise the batch never touches what
   * it handed over (a small batch is copied, a large one's buffer given away).
   */
  constructor(
    private readonly write: (bytes: Buffer) => boolean | void,
    private readonly intervalMs = FLUSH_INTERVAL_MS,
  ) {
    open.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => {
        for (const batch of open) batch.flush();
      });
    }
  }

  /**
   * Adds a line (its newline is added here) and returns how many bytes it took. `ascii` says the
   * caller knows every character of the line is ASCII: its bytes are then its characters, copied
   * without UTF-8 encoding.
   */
  add(line: string, ascii = false): number {
    const room = lineRoom(line, ascii);
    if (room > this.buffer.length - this.length) {
      this.flush();
      // A line longer than the whole buffer is written alone.
      if (room > this.buffer.length) {
        const bytes = Buffer.from(`${line}\n`);
        this.write(bytes);
        return bytes.length;
      }
    }
    const bytes = encodeLine(this.buffer, this.length, line, ascii);
    this.length += bytes;
    this.added();
    return bytes;
  }

  /**
   * Adds the bytes of whole lines, newlines included (lines formatted elsewhere: see
   * request-line.offload.ts). They are copied; the caller keeps its memory.
   */
  addBytes(bytes: Uint8Array): void {
    if (bytes.length > this.buffer.length - this.length) {
      this.flush();
      if (bytes.length > this.buffer.length) {
        this.write(Buffer.from(bytes));
        return;
      }
    }
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
    this.added();
  }

  /** Writes at once past MAX_PENDING_BYTES, otherwise at the end of the interval. */
  private added(): void {
    if (this.length >= MAX_PENDING_BYTES) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setTimeout(() => {
        this.scheduled = false;
        this.flush();
      }, this.intervalMs);
    }
  }

  /** Writes what is pending now. */
  flush(): void {
    const bytes = this.length;
    if (bytes === 0) return;
    this.length = 0;
    if (this.synchronous) {
      // The last write was done when it returned: this one is likely to be too, and the buffer is
      // kept; if not, the writer keeps it and the batch takes a new one.
      this.synchronous = this.write(this.buffer.subarray(0, bytes)) === true;
      if (!this.synchronous) this.buffer = Buffer.allocUnsafeSlow(CAPACITY);
    } else if (bytes < COPY_BELOW)
      this.synchronous = this.write(Buffer.from(this.buffer.subarray(0, bytes))) === true;
    else {
      // The writer may keep what it is given (a stream that writes later): the batch takes a new
      // buffer rather than overwrite it.
      const full = this.buffer;
      this.buffer = Buffer.allocUnsafeSlow(CAPACITY);
      this.synchronous = this.write(full.subarray(0, bytes)) === true;
    }
  }

  /** Writes what is pending; later lines are still written but no longer flushed at exit. */
  close(): void {
    this.flush();
    open.delete(this);
  }
}
