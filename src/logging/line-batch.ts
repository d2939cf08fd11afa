/** Pending text above this size is written at once rather than at the end of the turn. */
const MAX_PENDING_CHARS = 64 * 1024;

const open = new Set<LineBatch>();
let exitHookInstalled = false;

/**
 * Log lines collected during one turn of the event loop and written together: one write system
 * call per turn instead of one per line (a system call costs microseconds on this VM, as much as
 * building the line). Lines are written at the end of the turn (setImmediate), as soon as more
 * than 64 KiB are pending, on close, and synchronously when the process exits, so a graceful
 * shutdown, process.exit() or a crash loses none; only a SIGKILL can drop the current turn's lines.
 */
export class LineBatch {
  private pending = '';
  private scheduled = false;

  constructor(private readonly write: (text: string) => void) {
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
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
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
