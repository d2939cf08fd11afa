import { ClientBase, Connection, Submittable } from 'pg';
import { Duplex } from 'node:stream';

/** Whole rows of COPY text, as consecutive pieces, and how many rows there are. */
export interface CopySection {
  parts: Buffer[];
  bytes: number;
  rows: number;
}

const COPY_DATA = 0x64; // 'd'
const COPY_DONE = 0x63; // 'c'
const ERROR_RESPONSE = 0x45; // 'E'
const MESSAGE_HEADER_BYTES = 5; // type byte + int32 length (which counts itself)
const NEWLINE = 0x0a;

/**
 * `COPY … TO STDOUT` on a node-postgres client, read straight from the connection's socket. The
 * server sends one CopyData message per row ("messages sent from the backend will always correspond
 * to single data rows", protocol docs), so rows are counted from the messages, and each socket read
 * is compacted in place (the 5-byte message headers squeezed out with copyWithin, which allocates
 * nothing) and handed on as a piece of a section of at least `sectionBytes` (whole rows).
 * pg-copy-streams, used before, gathered each socket read message by message into a fresh Buffer,
 * and the rows were then counted again by scanning for newlines: together the largest part of the
 * main thread's work in a backup (profiled with --cpu-prof); Buffer#copy per row instead measured
 * slower still (it allocates a view per call).
 * The socket is only read when the consumer asks for more, so the server waits (TCP backpressure)
 * while the pipeline is full. Everything from CopyDone on (CommandComplete, ReadyForQuery) and any
 * ErrorResponse go back to node-postgres's own parser, which then ends or fails the query as usual.
 */
class CopyOutQuery implements Submittable {
  private socket: Duplex | undefined;
  private pgDataHandler: ((chunk: Buffer) => void) | undefined;
  private readonly ready: CopySection[] = [];
  private parts: Buffer[] = [];
  private bytes = 0;
  private rows = 0;
  private readonly header = Buffer.alloc(MESSAGE_HEADER_BYTES);
  private headerFilled = 0;
  /** Bytes of the current message still to come; -1 while between messages. */
  private remaining = -1;
  private code = 0;
  private failure: Error | undefined;
  private ended = false;
  /** Rows the server reports in its CommandComplete tag. */
  serverRows: number | undefined;
  private wake: (() => void) | undefined;
  private readonly onReadable = () => this.notify();

  constructor(
    private readonly text: string,
    private readonly sectionBytes: number,
  ) {}

  /** Called by node-postgres when the query is sent: takes the socket over until CopyDone. */
  submit(connection: Connection): void {
    const socket = connection.stream;
    const [pgDataHandler] = socket.listeners('data') as ((chunk: Buffer) => void)[];
    this.socket = socket;
    this.pgDataHandler = pgDataHandler;
    socket.removeListener('data', pgDataHandler);
    socket.pause();
    socket.on('readable', this.onReadable);
    connection.query(this.text);
  }

  handleCommandComplete(message: { text?: string }): void {
    const match = /^COPY (\d+)$/.exec(message.text ?? '');
    if (match) this.serverRows = Number(match[1]);
  }

  handleReadyForQuery(): void {
    this.ended = true;
    this.notify();
  }

  handleError(error: Error): void {
    this.failure ??= error;
    this.detach(Buffer.alloc(0));
    this.notify();
  }

  /** node-postgres calls these on the active query for other messages; a COPY gets none. */
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(): void {}
  handleCopyData(): void {}

  /** True while the socket is ours: the connection cannot take another query until CopyDone. */
  get copying(): boolean {
    return this.socket !== undefined;
  }

  /**
   * Closes the socket of a COPY left unfinished. Called after the client was ended (so
   * node-postgres takes the close for the end it asked for): the rest of the COPY is never read,
   * and a socket nobody reads would otherwise stay open.
   */
  abandon(): void {
    const socket = this.socket;
    if (!socket) return;
    this.socket = undefined;
    socket.removeListener('readable', this.onReadable);
    socket.destroy();
  }

  async *sections(): AsyncGenerator<CopySection> {
    for (;;) {
      const next = this.ready.shift();
      if (next) {
        yield next;
        continue;
      }
      if (this.failure) throw this.failure;
      if (this.ended) {
        if (this.bytes > 0) yield this.take();
        return;
      }
      const chunk = this.socket?.read() as Buffer | null | undefined;
      if (chunk) this.parse(chunk);
      else await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Compacts the rows of one socket read to its front; a row may continue in the next read. */
  private parse(chunk: Buffer): void {
    let at = 0;
    let kept = 0;
    let partStart = 0;
    while (at < chunk.length) {
      if (this.remaining === -1) {
        const start = at;
        if (this.headerFilled === 0 && chunk.length - at >= MESSAGE_HEADER_BYTES) {
          this.code = chunk[at];
          this.remaining = chunk.readUInt32BE(at + 1) - 4;
          at += MESSAGE_HEADER_BYTES;
        } else {
          const copied = chunk.copy(this.header, this.headerFilled, at);
          this.headerFilled += copied;
          at += copied;
          if (this.headerFilled < MESSAGE_HEADER_BYTES) break;
          this.code = this.header[0];
          this.remaining = this.header.readUInt32BE(1) - 4;
          this.headerFilled = 0;
        }
        if (this.code === ERROR_RESPONSE) {
          // node-postgres parses the error from the message's first byte on.
          const carried = at - start < MESSAGE_HEADER_BYTES;
          this.detach(
            carried ? Buffer.concat([this.header, chunk.subarray(at)]) : chunk.subarray(start),
          );
          return;
        }
      }
      const take = Math.min(this.remaining, chunk.length - at);
      if (this.code === COPY_DATA) {
        if (kept !== at) chunk.copyWithin(kept, at, at + take);
        kept += take;
        this.bytes += take;
      }
      at += take;
      this.remaining -= take;
      if (this.remaining > 0) break;
      this.remaining = -1;
      if (this.code === COPY_DATA) {
        if (chunk[kept - 1] !== NEWLINE)
          throw new Error('COPY sent a row that does not end with a newline');
        this.rows++;
        if (this.bytes >= this.sectionBytes) {
          this.parts.push(chunk.subarray(partStart, kept));
          partStart = kept;
          this.ready.push(this.take());
        }
      } else if (this.code === COPY_DONE) {
        if (kept > partStart) this.parts.push(chunk.subarray(partStart, kept));
        this.detach(chunk.subarray(at));
        return;
      }
    }
    if (kept > partStart) this.parts.push(chunk.subarray(partStart, kept));
  }

  private take(): CopySection {
    const section = { parts: this.parts, bytes: this.bytes, rows: this.rows };
    this.parts = [];
    this.bytes = 0;
    this.rows = 0;
    return section;
  }

  /** Gives the socket back to node-postgres, with the bytes that are its to parse. */
  private detach(rest: Buffer): void {
    const socket = this.socket;
    if (!socket) return;
    this.socket = undefined;
    socket.removeListener('readable', this.onReadable);
    socket.on('data', this.pgDataHandler!);
    if (rest.length > 0) this.pgDataHandler!(rest);
    process.nextTick(() => socket.resume());
  }
}

export interface CopyOut {
  sections: AsyncGenerator<CopySection>;
  /** Rows the server reported once the COPY completed. */
  serverRows(): number | undefined;
  /** The COPY was left unfinished (the consumer stopped early): discard the connection. */
  copying(): boolean;
  /** After ending (or releasing with an error) the client of an unfinished COPY: closes it. */
  abandon(): void;
}

/** The rows of `COPY … TO STDOUT` in sections of whole rows. */
export function copyOut(client: ClientBase, text: string, sectionBytes: number): CopyOut {
  const query = client.query(new CopyOutQuery(text, sectionBytes));
  return {
    sections: query.sections(),
    serverRows: () => query.serverRows,
    copying: () => query.copying,
    abandon: () => query.abandon(),
  };
}
