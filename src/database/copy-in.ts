import { ClientBase, Connection, Submittable } from 'pg';
import type { Duplex } from 'node:stream';

const COPY_DATA = 0x64; // 'd'
const COPY_DONE = 0x63; // 'c'
const MESSAGE_HEADER_BYTES = 5; // type byte + int32 length (which counts itself)
const COPY_DONE_MESSAGE = Buffer.from([COPY_DONE, 0, 0, 0, 4]);

/**
 * `COPY … FROM STDIN` on a node-postgres client, written straight to the connection's socket, one
 * CopyData message per piece. A write resolves once the socket has handed its last byte to the
 * kernel, so the caller may then reuse the memory the pieces lie in: the restore writes views of
 * reused blocks (block-memory.ts). pg-copy-streams, used before, queued the pieces on the socket
 * and said only when its own buffer had room again, which does not say the pieces were sent.
 * A failed COPY (an ErrorResponse) fails the next write and `end`; node-postgres then takes the
 * connection back as after any failed query.
 */
class CopyInQuery implements Submittable {
  private socket: Duplex | undefined;
  private failure: Error | undefined;
  private readonly started: Promise<void>;
  private readonly finished: Promise<void>;
  private start!: () => void;
  private finish!: () => void;
  private fail!: (error: Error) => void;
  /** Rows the server reports in its CommandComplete tag. */
  rowCount = 0;

  constructor(private readonly text: string) {
    let failStarted!: (error: Error) => void;
    this.started = new Promise<void>((resolve, reject) => {
      this.start = resolve;
      failStarted = reject;
    });
    this.finished = new Promise<void>((resolve, reject) => {
      this.finish = resolve;
      this.fail = (error) => {
        failStarted(error);
        reject(error);
      };
    });
    // Both are awaited by the writer; these only keep an early failure from being unhandled.
    this.started.catch(() => undefined);
    this.finished.catch(() => undefined);
  }

  /** Called by node-postgres when the query is sent. */
  submit(connection: Connection): void {
    this.socket = connection.stream;
    connection.query(this.text);
  }

  handleCopyInResponse(): void {
    this.start();
  }

  handleCommandComplete(message: { text?: string }): void {
    const match = /^COPY (\d+)$/.exec(message.text ?? '');
    if (match) this.rowCount = Number(match[1]);
  }

  handleError(error: Error): void {
    this.failure ??= error;
    this.socket = undefined;
    this.fail(error);
  }

  handleReadyForQuery(): void {
    this.socket = undefined;
    if (!this.failure) this.finish();
  }

  /** node-postgres calls these on the active query for other messages; a COPY FROM gets none. */
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}

  /** Sends the pieces; resolves when the socket has written them (their memory may be reused). */
  async write(pieces: readonly Buffer[]): Promise<void> {
    await this.started;
    if (this.failure) throw this.failure;
    const socket = this.socket;
    if (!socket) throw new Error('The COPY has ended.');
    if (pieces.length === 0) return;
    const header = Buffer.allocUnsafe(MESSAGE_HEADER_BYTES * pieces.length);
    await new Promise<void>((resolve, reject) => {
      pieces.forEach((piece, index) => {
        const at = index * MESSAGE_HEADER_BYTES;
        header[at] = COPY_DATA;
        header.writeUInt32BE(piece.length + 4, at + 1);
        socket.write(header.subarray(at, at + MESSAGE_HEADER_BYTES));
        // Writes complete in order: the last one's callback covers every piece.
        if (index < pieces.length - 1) socket.write(piece);
        else socket.write(piece, (error) => (error ? reject(error) : resolve()));
      });
    });
  }

  /** Ends the COPY; resolves once the server has committed to it (ReadyForQuery), with its rows. */
  async end(): Promise<number> {
    await this.started;
    if (this.failure) throw this.failure;
    this.socket?.write(COPY_DONE_MESSAGE);
    await this.finished;
    return this.rowCount;
  }
}

export interface CopyIn {
  /** Resolves when the socket has written the pieces. */
  write(pieces: readonly Buffer[]): Promise<void>;
  /** Resolves with the rows the server stored, once it has accepted every row. */
  end(): Promise<number>;
}

/** `COPY … FROM STDIN` whose writes say when their pieces have left the process. */
export function copyIn(client: ClientBase, text: string): CopyIn {
  const query = client.query(new CopyInQuery(text));
  return { write: (pieces) => query.write(pieces), end: () => query.end() };
}
