import { Module } from '@nestjs/common';
import { BackupCatalog } from './backup-catalog';
import { BackupController } from './backup.controller';
import { BackupKeyring } from './backup-keyring';
import { BackupMetrics } from './backup.metrics';
import { BackupReader } from './backup-reader';
import { BackupRestorer } from './backup-restorer';
import { BackupScheduler } from './backup.scheduler';
import { BackupService } from './backup.service';
import { BackupTargets } from './backup-targets';

/** Scheduled, compressed, encrypted, verified backups to local disk, S3, Azure Blob and GCS, and restore. */
@Module({
  controllers: [BackupController],
  providers: [
    BackupTargets,
    BackupKeyring,
    BackupCatalog,
    BackupReader,
    BackupRestorer,
    BackupMetrics,
    BackupService,
    BackupScheduler,
  ],
  exports: [BackupService],
})
export class BackupModule {}
