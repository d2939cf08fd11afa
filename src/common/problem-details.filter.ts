import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { AppError, FieldError } from './app-error';
import { zodIssuesToFieldErrors } from './zod';

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  requestId?: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const statusCodes: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'AUTH_REQUIRED',
  403: 'FORBIDDEN',
  404: 'ROUTE_NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  413: 'REQUEST_BODY_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

const fastifyCodes: Record<string, { status: number; code: string; title: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'REQUEST_BODY_TOO_LARGE',
    title: 'Request body too large',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    title: 'Unsupported media type',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    code: 'REQUEST_MALFORMED',
    title: 'Malformed JSON body',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'REQUEST_MALFORMED', title: 'Empty JSON body' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'REQUEST_MALFORMED',
    title: 'Invalid content length',
  },
};

/** Turns anything thrown into an RFC 9457 problem document. */
export function toProblem(error: unknown, requestId?: string): ProblemDocument {
  if (error instanceof AppError) {
    return {
      type: typeFor(error.code),
      title: error.title,
      status: error.status,
      detail: error.detail,
      code: error.code,
      requestId,
      ...(error.errors ? { errors: error.errors } : {}),
      ...error.extensions,
    };
  }
  if (error instanceof ZodError) {
    return {
      type: typeFor('VALIDATION_FAILED'),
      title: 'Validation failed',
      status: 400,
      detail: 'The request is not valid.',
      code: 'VALIDATION_FAILED',
      requestId,
      errors: zodIssuesToFieldErrors(error.issues),
    };
  }
  // Fastify's own errors (body parsing, limits) may arrive wrapped in an HttpException by Nest.
  const fastifyError = (error instanceof HttpException && error.cause ? error.cause : error) as {
    code?: string;
    statusCode?: number;
    message?: string;
  };
  const known =
    typeof fastifyError?.code === 'string' ? fastifyCodes[fastifyError.code] : undefined;
  if (known) {
    return { type: typeFor(known.code), ...known, detail: fastifyError.message, requestId };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code = statusCodes[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST');
    const response = error.getResponse();
    const message =
      typeof response === 'object' && response !== null && 'message' in response
        ? String((response as { message: unknown }).message)
        : error.message;
    return {
      type: typeFor(code),
      title: titleFor(status),
      status,
      detail: status >= 500 ? 'An unexpected error occurred.' : message,
      code,
      requestId,
    };
  }
  if (fastifyError?.statusCode === 400 && error instanceof SyntaxError) {
    return {
      type: typeFor('REQUEST_MALFORMED'),
      title: 'Malformed request body',
      status: 400,
      detail: 'The request body is not valid JSON.',
      code: 'REQUEST_MALFORMED',
      requestId,
    };
  }
  if (fastifyError?.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    const status = fastifyError.statusCode;
    const code = statusCodes[status] ?? 'BAD_REQUEST';
    return {
      type: typeFor(code),
      title: 'Bad request',
      status,
      detail: fastifyError.message,
      code,
      requestId,
    };
  }
  return {
    type: typeFor('INTERNAL_ERROR'),
    title: 'Internal server error',
    status: 500,
    detail: 'An unexpected error occurred. Quote the request id when reporting it.',
    code: 'INTERNAL_ERROR',
    requestId,
  };
}

function titleFor(status: number): string {
  const name = HttpStatus[status] as string | undefined;
  if (!name) return 'Error';
  const words = name.toLowerCase().split('_');
  return [words[0][0].toUpperCase() + words[0].slice(1), ...words.slice(1)].join(' ');
}

export function typeFor(code: string): string {
  return `https://cryoprotect.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`;
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, error: unknown): void {
  const problem = toProblem(error, request.id);
  problem.instance = request.url.split('?')[0];
  if (problem.status >= 500) {
    Logger.error(error instanceof Error ? error : String(error), undefined, 'Unhandled');
  }
  void reply
    .status(problem.status)
    .header('content-type', 'application/problem+json; charset=utf-8')
    .send(JSON.stringify(problem));
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(http.getResponse<FastifyReply>(), http.getRequest<FastifyRequest>(), exception);
  }
}
