import { join } from 'node:path';
import { BackupTargetConfig } from '../../config/sections/backup.section';
import { AzureBackupStorageDriver } from './azure.driver';
import { BackupStorageDriver } from './backup-storage.driver';
import { GcsBackupStorageDriver } from './gcs.driver';
import { LocalBackupStorageDriver } from './local.driver';
import { S3BackupStorageDriver } from './s3.driver';

/** The one place a target's driver is chosen. */
export function createStorageDriver(
  name: string,
  target: BackupTargetConfig,
  dataDir: string,
): BackupStorageDriver {
  switch (target.driver) {
    case 'local':
      return new LocalBackupStorageDriver({
        target: name,
        root: target.path ?? join(dataDir, 'backups'),
      });
    case 's3':
      return new S3BackupStorageDriver({ target: name, ...target });
    case 'azure':
      return new AzureBackupStorageDriver({ target: name, ...target });
    case 'gcs':
      return new GcsBackupStorageDriver({ target: name, ...target });
    default: {
      const unknown: never = target;
      throw new Error(`unknown backup driver ${JSON.stringify(unknown)}`);
    }
  }
}
