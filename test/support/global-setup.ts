import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { postgresAvailable, redisAvailable, servicesRequired } from './services';

export const PGLITE_SNAPSHOT = join(__dirname, '..', '.tmp', 'pglite-empty.tar.gz');

/**
 * Runs once before the e2e suites: finds the real services (Postgres, Redis) and makes a PGlite
 * snapshot after initdb so each suite starts an embedded database in well under a second.
 */
export default async function globalSetup(): Promise<void> {
  const [postgres, redis] = await Promise.all([postgresAvailable(), redisAvailable()]);
  process.env.TEST_HAS_POSTGRES = postgres ? '1' : '0';
  process.env.TEST_HAS_REDIS = redis ? '1' : '0';
  const missing = [
    !postgres && 'PostgreSQL (127.0.0.1:5432)',
    !redis && 'Redis (127.0.0.1:6379)',
  ].filter(Boolean);
  if (missing.length > 0) {
    const message = `e2e: not reachable: ${missing.join(', ')}`;
    if (servicesRequired)
      throw new Error(`${message}; CI requires them (start them as .ci/run does).`);
    process.stdout.write(`\n${message}; the suites that need them are skipped.\n`);
  }
  mkdirSync(join(__dirname, '..', '.tmp'), { recursive: true });
  const pglite = await PGlite.create({ dataDir: 'memory://' });
  const snapshot = await pglite.dumpDataDir('gzip');
  await pglite.close();
  writeFileSync(PGLITE_SNAPSHOT, Buffer.from(await snapshot.arrayBuffer()));
}
