import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { pipeline } from 'node:stream/promises';
import { availableParallelism } from 'node:os';
import { PassThrough } from 'node:stream';
import { AppError } from '../common/app-error';
import { AppConfig } from '../config/app-config';
import { Database } from '../database/database';
import { HealthContributors } from '../health/health-contributors';
import { BackupErrors } from './backup.errors';
import {
  BackupManifest,
  BackupVerification,
  newBackupId,
  MANIFEST_VERSION,
  newestFirst,
  SERVICE_VERSION,
} from './backup.manifest';
import { BackupMetrics } from './backup.metrics';
import { BackupCatalog, CatalogEntry } from './backup-catalog';
import { BackupKeyring } from './backup-keyring';
import { BackupReader } from './backup-reader';
import { BackupRestorer, RestoreOptions, RestoreReport } from './backup-restorer';
import { BackupTarget, BackupTargets } from './backup-targets';
import { EncryptStream, newEncryptionParams } from './pipeline/encryption';
import { snapshotStream } from './pipeline/snapshot';
import { BlockCompressStream, CountStream, HashStream } from './pipeline/streams';
import { applyRetention, RetentionDecision } from './retention';

/**
 * 4 MiB blocks: brotli's window is 4 MiB at its default, so larger blocks compress no smaller
 * (measured on the benchmark database), and smaller ones lose ratio at every block start.
 */
const COMPRESSION_BLOCK_BYTES = 4 * 1024 * 1024;
/** Blocks in flight: one per core compressing, plus one, so the next block fills meanwhile. */
const compressionConcurrency = () => availableParallelism() + 1;

export interface RunOptions {
  targets?: readonly string[];
  /** Name of the schedule that triggered the run; null for manual runs. */
  schedule?: string | null;
}

export type TargetOutcome =
  | {
      target: string;
      ok: true;
      manifest: BackupManifest;
      attempts: number;
      leftoversRemoved: number;
    }
  | { target: string; ok: false; code: string; message: string; attempts: number };

export interface RunReport {
  ok: boolean;
  results: TargetOutcome[];
}

export interface BackupSummary extends BackupManifest {
  verification: BackupVerification | null;
}

export interface VerifyReport {
  id: string;
  target: string;
  mode: 'quick' | 'full';
  sizeBytes: number;
  sha256: string;
  tables?: { name: string; rows: number }[];
}

export interface PruneReport {
  target: string;
  dryRun: boolean;
  keep: RetentionDecision['keep'];
  removed: string[];
}

/**
 * Runs, lists, verifies and prunes backups. A run takes a consistent snapshot and streams it through
 * compression, chunked AES-256-GCM and SHA-256 to each target (each target gets its own snapshot
 * and id, so one failing target never blocks the others), then writes the manifest last.
 */
@Injectable()
export class BackupService implements OnModuleInit {
  private readonly logger = new Logger('Backup');
  private readonly running = new Set<string>();
  private freshness: { checkedAt: number; newest: string | null } | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly database: Database,
    private readonly targets: BackupTargets,
    private readonly catalog: BackupCatalog,
    private readonly keyring: BackupKeyring,
    private readonly reader: BackupReader,
    private readonly restorer: BackupRestorer,
    private readonly metrics: BackupMetrics,
    private readonly health: HealthContributors,
  ) {}

  onModuleInit(): void {
    this.health.register(async () => ({ backup: await this.freshnessReport() }));
  }

  async run(options: RunOptions = {}): Promise<RunReport> {
    // Refuses before touching any target when encryption is on and no key is configured.
    this.keyring.active();
    const targets = this.targets.select(options.targets);
    const results: TargetOutcome[] = [];
    for (const target of targets)
      results.push(await this.runTarget(target, options.schedule ?? null));
    this.freshness = undefined;
    return { ok: results.every((result) => result.ok), results };
  }

  async list(targetName?: string): Promise<BackupSummary[]> {
    const targets = targetName ? [this.targets.get(targetName)] : this.targets.all();
    const lists = await Promise.all(targets.map((target) => this.catalog.list(target)));
    return lists.flat().map(summary).sort(newestFirst);
  }

  async get(id: string, targetName?: string): Promise<BackupSummary> {
    const { target, entry } = await this.locate(id, targetName);
    return summary({ ...entry, manifest: { ...entry.manifest, target: target.name } });
  }

  async verify(
    id: string,
    options: { full?: boolean; target?: string; schedule?: string | null } = {},
  ): Promise<VerifyReport> {
    const { target, entry } = await this.locate(id, options.target);
    const manifest = entry.manifest;
    const mode = options.full ? 'full' : 'quick';
    let tables: VerifyReport['tables'];
    if (options.full) {
      tables = await this.restorer.restoreIntoScratch(target, manifest);
    } else {
      await this.reader.keyFor(manifest);
      const opened = await this.reader.open(target, manifest, false);
      await pipeline(opened.stream, new PassThrough().resume());
      opened.assertIntact();
    }
    await this.catalog.markVerified(target, id, { mode, verifiedAt: new Date().toISOString() });
    this.metrics.verifyLastSuccess.set(
      { target: target.name, schedule: options.schedule ?? 'manual' },
      Date.now() / 1000,
    );
    this.logger.log({
      message: 'backup verified',
      event: 'backup.verify.success',
      backupId: id,
      target: target.name,
      mode,
    });
    return {
      id,
      target: target.name,
      mode,
      sizeBytes: manifest.data.sizeBytes,
      sha256: manifest.data.sha256,
      tables,
    };
  }

  async prune(options: { dryRun?: boolean; target?: string } = {}): Promise<PruneReport[]> {
    const reports: PruneReport[] = [];
    for (const target of this.targets.select(options.target ? [options.target] : undefined)) {
      const entries = await this.catalog.list(target);
      const decision = applyRetention(
        entries.map((entry) => ({
          id: entry.manifest.id,
          createdAt: new Date(entry.manifest.createdAt),
          verified: entry.verification !== null,
        })),
        target.config.retention ?? this.config.backup.retention,
      );
      if (!options.dryRun) {
        for (const id of decision.remove) await this.catalog.remove(target, id);
        if (decision.remove.length > 0) {
          this.logger.log({
            message: 'backups pruned',
            event: 'backup.prune',
            target: target.name,
            removed: decision.remove,
          });
        }
      }
      reports.push({
        target: target.name,
        dryRun: options.dryRun ?? false,
        keep: decision.keep,
        removed: decision.remove,
      });
    }
    return reports;
  }

  /** Restores a backup into an empty database (see BackupRestorer). */
  async restore(
    id: string,
    options: RestoreOptions & { target?: string } = {},
  ): Promise<RestoreReport> {
    const { target, entry } = await this.locate(id, options.target);
    return this.restorer.restore(target, entry.manifest, options);
  }

  /** Finds a backup by id on the named target, or on the first target that has it. */
  async locate(
    id: string,
    targetName?: string,
  ): Promise<{ target: BackupTarget; entry: CatalogEntry }> {
    const candidates = targetName ? [this.targets.get(targetName)] : this.targets.all();
    for (const target of candidates) {
      try {
        return { target, entry: await this.catalog.get(target, id) };
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'BACKUP_NOT_FOUND' || targetName)
          throw error;
      }
    }
    throw BackupErrors.notFound(id);
  }

  private async runTarget(target: BackupTarget, schedule: string | null): Promise<TargetOutcome> {
    const labels = { target: target.name, schedule: schedule ?? 'manual' };
    const { attempts, baseDelayMs } = this.config.backup.retry;
    if (this.running.has(target.name)) {
      return {
        target: target.name,
        ok: false,
        code: 'BACKUP_ALREADY_RUNNING',
        message: BackupErrors.alreadyRunning().message,
        attempts: 0,
      };
    }
    this.running.add(target.name);
    try {
      let lastError: AppError | undefined;
      for (let attempt = 1; attempt <= attempts; attempt++) {
        const started = Date.now();
        this.logger.log({
          message: 'backup started',
          event: 'backup.start',
          target: target.name,
          schedule,
          attempt,
        });
        try {
          const locked = await this.database.withAdvisoryLock(
            `cryoprotect:backup:${target.name}`,
            () => this.backupTo(target, schedule),
          );
          if (!locked.acquired) throw BackupErrors.alreadyRunning();
          const { manifest, leftoversRemoved } = locked.result;
          const seconds = (Date.now() - started) / 1000;
          this.metrics.lastSuccess.set(labels, Date.now() / 1000);
          this.metrics.duration.observe(labels, seconds);
          this.metrics.size.set(labels, manifest.data.sizeBytes);
          this.logger.log({
            message: 'backup succeeded',
            event: 'backup.success',
            target: target.name,
            schedule,
            backupId: manifest.id,
            sizeBytes: manifest.data.sizeBytes,
            durationSeconds: seconds,
          });
          return { target: target.name, ok: true, manifest, attempts: attempt, leftoversRemoved };
        } catch (error) {
          lastError =
            error instanceof AppError ? error : BackupErrors.targetFailed(target.name, error);
          this.logger.warn({
            message: `backup failed: ${lastError.message}`,
            event: 'backup.failure',
            target: target.name,
            schedule,
            attempt,
            code: lastError.code,
          });
          if (lastError.code === 'BACKUP_ALREADY_RUNNING' || lastError.code === 'BACKUP_NO_KEY')
            break;
          if (attempt < attempts) await sleep(baseDelayMs * 2 ** (attempt - 1));
        }
      }
      this.metrics.failures.inc(labels);
      return {
        target: target.name,
        ok: false,
        code: lastError!.code,
        message: lastError!.message,
        attempts,
      };
    } finally {
      this.running.delete(target.name);
    }
  }

  private async backupTo(
    target: BackupTarget,
    schedule: string | null,
  ): Promise<{ manifest: BackupManifest; leftoversRemoved: number }> {
    const leftovers = await this.catalog.removeLeftovers(target);
    if (leftovers.length > 0) {
      this.logger.log({
        message: 'removed leftovers of interrupted backups',
        event: 'backup.cleanup',
        target: target.name,
        keys: leftovers,
      });
    }
    const createdAt = new Date();
    const id = newBackupId(createdAt, randomBytes(4).toString('hex'));
    const active = this.keyring.active();
    const { chunkSizeBytes, compression } = this.config.backup;
    const encryption = active
      ? await newEncryptionParams(active.material, active.id, id, chunkSizeBytes)
      : null;

    const snapshot = snapshotStream(this.database);
    // Only its size goes into the manifest; the stored bytes carry the checksum.
    const plain = new CountStream();
    const stored = new HashStream();
    const blockBytes = compression.algorithm === 'none' ? undefined : COMPRESSION_BLOCK_BYTES;
    const stages: NodeJS.ReadWriteStream[] = [
      plain,
      ...(blockBytes
        ? [new BlockCompressStream(compression, blockBytes, compressionConcurrency())]
        : []),
      ...(encryption ? [new EncryptStream(encryption.key, id, chunkSizeBytes)] : []),
      stored,
    ];
    let upstream: Error | undefined;
    const body = new PassThrough({ highWaterMark: 1024 * 1024 });
    const feeding = pipeline([snapshot.stream, ...stages, body]).catch((error: Error) => {
      upstream = error;
      body.destroy(error);
    });
    const dataKey = this.catalog.dataKey(target, id);
    try {
      await target.driver.put(dataKey, body);
    } catch (error) {
      await feeding;
      throw upstream instanceof AppError ? upstream : (upstream ?? error);
    }
    await feeding;
    if (upstream) throw upstream;
    const tables = await snapshot.summary;
    const size = await target.driver.stat(dataKey);
    if (!size || size.size !== stored.bytes)
      throw BackupErrors.sizeMismatch(stored.bytes, size?.size ?? 0);

    const manifest: BackupManifest = {
      format: 'cryoprotect-backup',
      version: MANIFEST_VERSION,
      id,
      target: target.name,
      schedule,
      createdAt: createdAt.toISOString(),
      completedAt: new Date().toISOString(),
      durationSeconds: (Date.now() - createdAt.getTime()) / 1000,
      source: { kind: this.database.kind, description: this.database.description },
      schemaVersion: tables.schemaVersion,
      serviceVersion: SERVICE_VERSION,
      tables: tables.tables,
      compression: { ...compression, ...(blockBytes ? { blockBytes } : {}) },
      encryption: encryption?.params ?? null,
      data: {
        key: dataKey,
        sizeBytes: stored.bytes,
        sha256: stored.digest!,
        plainBytes: plain.bytes,
      },
    };
    await this.catalog.writeManifest(target, manifest);
    return { manifest, leftoversRemoved: leftovers.length };
  }

  private async freshnessReport(): Promise<{ status: 'up' } & Record<string, unknown>> {
    const now = Date.now();
    if (!this.freshness || now - this.freshness.checkedAt > 60_000) {
      const newest = await this.list().then(
        (all) => all[0]?.completedAt ?? null,
        () => null,
      );
      this.freshness = { checkedAt: now, newest };
    }
    const newest = this.freshness.newest;
    const ageHours = newest ? (now - Date.parse(newest)) / 3_600_000 : null;
    return {
      status: 'up' as const,
      lastSuccess: newest,
      ageHours: ageHours === null ? null : Math.round(ageHours * 100) / 100,
      stale: ageHours === null || ageHours > this.config.backup.staleAfterHours,
    };
  }
}

function summary(entry: CatalogEntry): BackupSummary {
  return { ...entry.manifest, verification: entry.verification };
}
