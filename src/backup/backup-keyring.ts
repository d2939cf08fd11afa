import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { BackupErrors } from './backup.errors';
import { KeyMaterial } from './pipeline/encryption';

/** The configured encryption keys by id, and the one new backups use. */
@Injectable()
export class BackupKeyring {
  private readonly keys = new Map<string, KeyMaterial>();
  readonly activeKeyId: string;
  readonly encryption: boolean;

  constructor(config: AppConfig) {
    const backup = config.backup;
    for (const [id, entry] of Object.entries(backup.keys)) {
      this.keys.set(
        id,
        'key' in entry
          ? { key: Buffer.from(entry.key, 'base64') }
          : { passphrase: entry.passphrase },
      );
    }
    if (backup.encryptionKey)
      this.keys.set(backup.keyId, { key: Buffer.from(backup.encryptionKey, 'base64') });
    else if (backup.passphrase) this.keys.set(backup.keyId, { passphrase: backup.passphrase });
    this.activeKeyId = backup.activeKeyId ?? backup.keyId;
    this.encryption = backup.encryption;
  }

  /** The key for a new backup; BACKUP_NO_KEY when encryption is on and no key is configured. */
  active(): { id: string; material: KeyMaterial } | null {
    if (!this.encryption) return null;
    const material = this.keys.get(this.activeKeyId);
    if (!material) throw BackupErrors.noKey();
    return { id: this.activeKeyId, material };
  }

  get(id: string): KeyMaterial {
    const material = this.keys.get(id);
    if (!material) throw BackupErrors.keyUnavailable(id);
    return material;
  }
}
