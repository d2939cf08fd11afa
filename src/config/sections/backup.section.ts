import { z } from 'zod';
import { flag } from '../schema-helpers';
import { EnvBinding } from '../env-binding';

// The backup issue owns this section; it is kept permissive until that module lands.
export const backupSection = z
  .object({
    enabled: flag().default(false),
  })
  .passthrough()
  .default({ enabled: false });

export const backupEnv: EnvBinding[] = [{ env: 'BACKUP_ENABLED', path: 'backup.enabled' }];
