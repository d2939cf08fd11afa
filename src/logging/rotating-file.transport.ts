import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname, extname } from 'node:path';
import { FLUSH_INTERVAL_MS, LineBatch, lineRoom, NEWLINE } from './line-batch';
import { LineTransport } from './stdout.transport';

export interface RotatingFileOptions {
  filename: string;
  maxBytes: number;
  /** Files kept, the current one included: name.log, name1.log, … name{maxFiles-1}.log. */
  maxFiles: number;
}

/**
 * Appends lines to a file and rotates it by size. Written because winston's File transport loses
 * lines when a burst of writes crosses maxsize (measured: 27 of 4000 lines gone at one rotation).
 * The lines of a few milliseconds (LineBatch) are appended with one synchronous write (kilobytes to
 * the page cache), so they are in the file, in order, within 5 ms and at process exit.
 * Rotation happens between two lines: what is pending goes to the old file, then it is renamed.
 */
export class RotatingFileTransport extends LineTransport {
  /** The open file; -1 while it cannot be opened (each write tries again). */
  private fd: number;
  private size: number;
  private readonly batch = new LineBatch((bytes) => this.append(bytes), FLUSH_INTERVAL_MS);

  constructor(private readonly options: RotatingFileOptions) {
    super();
    mkdirSync(dirname(options.filename), { recursive: true });
    this.size = existsSync(options.filename) ? statSync(options.filename).size : 0;
    this.fd = openSync(options.filename, 'a');
  }

  writeLine(text: string, ascii = false): void {
    // The line's exact size is only counted when its largest possible size would cross the limit.
    if (this.size + lineRoom(text, ascii) > this.options.maxBytes)
      this.rotateBefore(Buffer.byteLength(text) + 1);
    this.size += this.batch.add(text, ascii);
  }

  override writeBytes(bytes: Uint8Array): void {
    if (this.size + bytes.length <= this.options.maxBytes) {
      this.batch.addBytes(bytes);
      this.size += bytes.length;
      return;
    }
    // The lines would cross the limit: line by line, rotating between two lines as writeLine does.
    for (let start = 0; start < bytes.length;) {
      const newline = bytes.indexOf(NEWLINE, start);
      const end = newline === -1 ? bytes.length : newline + 1;
      this.rotateBefore(end - start);
      this.batch.addBytes(bytes.subarray(start, end));
      this.size += end - start;
      start = end;
    }
  }

  /** Rotates when `bytes` more would take a non-empty file past maxBytes (what is pending first). */
  private rotateBefore(bytes: number): void {
    if (this.size > 0 && this.size + bytes > this.options.maxBytes) {
      this.batch.flush();
      this.rotate();
    }
  }

  override close(): void {
    this.batch.close();
    this.closeFile();
  }

  /**
   * Appends the bytes synchronously: done with them when it returns (true). Bytes that cannot be
   * written (disk full, a log directory that cannot be made again) are dropped and reported.
   */
  private append(bytes: Buffer): true {
    if (this.fd === -1) this.fd = this.open();
    if (this.fd === -1) return true;
    try {
      for (let written = 0; written < bytes.length;)
        written += writeSync(this.fd, bytes, written, bytes.length - written);
    } catch (error) {
      // A failed write (disk full) must not stop the service; it is reported, as winston does.
      this.emit('warn', error);
    }
    return true;
  }

  /** The path of the n-th older file (0 is the current one). */
  private numbered(n: number): string {
    const { filename } = this.options;
    if (n === 0) return filename;
    const extension = extname(filename);
    return `${filename.slice(0, filename.length - extension.length)}${n}${extension}`;
  }

  private rotate(): void {
    this.closeFile();
    try {
      const oldest = this.options.maxFiles - 1;
      rmSync(this.numbered(Math.max(oldest, 0)), { force: true });
      for (let n = oldest - 1; n >= 0; n--) {
        if (existsSync(this.numbered(n))) renameSync(this.numbered(n), this.numbered(n + 1));
      }
    } catch (error) {
      // A failed rotation must not stop logging: keep appending to the current file.
      this.emit('warn', error);
    }
    this.fd = this.open();
    this.size = 0;
  }

  /**
   * Opens the file for appending, making its directory again if it was removed (a clean-up of the
   * log directory while the service runs); -1, reported, when that fails. A rotation or write must
   * not throw: it runs in the lines' timers, where an exception would stop the service.
   */
  private open(): number {
    try {
      mkdirSync(dirname(this.options.filename), { recursive: true });
      return openSync(this.options.filename, 'a');
    } catch (error) {
      this.emit('warn', error);
      return -1;
    }
  }

  private closeFile(): void {
    if (this.fd === -1) return;
    try {
      closeSync(this.fd);
    } catch (error) {
      this.emit('warn', error);
    }
    this.fd = -1;
  }
}
