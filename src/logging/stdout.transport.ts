import * as winston from 'winston';
import type TransportStream from 'winston-transport';
import { LineBatch } from './line-batch';
import { waitForStdoutAtExit, writeStdout } from './stdout-writer';

/** The serialised line winston's formats leave on the info object (triple-beam's MESSAGE). */
export const MESSAGE = Symbol.for('message');

// winston re-exports its transport base class as `Transport` (its typings omit it).
export const TransportBase = (winston as unknown as { Transport: typeof TransportStream })
  .Transport;

/**
 * A winston transport that writes each line's serialised text (info[MESSAGE]) and nothing else of
 * it. `writeLine` takes that text directly, so a line serialised outside winston's stream (the
 * request line, see request-line.writer.ts) reaches the same transports.
 */
export abstract class LineTransport extends TransportBase {
  /**
   * Writes one serialised line (without its newline); `ascii` when the caller knows the line holds
   * ASCII characters only (the request line, see request-line.writer.ts).
   */
  abstract writeLine(line: string, ascii?: boolean): void;

  /**
   * Writes whole lines already encoded, each with its newline (request lines formatted in batches).
   * The bytes are the caller's again when this returns (request-line.offload.ts reuses them): what
   * is kept must be copied. The transports here copy them into their batch; this default writes
   * each line.
   */
  writeBytes(bytes: Uint8Array): void {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
    for (const line of text.split('\n')) if (line !== '') this.writeLine(line);
  }

  override log(info: Record<string | symbol, unknown>, callback: () => void): void {
    this.writeLine(String(info[MESSAGE]));
    callback();
  }
}

/**
 * Writes lines to stdout, those of a few milliseconds in one write (LineBatch). winston's Console transport
 * costs ~30 µs per line here (an event scheduled per line, console indirection), and a write per
 * line is a system call per request.
 */
export class StdoutTransport extends LineTransport {
  private readonly batch = new LineBatch(writeStdout);

  constructor(options?: ConstructorParameters<typeof TransportBase>[0]) {
    super(options);
    waitForStdoutAtExit();
  }

  writeLine(line: string, ascii = false): void {
    this.batch.add(line, ascii);
  }

  override writeBytes(bytes: Uint8Array): void {
    this.batch.addBytes(bytes);
  }

  override close(): void {
    this.batch.close();
  }
}
