import { isAbsolute, join } from 'node:path';
import { ecsFields, ecsStringify } from '@elastic/ecs-winston-format';
import { LoggerService } from '@nestjs/common';
import { WinstonModule } from 'nest-winston';
import * as winston from 'winston';
import { RequestContext } from '../common/request-context';
import { Config } from '../config/config.schema';
import { isSecretKey, redact, REDACTED } from './redaction';
import { RotatingFileTransport } from './rotating-file.transport';
import { MESSAGE, StdoutTransport } from './stdout.transport';

/** The file the service writes in log.dir (rotated to cryoprotect1.log, cryoprotect2.log, …). */
export const LOG_FILE_NAME = 'cryoprotect.log';

/** Adds the request id and user of the request that caused this line (AsyncLocalStorage). */
const requestContext = winston.format((info) => {
  const context = RequestContext.current();
  if (context) {
    info['http.request.id'] ??= context.requestId;
    if (context.userId) info['user.id'] ??= context.userId;
  }
  return info;
});

/**
 * Maps what nest-winston passes into what ecsFields understands: the Error in `error` becomes
 * `err` (so it lands in error.type/message/stack_trace), a bare trace string becomes
 * error.stack_trace, and the Nest context becomes log.logger.
 */
const nestToEcs = winston.format((info) => {
  // Moved fields are set to undefined (JSON leaves them out) rather than deleted: a delete turns
  // the object into a slow dictionary for every later step of the line.
  const stack = info['stack'];
  if (stack !== undefined) info['stack'] = undefined;
  if (info['error'] instanceof Error) {
    info['err'] = info['error'];
    info['error'] = undefined;
  } else if (Array.isArray(stack) && typeof stack[0] === 'string') {
    info['error.stack_trace'] = stack[0];
  }
  if (typeof info['context'] === 'string') {
    info['log.logger'] = info['context'];
    info['context'] = undefined;
  }
  return info;
});

/** Last step before serialising: no secret leaves the process in a log line. */
const redactSecrets = winston.format((info) => {
  for (const key in info) {
    if (key === 'level' || key === 'log.level') continue;
    const value = info[key];
    const clean =
      isSecretKey(key) && value !== undefined && value !== null ? REDACTED : redact(value);
    // Only a changed value is written back: a line without secrets is left as it is.
    if (clean !== value) info[key] = clean;
  }
  return info;
});

/**
 * The serialised line: ecsStringify's output with plain JSON.stringify, several times cheaper
 * than its stable (key-sorting, cycle-safe) stringifier; lines JSON.stringify refuses (a cycle, a
 * BigInt) still go through ecsStringify.
 */
const safeStringify = ecsStringify();
const stringifyLine = winston.format((info) => {
  // ECS carries the level as log.level; winston's own field is left out, as ecsStringify does
  // (hidden for the call rather than copied away: JSON leaves undefined values out).
  const { level } = info;
  info.level = undefined as unknown as string;
  try {
    info[MESSAGE] = JSON.stringify(info);
    return info;
  } catch {
    info.level = level;
    return safeStringify.transform(info) as winston.Logform.TransformableInfo;
  } finally {
    info.level = level;
  }
});

/** The log file path for this config, or undefined when file logging is off. */
export function logFilePath(config: Readonly<Config>): string | undefined {
  const dir = config.log.dir;
  if (!dir) return undefined;
  return join(isAbsolute(dir) ? dir : join(config.dataDir, dir), LOG_FILE_NAME);
}

/** The winston logger: ECS JSON lines on stdout and, with log.dir, in a size-rotated file. */
export function createWinston(config: Readonly<Config>): winston.Logger {
  const format = winston.format.combine(
    requestContext(),
    nestToEcs(),
    ecsFields({ serviceName: 'cryoprotect', serviceEnvironment: config.env, convertReqRes: false }),
    redactSecrets(),
    stringifyLine(),
  );
  const transports: winston.transport[] = [new StdoutTransport()];
  const file = logFilePath(config);
  if (file) {
    // The newest lines are always in cryoprotect.log; older files shift up by one.
    transports.push(
      new RotatingFileTransport({
        filename: file,
        maxBytes: config.log.maxFileBytes,
        maxFiles: config.log.maxFiles,
      }),
    );
  }
  const logger = winston.createLogger({ level: config.log.level, format, transports });
  // winston re-emits its transports' 'warn' events (a write or rotation that failed) on the logger.
  logger.on('warn', reportLogFailure);
  return logger;
}

/** When each kind of failure (by error code) was last reported. */
const failuresReported = new Map<string, number>();
const REPORT_EVERY_MS = 60_000;

/**
 * A failure to write log lines (a full disk, a log directory that cannot be made again, an error
 * while formatting request lines) cannot be logged through the logger that failed: it is reported
 * on stderr as a process warning (code CRYOPROTECT_LOG_WRITE), at most once a minute per kind, so
 * a full disk does not flood stderr. The service goes on; the lines that could not be written are
 * lost.
 */
function reportLogFailure(error: unknown): void {
  const kind =
    (error as NodeJS.ErrnoException | undefined)?.code ??
    (error instanceof Error ? error.name : 'Error');
  const now = Date.now();
  const last = failuresReported.get(kind);
  if (last !== undefined && now - last < REPORT_EVERY_MS) return;
  failuresReported.set(kind, now);
  const message = error instanceof Error ? error.message : String(error);
  process.emitWarning(
    `log lines could not be written: ${message} (reported at most once a minute per kind)`,
    { code: 'CRYOPROTECT_LOG_WRITE' },
  );
}

/** The process logger handed to Nest (createApp / main.ts). */
export function createLogger(config: Readonly<Config>): LoggerService {
  return WinstonModule.createLogger({ instance: createWinston(config) });
}
