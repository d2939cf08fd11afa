import { CronTime, validateCronExpression } from 'cron';
import { z } from 'zod';
import { EnvBinding } from '../env-binding';
import { flag } from '../schema-helpers';

const count = () => z.coerce.number().int().min(0);

/**
 * Brotli 2 with the 32 KiB window (streams.ts): on the benchmark database 20–25 % less compression
 * CPU than brotli 3 for 1 % more bytes (83.9 against 83.1 MiB of 411 MB), and backups 12 % shorter
 * in 20 alternating pairs on two cores, where compression shares the CPU with the server's COPY.
 */
const DEFAULT_COMPRESSION_LEVEL = { gzip: 6, brotli: 2, none: 0 } as const;

/** restic `forget` semantics: keep the newest N, and the newest of each of the last N hours/days/… */
export const retentionSchema = z.strictObject({
  keepLast: count().default(7),
  hourly: count().default(0),
  daily: count().default(7),
  weekly: count().default(4),
  monthly: count().default(6),
  yearly: count().default(0),
});

const prefix = z
  .string()
  .regex(/^[A-Za-z0-9._/-]*$/, 'may only contain letters, digits, . _ / -')
  .default('');
const common = {
  prefix,
  /** Overrides backup.retention for this target. */
  retention: retentionSchema.optional(),
};

/** One target per entry; `driver` picks the storage (unknown drivers fail validation by name). */
export const backupTargetSchema = z.discriminatedUnion('driver', [
  z.strictObject({
    driver: z.literal('local'),
    /** Folder for the backups; defaults to DATA_DIR/backups. */
    path: z.string().min(1).optional(),
    ...common,
  }),
  z.strictObject({
    driver: z.literal('s3'),
    bucket: z.string().min(1),
    region: z.string().min(1).default('us-east-1'),
    /** For S3-compatible stores (MinIO, s3rver…). */
    endpoint: z.url().optional(),
    forcePathStyle: flag().default(false),
    /** Unset: the AWS SDK's default credential chain (instance role, AWS_* variables, profile). */
    accessKeyId: z.string().min(1).optional(),
    secretAccessKey: z.string().min(1).optional(),
    partSizeBytes: z.coerce
      .number()
      .int()
      .min(5 * 1024 * 1024)
      .default(8 * 1024 * 1024),
    ...common,
  }),
  z.strictObject({
    driver: z.literal('azure'),
    connectionString: z.string().min(1),
    container: z.string().min(3),
    ...common,
  }),
  z.strictObject({
    driver: z.literal('gcs'),
    bucket: z.string().min(1),
    projectId: z.string().min(1).optional(),
    /** Service-account key file; unset: Application Default Credentials. */
    keyFilename: z.string().min(1).optional(),
    /** Custom endpoint (tests); unset: Google's. */
    apiEndpoint: z.url().optional(),
    ...common,
  }),
]);
export type BackupTargetConfig = z.infer<typeof backupTargetSchema>;

const cronExpression = z.string().superRefine((value, ctx) => {
  const result = validateCronExpression(value);
  if (!result.valid)
    ctx.addIssue({ code: 'custom', message: `invalid cron expression "${value}"` });
});

const timeZone = z.string().superRefine((value, ctx) => {
  try {
    new CronTime('0 * * * *', value);
  } catch {
    ctx.addIssue({ code: 'custom', message: `unknown time zone "${value}"` });
  }
});

export const backupScheduleSchema = z.strictObject({
  cron: cronExpression,
  timeZone: timeZone.default('UTC'),
  /** Target names; unset: every target. */
  targets: z.array(z.string()).optional(),
  /** Verification after each scheduled backup. */
  verify: z.enum(['none', 'quick', 'full']).default('quick'),
  /** Apply retention to the targets after a successful run. */
  prune: flag().default(true),
});

const base64Key = z.string().superRefine((value, ctx) => {
  if (Buffer.from(value, 'base64').length !== 32) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be 32 bytes, base64-encoded (openssl rand -base64 32)',
    });
  }
});

/** A key by id: a raw 32-byte key, or a passphrase stretched with scrypt. */
export const backupKeySchema = z.union([
  z.strictObject({ key: base64Key }),
  z.strictObject({ passphrase: z.string().min(12, 'must be at least 12 characters') }),
]);

export const backupSection = z
  .strictObject({
    /** Runs the schedules in the HTTP service; the CLI and API work either way. */
    enabled: flag().default(true),
    /** false stores backups unencrypted (only when explicitly configured). */
    encryption: flag().default(true),
    /** Key from BACKUP_ENCRYPTION_KEY (base64, 32 bytes); stored under `keyId`. */
    encryptionKey: base64Key.optional(),
    /** Passphrase from BACKUP_PASSPHRASE; used when no raw key is set; stored under `keyId`. */
    passphrase: z.string().min(12, 'must be at least 12 characters').optional(),
    /** Id of the key given by encryptionKey / passphrase. */
    keyId: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/)
      .default('primary'),
    /** Older (or additional) keys by id, so backups made before a rotation stay readable. */
    keys: z.record(z.string().regex(/^[A-Za-z0-9._-]{1,64}$/), backupKeySchema).default({}),
    /** Id of the key new backups use; defaults to keyId. */
    activeKeyId: z.string().optional(),
    compression: z
      .strictObject({
        // brotli compresses the dump's COPY text faster than gzip and smaller (docs/backup.md).
        algorithm: z.enum(['gzip', 'brotli', 'none']).default('brotli'),
        /** gzip 0–9 (default 6), brotli 0–11 (default 2). */
        level: z.coerce.number().int().min(0).max(11).optional(),
      })
      .refine((c) => c.algorithm !== 'gzip' || c.level === undefined || c.level <= 9, {
        message: 'gzip levels are 0–9',
        path: ['level'],
      })
      .transform((c) => ({
        algorithm: c.algorithm,
        level: c.level ?? DEFAULT_COMPRESSION_LEVEL[c.algorithm],
      }))
      .default({ algorithm: 'brotli', level: DEFAULT_COMPRESSION_LEVEL.brotli }),
    /** Plaintext bytes per encrypted chunk. */
    chunkSizeBytes: z.coerce
      .number()
      .int()
      .min(4 * 1024)
      .max(16 * 1024 * 1024)
      .default(1024 * 1024),
    targets: z.record(z.string().regex(/^[a-z0-9_-]{1,40}$/), backupTargetSchema).default({
      local: { driver: 'local', prefix: '' },
    }),
    schedules: z.record(z.string().regex(/^[a-z0-9_-]{1,40}$/), backupScheduleSchema).default({}),
    retention: retentionSchema.default(retentionSchema.parse({})),
    retry: z
      .strictObject({
        attempts: z.coerce.number().int().min(1).max(10).default(3),
        baseDelayMs: z.coerce.number().int().min(0).default(1000),
      })
      .default({ attempts: 3, baseDelayMs: 1000 }),
    /** /health/ready reports a backup older than this as stale (readiness never fails on it). */
    staleAfterHours: z.coerce.number().positive().default(26),
  })
  .superRefine((backup, ctx) => {
    for (const [name, schedule] of Object.entries(backup.schedules)) {
      for (const target of schedule.targets ?? []) {
        if (!(target in backup.targets)) {
          ctx.addIssue({
            code: 'custom',
            path: ['schedules', name, 'targets'],
            message: `unknown target "${target}"`,
          });
        }
      }
    }
    if (
      backup.activeKeyId &&
      backup.activeKeyId !== backup.keyId &&
      !(backup.activeKeyId in backup.keys)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['activeKeyId'],
        message: `no key with id "${backup.activeKeyId}"`,
      });
    }
  })
  .prefault({});

export type BackupConfig = z.infer<typeof backupSection>;

export const backupEnv: EnvBinding[] = [
  { env: 'BACKUP_ENABLED', path: 'backup.enabled' },
  { env: 'BACKUP_ENCRYPTION', path: 'backup.encryption' },
  { env: 'BACKUP_ENCRYPTION_KEY', path: 'backup.encryptionKey' },
  { env: 'BACKUP_PASSPHRASE', path: 'backup.passphrase' },
  { env: 'BACKUP_KEY_ID', path: 'backup.keyId' },
];
