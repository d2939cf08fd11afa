import { ContainerClient, BlobServiceClient } from '@azure/storage-blob';
import { Readable } from 'node:stream';
import { BackupStorageDriver, counted, StoredObject } from './backup-storage.driver';
import { translateStorageError } from './storage-errors';

export interface AzureDriverOptions {
  target: string;
  connectionString: string;
  container: string;
}

const BLOCK_BYTES = 4 * 1024 * 1024;

/** Azure Blob Storage: staged blocks are committed only when the stream ends. */
export class AzureBackupStorageDriver extends BackupStorageDriver {
  readonly kind = 'azure' as const;
  private readonly container: ContainerClient;
  private containerReady: Promise<unknown> | undefined;

  constructor(private readonly options: AzureDriverOptions) {
    super();
    this.container = BlobServiceClient.fromConnectionString(options.connectionString, {
      retryOptions: { maxTries: 2, tryTimeoutInMs: 30_000 },
    }).getContainerClient(options.container);
  }

  async put(key: string, body: Readable): Promise<number> {
    const upload = counted(body);
    try {
      this.containerReady ??= this.container.createIfNotExists();
      await this.containerReady;
      await this.container.getBlockBlobClient(key).uploadStream(upload.stream, BLOCK_BYTES, 2);
      return upload.bytes();
    } catch (error) {
      this.containerReady = undefined;
      body.destroy();
      throw translateStorageError(this.options.target, error);
    }
  }

  async get(key: string): Promise<Readable> {
    try {
      const download = await this.container.getBlobClient(key).download();
      return download.readableStreamBody as Readable;
    } catch (error) {
      throw translateStorageError(this.options.target, error, key);
    }
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const found: StoredObject[] = [];
    try {
      for await (const blob of this.container.listBlobsFlat({ prefix })) {
        found.push({
          key: blob.name,
          size: blob.properties.contentLength ?? 0,
          modifiedAt: blob.properties.lastModified,
        });
      }
    } catch (error) {
      const translated = translateStorageError(this.options.target, error);
      // A container that does not exist yet holds no backups.
      if ((error as { code?: string }).code === 'ContainerNotFound') return [];
      throw translated;
    }
    return found;
  }

  async stat(key: string): Promise<StoredObject | null> {
    try {
      const properties = await this.container.getBlobClient(key).getProperties();
      return {
        key,
        size: properties.contentLength ?? 0,
        modifiedAt: properties.lastModified ?? new Date(0),
      };
    } catch (error) {
      const translated = translateStorageError(this.options.target, error, key);
      if (translated.code === 'BACKUP_NOT_FOUND') return null;
      throw translated;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.container.getBlobClient(key).deleteIfExists();
    } catch (error) {
      throw translateStorageError(this.options.target, error, key);
    }
  }
}
