import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BackupStorageDriver, StoredObject } from './backup-storage.driver';
import { translateStorageError } from './storage-errors';

export interface LocalDriverOptions {
  target: string;
  /** Root folder of this target. */
  root: string;
}

/** Local disk: writes to a temporary name, fsyncs through close, then renames into place. */
export class LocalBackupStorageDriver extends BackupStorageDriver {
  readonly kind = 'local' as const;

  constructor(private readonly options: LocalDriverOptions) {
    super();
  }

  async put(key: string, body: Readable): Promise<number> {
    const path = this.pathOf(key);
    const temporary = `${path}.partial-${randomBytes(4).toString('hex')}`;
    try {
      await mkdir(dirname(path), { recursive: true });
      const out = createWriteStream(temporary, { flush: true });
      await pipeline(body, out);
      await rename(temporary, path);
      return out.bytesWritten;
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => undefined);
      throw translateStorageError(this.options.target, error);
    }
  }

  async get(key: string): Promise<Readable> {
    const path = this.pathOf(key);
    try {
      await stat(path);
    } catch (error) {
      throw translateStorageError(this.options.target, error, key);
    }
    return createReadStream(path, { highWaterMark: 1024 * 1024 });
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const found: StoredObject[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw translateStorageError(this.options.target, error);
      }
      for (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          await walk(path);
          continue;
        }
        const key = relative(this.options.root, path).split(sep).join('/');
        if (!key.startsWith(prefix)) continue;
        const info = await stat(path);
        found.push({ key, size: info.size, modifiedAt: info.mtime });
      }
    };
    await walk(this.options.root);
    return found.sort((a, b) => a.key.localeCompare(b.key));
  }

  async stat(key: string): Promise<StoredObject | null> {
    try {
      const info = await stat(this.pathOf(key));
      return { key, size: info.size, modifiedAt: info.mtime };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw translateStorageError(this.options.target, error, key);
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    await rm(path, { force: true });
    // Remove the backup's folder once it is empty; a non-empty folder stays.
    await rmdir(dirname(path)).catch(() => undefined);
  }

  private pathOf(key: string): string {
    const path = join(this.options.root, ...key.split('/'));
    if (!path.startsWith(this.options.root + sep)) throw new Error(`invalid backup key ${key}`);
    return path;
  }
}
