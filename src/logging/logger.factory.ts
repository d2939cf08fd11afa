import { ecsFormat } from '@elastic/ecs-winston-format';
import { LoggerService } from '@nestjs/common';
import { WinstonModule } from 'nest-winston';
import * as winston from 'winston';
import { RequestContext } from '../common/request-context';
import { Config } from '../config/config.schema';

const requestIdFormat = winston.format((info) => {
  const context = RequestContext.current();
  if (context) {
    info['http.request.id'] = context.requestId;
    if (context.userId) info['user.id'] = context.userId;
  }
  return info;
});

/** The process logger: ECS JSON lines on stdout. */
export function createLogger(config: Readonly<Config>): LoggerService {
  return WinstonModule.createLogger({
    level: config.log.level,
    format: winston.format.combine(requestIdFormat(), ecsFormat({ convertReqRes: false })),
    transports: [new winston.transports.Console()],
  });
}
