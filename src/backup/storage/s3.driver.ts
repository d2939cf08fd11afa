import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectsV2CommandOutput,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import { BackupStorageDriver, counted, StoredObject } from './backup-storage.driver';
import { translateStorageError } from './storage-errors';

export interface S3DriverOptions {
  target: string;
  bucket: string;
  region: string;
  endpoint?: string;
  forcePathStyle: boolean;
  accessKeyId?: string;
  secretAccessKey?: string;
  partSizeBytes: number;
}

/** S3 and S3-compatible stores: multipart upload, so an interrupted upload never becomes an object. */
export class S3BackupStorageDriver extends BackupStorageDriver {
  readonly kind = 's3' as const;
  private readonly client: S3Client;

  constructor(private readonly options: S3DriverOptions) {
    super();
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      maxAttempts: 2,
      ...(options.accessKeyId && options.secretAccessKey
        ? {
            credentials: {
              accessKeyId: options.accessKeyId,
              secretAccessKey: options.secretAccessKey,
            },
          }
        : {}),
    });
  }

  async put(key: string, body: Readable): Promise<number> {
    const upload = counted(body);
    const multipart = new Upload({
      client: this.client,
      params: { Bucket: this.options.bucket, Key: key, Body: upload.stream },
      partSize: this.options.partSizeBytes,
      queueSize: 2,
      // A failed upload aborts its multipart upload, so no parts are left behind.
      leavePartsOnError: false,
    });
    try {
      await multipart.done();
      return upload.bytes();
    } catch (error) {
      body.destroy();
      throw translateStorageError(this.options.target, error);
    }
  }

  async get(key: string): Promise<Readable> {
    try {
      const result = await this.client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: key }),
      );
      return result.Body as Readable;
    } catch (error) {
      throw translateStorageError(this.options.target, error, key);
    }
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const found: StoredObject[] = [];
    let token: string | undefined;
    try {
      do {
        const page: ListObjectsV2CommandOutput = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.options.bucket,
            Prefix: prefix,
            ContinuationToken: token,
          }),
        );
        for (const object of page.Contents ?? []) {
          found.push({
            key: object.Key!,
            size: object.Size ?? 0,
            modifiedAt: object.LastModified ?? new Date(0),
          });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (error) {
      throw translateStorageError(this.options.target, error);
    }
    return found;
  }

  async stat(key: string): Promise<StoredObject | null> {
    try {
      const head = await this.client.send(
        new HeadObjectCommand({ Bucket: this.options.bucket, Key: key }),
      );
      return { key, size: head.ContentLength ?? 0, modifiedAt: head.LastModified ?? new Date(0) };
    } catch (error) {
      const translated = translateStorageError(this.options.target, error, key);
      if (translated.code === 'BACKUP_NOT_FOUND') return null;
      throw translated;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: key }));
    } catch (error) {
      const translated = translateStorageError(this.options.target, error, key);
      if (translated.code !== 'BACKUP_NOT_FOUND') throw translated;
    }
  }
}
