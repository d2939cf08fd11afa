import { z } from 'zod';
import { EnvBinding } from './env-binding';
import { authEnv, authSection } from './sections/auth.section';
import { backupEnv, backupSection } from './sections/backup.section';
import { moleculeEnv, moleculeSection } from './sections/molecule.section';
import { logSection, metricsSection, observabilityEnv } from './sections/observability.section';
import { serverEnv, serverSection } from './sections/server.section';
import { cacheSection, databaseSection, storageEnv } from './sections/storage.section';

export const configSchema = z.strictObject({
  env: z.enum(['development', 'test', 'production']).default('development'),
  /** Folder for the embedded database, generated secrets, local backups and log files. */
  dataDir: z.string().min(1).default('./data'),
  server: serverSection.default(serverSection.parse({})),
  database: databaseSection.default(databaseSection.parse({})),
  cache: cacheSection.default(cacheSection.parse({})),
  log: logSection.default(logSection.parse({})),
  metrics: metricsSection.default(metricsSection.parse({})),
  auth: authSection.default(authSection.parse({})),
  molecule: moleculeSection.default(moleculeSection.parse({})),
  backup: backupSection,
});

export type Config = z.infer<typeof configSchema>;

export const envBindings: EnvBinding[] = [
  { env: 'NODE_ENV', path: 'env' },
  { env: 'DATA_DIR', path: 'dataDir' },
  ...serverEnv,
  ...storageEnv,
  ...observabilityEnv,
  ...authEnv,
  ...moleculeEnv,
  ...backupEnv,
];
