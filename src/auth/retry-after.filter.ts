import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../common/app-error';
import { sendProblem } from '../common/problem-details.filter';

/** Problem+json as usual, plus a Retry-After header for errors that carry `retryAfterSeconds` (login lockout). */
@Catch()
export class RetryAfterFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const retryAfter =
      exception instanceof AppError ? exception.extensions?.retryAfterSeconds : undefined;
    if (typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
    sendProblem(reply, http.getRequest<FastifyRequest>(), exception);
  }
}
