import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { BackupStorageDriver } from '../src/backup/storage/backup-storage.driver';
import { createStorageDriver } from '../src/backup/storage/storage.factory';
import {
  azuriteConnectionString,
  freePort,
  LocalService,
  startAzurite,
  startS3rver,
} from './support/backup-services';
import { GcsFake } from './support/gcs-fake';
import { codeOf } from './support/error-code';

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** A body that fails part-way, like a backup whose process dies mid-upload. */
function failingBody(bytes: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= bytes) {
        this.destroy(new Error('source failed mid-stream'));
        return;
      }
      sent += 1024 * 1024;
      this.push(randomBytes(1024 * 1024));
    },
  });
}

interface DriverCase {
  name: string;
  make(): Promise<BackupStorageDriver>;
  /** A driver for the same kind of target, pointed at a port where nothing listens. */
  unreachable(port: number): BackupStorageDriver;
  /** A driver with credentials the store refuses (not every fake checks credentials). */
  badCredentials?(): BackupStorageDriver;
}

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const cases: DriverCase[] = [
  {
    name: 'local (temp dir)',
    make: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'backup-local-'));
      cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
      return createStorageDriver('local', { driver: 'local', path: dir, prefix: '' }, dir);
    },
    unreachable: () =>
      createStorageDriver('local', { driver: 'local', path: '/dev/null/backups', prefix: '' }, '/'),
  },
  (() => {
    let s3: LocalService;
    const config = (endpoint: string, accessKeyId = 'S3RVER') =>
      ({
        driver: 's3',
        bucket: 'contract',
        region: 'us-east-1',
        endpoint,
        forcePathStyle: true,
        accessKeyId,
        secretAccessKey: 'S3RVER',
        partSizeBytes: 5 * 1024 * 1024,
        prefix: '',
      }) as const;
    return {
      name: 's3 (s3rver)',
      make: async () => {
        s3 = await startS3rver('contract');
        cleanups.push(() => s3.stop());
        return createStorageDriver('s3', config(s3.endpoint), '/');
      },
      unreachable: (port: number) =>
        createStorageDriver('s3', config(`http://127.0.0.1:${port}`), '/'),
      badCredentials: () => createStorageDriver('s3', config(s3.endpoint, 'NOT-S3RVER'), '/'),
    };
  })(),
  (() => {
    let azurite: LocalService & { connectionString: string };
    return {
      name: 'azure (Azurite)',
      make: async () => {
        azurite = await startAzurite();
        cleanups.push(() => azurite.stop());
        return createStorageDriver(
          'azure',
          {
            driver: 'azure',
            connectionString: azurite.connectionString,
            container: 'contract',
            prefix: '',
          },
          '/',
        );
      },
      unreachable: (port: number) =>
        createStorageDriver(
          'azure',
          {
            driver: 'azure',
            connectionString: azuriteConnectionString(port),
            container: 'contract',
            prefix: '',
          },
          '/',
        ),
      badCredentials: () =>
        createStorageDriver(
          'azure',
          {
            driver: 'azure',
            connectionString: azuriteConnectionString(
              azurite.port,
              Buffer.from('not the account key').toString('base64'),
            ),
            container: 'contract',
            prefix: '',
          },
          '/',
        ),
    };
  })(),
  (() => {
    const gcs = new GcsFake();
    return {
      // Proves our driver's wiring against the real @google-cloud/storage client over HTTP, not
      // Google's semantics: the server is a test-only fake (test/support/gcs-fake.ts).
      name: 'gcs (real SDK against test-only JSON API fake)',
      make: async () => {
        await gcs.start();
        cleanups.push(() => gcs.stop());
        return createStorageDriver(
          'gcs',
          {
            driver: 'gcs',
            bucket: 'contract',
            projectId: 'test',
            apiEndpoint: gcs.endpoint,
            prefix: '',
          },
          '/',
        );
      },
      unreachable: (port: number) =>
        createStorageDriver(
          'gcs',
          {
            driver: 'gcs',
            bucket: 'contract',
            projectId: 'test',
            apiEndpoint: `http://127.0.0.1:${port}`,
            prefix: '',
          },
          '/',
        ),
    };
  })(),
];

describe.each(cases)('BackupStorageDriver contract: $name', (driverCase) => {
  let sut: BackupStorageDriver;

  beforeAll(async () => {
    sut = await driverCase.make();
  }, 60_000);

  it('should store and return the same bytes when an object is put and got', async () => {
    const data = randomBytes(12 * 1024 * 1024 + 17);
    const written = await sut.put(
      'b1/data.cpbk',
      Readable.from([data.subarray(0, 5_000_000), data.subarray(5_000_000)]),
    );
    expect(written).toBe(data.length);
    expect(sha(await readAll(await sut.get('b1/data.cpbk')))).toBe(sha(data));
  });

  it('should list objects by prefix with their sizes when several are stored', async () => {
    await sut.put('b2/manifest.json', Readable.from([Buffer.from('{"a":1}')]));
    await sut.put('other/x', Readable.from([Buffer.from('x')]));
    const listed = await sut.list('b');
    expect(listed.map((object) => object.key).sort()).toEqual(['b1/data.cpbk', 'b2/manifest.json']);
    expect(listed.find((object) => object.key === 'b2/manifest.json')!.size).toBe(7);
  });

  it('should report metadata when stat is called, and null when the object is missing', async () => {
    expect(await sut.stat('b2/manifest.json')).toMatchObject({ key: 'b2/manifest.json', size: 7 });
    expect(await sut.stat('b2/missing')).toBeNull();
  });

  it('should fail with BACKUP_NOT_FOUND when a missing object is got', async () => {
    expect(await codeOf(sut.get('nope/data.cpbk').then(readAll))).toBe('BACKUP_NOT_FOUND');
  });

  it('should remove an object when deleted, and accept deleting a missing one', async () => {
    await sut.delete('other/x');
    await sut.delete('other/x');
    expect(await sut.stat('other/x')).toBeNull();
  });

  it('should leave no object behind when the body fails part-way through the upload', async () => {
    const code = await codeOf(sut.put('broken/data.cpbk', failingBody(7 * 1024 * 1024)));
    expect(code).not.toBe('no error');
    expect(await sut.stat('broken/data.cpbk')).toBeNull();
    expect(
      (await sut.list('broken/')).filter((object) => object.key === 'broken/data.cpbk'),
    ).toEqual([]);
  });

  it('should fail with BACKUP_TARGET_UNREACHABLE when the store cannot be reached', async () => {
    const unreachable = driverCase.unreachable(await freePort());
    const expected = driverCase.name.startsWith('local')
      ? 'BACKUP_TARGET_FAILED'
      : 'BACKUP_TARGET_UNREACHABLE';
    expect(await codeOf(unreachable.put('x/data.cpbk', Readable.from([Buffer.from('x')])))).toBe(
      expected,
    );
  }, 60_000);

  if (driverCase.badCredentials) {
    it('should fail with BACKUP_TARGET_AUTH_FAILED when the store refuses the credentials', async () => {
      expect(
        await codeOf(
          driverCase.badCredentials!().put('x/data.cpbk', Readable.from([Buffer.from('x')])),
        ),
      ).toBe('BACKUP_TARGET_AUTH_FAILED');
    }, 60_000);
  }
});
