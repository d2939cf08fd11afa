import { Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { AppConfig } from '../config/app-config';
import { Database } from '../database/database';
import { BackupMetrics } from './backup.metrics';
import { BackupService } from './backup.service';

/**
 * Registers one cron job per configured schedule when the app runs with the scheduler (the HTTP
 * service; the CLI boots without it). A Postgres advisory lock makes one replica run each job; a run
 * that finds the previous one still going is skipped and counted.
 */
@Injectable()
export class BackupScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger('Backup');
  private readonly active = new Set<string>();

  constructor(
    private readonly config: AppConfig,
    private readonly database: Database,
    private readonly backups: BackupService,
    private readonly metrics: BackupMetrics,
    @Optional() private readonly registry?: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.registry || !this.config.backup.enabled) return;
    for (const [name, schedule] of Object.entries(this.config.backup.schedules)) {
      const job = CronJob.from({
        cronTime: schedule.cron,
        timeZone: schedule.timeZone,
        onTick: () => void this.trigger(name),
        start: false,
      });
      this.registry.addCronJob(`backup:${name}`, job);
      job.start();
      this.logger.log({
        message: `backup schedule ${name}: ${schedule.cron} (${schedule.timeZone})`,
        event: 'backup.schedule',
      });
    }
  }

  /** One scheduled run: backup, optional verification and pruning. Returns false when skipped. */
  async trigger(name: string): Promise<boolean> {
    const schedule = this.config.backup.schedules[name];
    if (this.active.has(name)) {
      this.metrics.skipped.inc({ schedule: name });
      this.logger.warn({
        message: `backup schedule ${name} skipped: previous run still going`,
        event: 'backup.skipped',
      });
      return false;
    }
    this.active.add(name);
    try {
      const locked = await this.database.withAdvisoryLock(
        `cryoprotect:backup-schedule:${name}`,
        async () => {
          const report = await this.backups.run({ targets: schedule.targets, schedule: name });
          for (const result of report.results) {
            if (!result.ok) continue;
            if (schedule.verify !== 'none') {
              await this.backups
                .verify(result.manifest.id, {
                  target: result.target,
                  full: schedule.verify === 'full',
                  schedule: name,
                })
                .catch((error: Error) =>
                  this.logger.error({
                    message: `verification of ${result.manifest.id} failed: ${error.message}`,
                    event: 'backup.verify.failure',
                  }),
                );
            }
            if (schedule.prune) await this.backups.prune({ target: result.target });
          }
        },
      );
      if (!locked.acquired) {
        this.metrics.skipped.inc({ schedule: name });
        return false;
      }
      return true;
    } catch (error) {
      this.logger.error({
        message: `backup schedule ${name} failed: ${(error as Error).message}`,
        event: 'backup.failure',
      });
      return true;
    } finally {
      this.active.delete(name);
    }
  }
}
