import { z } from 'zod';
import { zodDto } from '../common/zod';

export const runBackupSchema = z.strictObject({
  /** Target names; unset: every target. */
  targets: z.array(z.string()).optional(),
});
export class RunBackupDto extends zodDto('RunBackup', runBackupSchema) {}

export const verifyBackupSchema = z.strictObject({
  full: z.boolean().default(false),
  target: z.string().optional(),
});
export class VerifyBackupDto extends zodDto('VerifyBackup', verifyBackupSchema) {}

export const backupQuerySchema = z.strictObject({
  target: z.string().optional(),
});
export class BackupQueryDto extends zodDto('BackupQuery', backupQuerySchema) {}
