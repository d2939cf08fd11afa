import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { BackupTargetConfig } from '../config/sections/backup.section';
import { BackupErrors } from './backup.errors';
import { BackupStorageDriver } from './storage/backup-storage.driver';
import { createStorageDriver } from './storage/storage.factory';

export interface BackupTarget {
  name: string;
  driver: BackupStorageDriver;
  /** Key prefix ending in '/' (or empty). */
  prefix: string;
  config: BackupTargetConfig;
}

/** Every configured target with its driver, created once at boot. */
@Injectable()
export class BackupTargets {
  private readonly targets: Map<string, BackupTarget>;

  constructor(config: AppConfig) {
    this.targets = new Map(
      Object.entries(config.backup.targets).map(([name, target]) => [
        name,
        {
          name,
          driver: createStorageDriver(name, target, config.dataDir),
          prefix:
            target.prefix && !target.prefix.endsWith('/') ? `${target.prefix}/` : target.prefix,
          config: target,
        },
      ]),
    );
  }

  all(): BackupTarget[] {
    return [...this.targets.values()];
  }

  get(name: string): BackupTarget {
    const target = this.targets.get(name);
    if (!target) throw BackupErrors.unknownTarget(name);
    return target;
  }

  /** The named targets, or all of them. */
  select(names?: readonly string[]): BackupTarget[] {
    return names && names.length > 0 ? names.map((name) => this.get(name)) : this.all();
  }
}
