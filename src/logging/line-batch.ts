/** Pending text above this size is written at once rather than at the end of the interval. */
const MAX_PENDING_CHARS = 64 * 1024;

/** Lines wait at most this long for the write that takes them. */
export const FLUSH_INTERVAL_MS = 5;

const open = new Set<LineBatch>();
let exitHookInstalled = false;

/**
 * Log lines collected for a few milliseconds and written together: one write system call per 5 ms
 * instead of one per line (a system call costs microseconds on this VM, as much as building the
 * line; under load an event-loop turn answers only a request or two, so a write per turn was still
 * a write per request or two). Lines are written 5 ms after the first of them, as soon as more than
 * 64 KiB are pending, on close, and synchronously when the process exits, so a graceful shutdown,
 * process.exit() or a crash loses none; only a SIGKILL can drop the last 5 ms of lines.
 */
export class LineBatch {
  private pending = '';
  private scheduled = false;

  constructor(
    private readonly write: (text: string) => void,
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

  add(line: string): void {
    this.pending += line;
    if (this.pending.length >= MAX_PENDING_CHARS) this.flush();
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
    if (this.pending.length === 0) return;
    const text = this.pending;
    this.pending = '';
    this.write(text);
  }

  /** Writes what is pending; later lines are still written but no longer flushed at exit. */
  close(): void {
    this.flush();
    open.delete(this);
  }
}
