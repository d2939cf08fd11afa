import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { ConfigError, loadConfig } from './config/config.loader';
import { LifecycleService } from './health/lifecycle.service';
import { createLogger } from './logging/logger.factory';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`cryoprotect: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config);
  const app = await createApp(config, { logger });
  await app.listen({ port: config.server.port, host: config.server.host });
  const log = new Logger('Main');
  log.log(`listening on http://${config.server.host}:${config.server.port} (docs at /docs)`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.log(`${signal}: draining`);
    app.get(LifecycleService).startDraining();
    const hardStop = setTimeout(() => {
      log.error(`still busy ${config.server.shutdownGraceMs} ms after ${signal}; exiting`);
      process.exit(1);
    }, config.server.shutdownGraceMs + 5_000);
    hardStop.unref();
    // Let load balancers see readiness fail before the listener closes.
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(1_000, config.server.shutdownGraceMs)),
    );
    await app.close();
    log.log('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `cryoprotect: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
