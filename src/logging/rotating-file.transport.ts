import {
  createWriteStream,
  existsSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  WriteStream,
} from 'node:fs';
import { dirname, extname } from 'node:path';
import { MESSAGE, TransportBase } from './stdout.transport';

export interface RotatingFileOptions {
  filename: string;
  maxBytes: number;
  /** Files kept, the current one included: name.log, name1.log, … name{maxFiles-1}.log. */
  maxFiles: number;
}

/**
 * Appends lines to a file and rotates it by size. Written because winston's File transport loses
 * lines when a burst of writes crosses maxsize (measured: 27 of 4000 lines gone at one rotation).
 * Here rotation is a synchronous rename between two writes: lines still buffered for the old file
 * land in the renamed file, in order, and the next line starts the new one.
 */
export class RotatingFileTransport extends TransportBase {
  private stream: WriteStream;
  private size: number;

  constructor(private readonly options: RotatingFileOptions) {
    super();
    mkdirSync(dirname(options.filename), { recursive: true });
    this.size = existsSync(options.filename) ? statSync(options.filename).size : 0;
    this.stream = this.open();
  }

  override log(info: Record<string | symbol, unknown>, callback: () => void): void {
    const line = `${String(info[MESSAGE])}\n`;
    const bytes = Buffer.byteLength(line);
    if (this.size > 0 && this.size + bytes > this.options.maxBytes) this.rotate();
    this.stream.write(line);
    this.size += bytes;
    callback();
  }

  override close(): void {
    this.stream.end();
  }

  /** The path of the n-th older file (0 is the current one). */
  private numbered(n: number): string {
    const { filename } = this.options;
    if (n === 0) return filename;
    const extension = extname(filename);
    return `${filename.slice(0, filename.length - extension.length)}${n}${extension}`;
  }

  private rotate(): void {
    this.stream.end();
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
    this.stream = this.open();
    this.size = 0;
  }

  private open(): WriteStream {
    // Opened synchronously so the file exists at once: a rotation right after must find it, and
    // writes buffered for this stream follow its inode when it is renamed.
    const fd = openSync(this.options.filename, 'a');
    const stream = createWriteStream(this.options.filename, { fd, flags: 'a' });
    stream.on('error', (error) => this.emit('warn', error));
    return stream;
  }
}
