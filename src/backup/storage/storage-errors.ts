import { AppError } from '../../common/app-error';
import { BackupErrors } from '../backup.errors';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);
const AUTH_NAMES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'AuthenticationFailed',
  'AuthorizationFailure',
  'AuthorizationPermissionMismatch',
  'ExpiredToken',
  'InvalidToken',
]);
const NOT_FOUND_NAMES = new Set(['NoSuchKey', 'NotFound', 'BlobNotFound', 'ENOENT']);

interface VendorError {
  code?: unknown;
  name?: unknown;
  statusCode?: unknown;
  status?: unknown;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
  errors?: unknown;
  message?: unknown;
}

/** Maps an SDK or file-system error to our codes; an AppError passes through unchanged. */
export function translateStorageError(target: string, error: unknown, key?: string): AppError {
  if (error instanceof AppError) return error;
  const facts = collect(error);
  if (facts.some((fact) => NOT_FOUND_NAMES.has(fact) || fact === '404')) {
    return key ? BackupErrors.objectNotFound(key) : BackupErrors.targetFailed(target, error);
  }
  if (facts.some((fact) => AUTH_NAMES.has(fact) || fact === '401' || fact === '403')) {
    return BackupErrors.targetAuthFailed(target, error);
  }
  if (facts.some((fact) => NETWORK_CODES.has(fact)))
    return BackupErrors.targetUnreachable(target, error);
  return BackupErrors.targetFailed(target, error);
}

/** Codes, names and statuses of an error and its causes (SDKs nest the network error). */
function collect(error: unknown, depth = 0): string[] {
  if (typeof error !== 'object' || error === null || depth > 4) return [];
  const vendor = error as VendorError;
  const facts = [
    vendor.code,
    vendor.name,
    vendor.statusCode,
    vendor.status,
    vendor.$metadata?.httpStatusCode,
  ]
    .filter((value) => value !== undefined && value !== null)
    .map(String);
  // Some SDK layers wrap a socket error in a new error that keeps only its message.
  if (typeof vendor.message === 'string')
    facts.push(...(vendor.message.match(/\b(E[A-Z_]{3,}|UND_ERR_[A-Z_]+)\b/g) ?? []));
  const nested = Array.isArray(vendor.errors) ? vendor.errors : [];
  return [
    ...facts,
    ...collect(vendor.cause, depth + 1),
    ...nested.flatMap((inner) => collect(inner, depth + 1)),
  ];
}
