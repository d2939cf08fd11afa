import { Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import { BackupErrors } from './backup.errors';
import {
  BackupManifest,
  BackupVerification,
  DATA_FILE,
  MANIFEST_FILE,
  manifestSchema,
  newestFirst,
  VERIFIED_FILE,
  verificationSchema,
} from './backup.manifest';
import { BackupTarget } from './backup-targets';

export interface CatalogEntry {
  manifest: BackupManifest;
  verification: BackupVerification | null;
}

async function readJson(stream: Readable): Promise<unknown> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return JSON.parse(Buffer.concat(parts).toString('utf8')) as unknown;
}

/** The backups stored on a target: `<prefix><id>/data.cpbk`, then `manifest.json` written last. */
@Injectable()
export class BackupCatalog {
  dataKey(target: BackupTarget, id: string): string {
    return `${target.prefix}${id}/${DATA_FILE}`;
  }

  async writeManifest(target: BackupTarget, manifest: BackupManifest): Promise<void> {
    await target.driver.put(
      `${target.prefix}${manifest.id}/${MANIFEST_FILE}`,
      Readable.from([JSON.stringify(manifest, null, 2)]),
    );
  }

  async markVerified(
    target: BackupTarget,
    id: string,
    verification: BackupVerification,
  ): Promise<void> {
    await target.driver.put(
      `${target.prefix}${id}/${VERIFIED_FILE}`,
      Readable.from([JSON.stringify(verification)]),
    );
  }

  /** Complete backups (with a manifest), newest first. */
  async list(target: BackupTarget): Promise<CatalogEntry[]> {
    const objects = await target.driver.list(target.prefix);
    const ids = new Set<string>();
    const verified = new Set<string>();
    for (const object of objects) {
      const [id, file] = object.key.slice(target.prefix.length).split('/');
      if (file === MANIFEST_FILE) ids.add(id);
      if (file === VERIFIED_FILE) verified.add(id);
    }
    const entries = await Promise.all(
      [...ids].map(async (id) => ({
        manifest: await this.readManifest(target, id),
        verification: verified.has(id) ? await this.readVerification(target, id) : null,
      })),
    );
    return entries.sort((a, b) => newestFirst(a.manifest, b.manifest));
  }

  async get(target: BackupTarget, id: string): Promise<CatalogEntry> {
    const manifest = await this.readManifest(target, id);
    const stat = await target.driver.stat(`${target.prefix}${id}/${VERIFIED_FILE}`);
    return { manifest, verification: stat ? await this.readVerification(target, id) : null };
  }

  async readManifest(target: BackupTarget, id: string): Promise<BackupManifest> {
    let raw: unknown;
    try {
      raw = await readJson(await target.driver.get(`${target.prefix}${id}/${MANIFEST_FILE}`));
    } catch (error) {
      if ((error as { code?: string }).code === 'BACKUP_NOT_FOUND')
        throw BackupErrors.notFound(id, target.name);
      if (error instanceof SyntaxError)
        throw BackupErrors.malformed(`The manifest of ${id} is not JSON.`);
      throw error;
    }
    const parsed = manifestSchema.safeParse(raw);
    if (!parsed.success) throw BackupErrors.malformed(`The manifest of ${id} is not valid.`);
    return parsed.data;
  }

  private async readVerification(
    target: BackupTarget,
    id: string,
  ): Promise<BackupVerification | null> {
    const raw = await readJson(
      await target.driver.get(`${target.prefix}${id}/${VERIFIED_FILE}`),
    ).catch(() => null);
    const parsed = verificationSchema.safeParse(raw);
    return parsed.success ? parsed.data : null;
  }

  /** Removes everything of an interrupted run (objects under an id that has no manifest). */
  async removeLeftovers(target: BackupTarget, keep?: string): Promise<string[]> {
    const objects = await target.driver.list(target.prefix);
    const complete = new Set(
      objects
        .map((object) => object.key.slice(target.prefix.length).split('/'))
        .filter(([, file]) => file === MANIFEST_FILE)
        .map(([id]) => id),
    );
    const removed: string[] = [];
    for (const object of objects) {
      const [id] = object.key.slice(target.prefix.length).split('/');
      if (complete.has(id) || id === keep) continue;
      await target.driver.delete(object.key);
      removed.push(object.key);
    }
    return removed;
  }

  /** Deletes a backup, manifest first so it stops listing before its data goes. */
  async remove(target: BackupTarget, id: string): Promise<void> {
    await target.driver.delete(`${target.prefix}${id}/${MANIFEST_FILE}`);
    await target.driver.delete(`${target.prefix}${id}/${VERIFIED_FILE}`);
    await target.driver.delete(`${target.prefix}${id}/${DATA_FILE}`);
  }
}
