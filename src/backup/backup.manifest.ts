import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { DatabaseKind } from '../database/database';

export const MANIFEST_VERSION = 2;
export const MANIFEST_FILE = 'manifest.json';
export const DATA_FILE = 'data.cpbk';
export const VERIFIED_FILE = 'verified.json';

export const manifestSchema = z.object({
  format: z.literal('cryoprotect-backup'),
  /** 1: one compressed stream of a JSON-lines dump; 2: compressed blocks of a COPY-text dump. */
  version: z.union([z.literal(1), z.literal(2)]),
  id: z.string(),
  target: z.string(),
  schedule: z.string().nullable(),
  createdAt: z.string(),
  completedAt: z.string(),
  durationSeconds: z.number(),
  source: z.object({ kind: z.enum(['pglite', 'postgres']), description: z.string() }),
  schemaVersion: z.string().nullable(),
  serviceVersion: z.string(),
  tables: z.array(z.object({ name: z.string(), rows: z.number().int() })),
  compression: z.object({
    algorithm: z.enum(['gzip', 'brotli', 'none']),
    level: z.number().int(),
    /** Plaintext bytes per independently compressed block; absent: one stream (version 1). */
    blockBytes: z.number().int().positive().optional(),
  }),
  encryption: z
    .object({
      algorithm: z.literal('aes-256-gcm'),
      keyId: z.string(),
      kdf: z.enum(['hkdf-sha256', 'scrypt']),
      salt: z.string(),
      chunkSizeBytes: z.number().int(),
      keyCheck: z.string(),
    })
    .nullable(),
  data: z.object({
    key: z.string(),
    sizeBytes: z.number().int(),
    sha256: z.string(),
    plainBytes: z.number().int(),
  }),
});
export type BackupManifest = z.infer<typeof manifestSchema>;

export const verificationSchema = z.object({
  mode: z.enum(['quick', 'full']),
  verifiedAt: z.string(),
});
export type BackupVerification = z.infer<typeof verificationSchema>;

/** Sortable, unique backup ids: UTC time plus randomness. */
export function newBackupId(now: Date, random: string): string {
  return `${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${random}`;
}

/**
 * The one order of backups, newest first: by creation time (milliseconds), then id. Ids alone sort
 * only to the second, so two backups of the same second would otherwise order by their random part.
 */
export function newestFirst(
  a: { id: string; createdAt: string | Date },
  b: { id: string; createdAt: string | Date },
): number {
  return (
    new Date(b.createdAt).getTime() - new Date(a.createdAt).getTime() || b.id.localeCompare(a.id)
  );
}

export const BACKUP_ID_PATTERN = /^\d{8}T\d{6}Z-[0-9a-f]{8}$/;

export type SourceKind = DatabaseKind;

const projectRoot = resolve(__dirname, '..', '..', __dirname.includes('/dist/') ? '..' : '');

/** The service version recorded in each manifest (package.json). */
export const SERVICE_VERSION: string = (
  JSON.parse(readFileSync(resolve(projectRoot, 'package.json'), 'utf8')) as { version: string }
).version;
