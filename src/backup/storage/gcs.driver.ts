import { Bucket, Storage } from '@google-cloud/storage';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BackupStorageDriver, counted, StoredObject } from './backup-storage.driver';
import { translateStorageError } from './storage-errors';

export interface GcsDriverOptions {
  target: string;
  bucket: string;
  projectId?: string;
  keyFilename?: string;
  apiEndpoint?: string;
}

/** Google Cloud Storage: resumable upload, finalised only by its last chunk. */
export class GcsBackupStorageDriver extends BackupStorageDriver {
  readonly kind = 'gcs' as const;
  private readonly bucket: Bucket;

  constructor(private readonly options: GcsDriverOptions) {
    super();
    this.bucket = new Storage({
      projectId: options.projectId,
      keyFilename: options.keyFilename,
      apiEndpoint: options.apiEndpoint,
      retryOptions: { maxRetries: 1 },
    }).bucket(options.bucket);
  }

  async put(key: string, body: Readable): Promise<number> {
    const upload = counted(body);
    try {
      await pipeline(
        upload.stream,
        this.bucket
          .file(key)
          .createWriteStream({ resumable: true, chunkSize: 8 * 1024 * 1024, validation: 'crc32c' }),
      );
      return upload.bytes();
    } catch (error) {
      throw translateStorageError(this.options.target, error);
    }
  }

  async get(key: string): Promise<Readable> {
    const file = this.bucket.file(key);
    try {
      const [exists] = await file.exists();
      if (!exists) throw translateStorageError(this.options.target, { code: 404 }, key);
    } catch (error) {
      throw translateStorageError(this.options.target, error, key);
    }
    return file.createReadStream();
  }

  async list(prefix: string): Promise<StoredObject[]> {
    try {
      const [files] = await this.bucket.getFiles({ prefix });
      return files.map((file) => ({
        key: file.name,
        size: Number(file.metadata.size ?? 0),
        modifiedAt: new Date(String(file.metadata.updated ?? 0)),
      }));
    } catch (error) {
      throw translateStorageError(this.options.target, error);
    }
  }

  async stat(key: string): Promise<StoredObject | null> {
    try {
      const [metadata] = await this.bucket.file(key).getMetadata();
      return {
        key,
        size: Number(metadata.size ?? 0),
        modifiedAt: new Date(String(metadata.updated ?? 0)),
      };
    } catch (error) {
      const translated = translateStorageError(this.options.target, error, key);
      if (translated.code === 'BACKUP_NOT_FOUND') return null;
      throw translated;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.bucket.file(key).delete({ ignoreNotFound: true });
    } catch (error) {
      throw translateStorageError(this.options.target, error, key);
    }
  }
}
