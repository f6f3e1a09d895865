import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { isOutage } from './outage.ts';

/** Error codes clients can branch on (extensions.code). */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  /** A dependency (database, broker, another service) is down: retry after `extensions.retryAfter` seconds. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class UnauthenticatedError extends GraphQLError {
  constructor(message = 'Authentication required') {
    super(message, { extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } } });
  }
}

export class ForbiddenError extends GraphQLError {
  constructor(message = 'Not allowed') {
    super(message, { extensions: { code: ErrorCode.FORBIDDEN } });
  }
}

export class BadUserInputError extends GraphQLError {
  constructor(message: string, field?: string[]) {
    super(message, { extensions: { code: ErrorCode.BAD_USER_INPUT, ...(field ? { field } : {}) } });
  }
}

/** Seconds a client should wait before retrying after an outage (extensions.retryAfter). */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;
const OUTAGE_MESSAGE = `A service this request needs is temporarily unavailable; retry in ${DEFAULT_RETRY_AFTER_SECONDS} seconds`;

/**
 * An outage, not a bug: a dependency this request needs is down. Clients may retry the same
 * request after `retryAfter` seconds (a mutation with an idempotency key or expectedVersion safely).
 */
export class ServiceUnavailableError extends GraphQLError {
  constructor(message = OUTAGE_MESSAGE, options: { retryAfter?: number; cause?: unknown; path?: ReadonlyArray<string | number> } = {}) {
    const { retryAfter = DEFAULT_RETRY_AFTER_SECONDS, cause, path } = options;
    super(message, {
      extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, retryAfter },
      ...(path ? { path } : {}),
      ...(cause instanceof Error ? { originalError: cause } : {}),
    });
  }
}

/** Codes whose message is meant for the client (expected, not logged as failures); anything else is masked. */
const PUBLIC_CODES: ReadonlySet<string> = new Set<string>([
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.FORBIDDEN,
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.NOT_FOUND,
  ErrorCode.SERVICE_UNAVAILABLE,
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'PERSISTED_QUERY_HASH_MISMATCH',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
  'PAYLOAD_TOO_LARGE',
  'QUERY_LIMIT_EXCEEDED',
  'RATE_LIMITED',
  'SUBSCRIPTION_LIMIT',
  // Removed from answers by requestStopPlugin; listed so it is neither masked nor logged as a bug.
  'REQUEST_STOPPED',
]);

/** An error the client caused or is meant to see (bad input, refused, over a limit), not a failure. */
export const isPublicErrorCode = (code: string): boolean => PUBLIC_CODES.has(code);

/** Extensions that only servers need: a subgraph's raw response (its URL, status and body), traces. */
const PRIVATE_EXTENSIONS = ['stacktrace', 'response', 'exception', 'http'];

const httpStatusOf = (error: unknown): number | undefined => {
  const status = (error as { extensions?: { http?: { status?: unknown } } } | undefined)?.extensions?.http?.status;
  return typeof status === 'number' ? status : undefined;
};

/**
 * The code a client sees for an error: its own when it has a public one; SERVICE_UNAVAILABLE when
 * it is a lost connection to a dependency; BAD_REQUEST for an uncoded error Apollo Server raised
 * with a 4xx status (an APQ hash that does not match, an unsupported APQ version);
 * INTERNAL_SERVER_ERROR for everything else (a bug: masked and logged).
 */
export function clientFacingCode(code: unknown, original: unknown): string {
  if (typeof code === 'string' && PUBLIC_CODES.has(code)) return code;
  if (isOutage(original)) return ErrorCode.SERVICE_UNAVAILABLE;
  const ownCode = (original as { extensions?: { code?: unknown } } | undefined)?.extensions?.code;
  const status = httpStatusOf(original);
  if (ownCode === undefined && status !== undefined && status >= 400 && status < 500) {
    return /sha does not match/i.test((original as Error).message) ? 'PERSISTED_QUERY_HASH_MISMATCH' : 'BAD_REQUEST';
  }
  return ErrorCode.INTERNAL_SERVER_ERROR;
}

/**
 * Apollo `formatError`: keeps expected errors (without server-only extensions), answers outages as
 * a retryable SERVICE_UNAVAILABLE, and replaces unexpected errors with a generic message that
 * carries the request id so support can find the logged original. Never leaks stack traces,
 * internal URLs or SQL.
 */
export function maskError(formatted: GraphQLFormattedError, requestId: string | undefined, original?: unknown): GraphQLFormattedError {
  const where = { ...(formatted.locations ? { locations: formatted.locations } : {}), ...(formatted.path ? { path: formatted.path } : {}) };
  const code = clientFacingCode(formatted.extensions?.code, original);
  if (code === ErrorCode.SERVICE_UNAVAILABLE && formatted.extensions?.code !== code) {
    const outage = new ServiceUnavailableError().toJSON();
    return { ...outage, ...where, extensions: { ...outage.extensions, ...(requestId ? { requestId } : {}) } };
  }
  if (code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    const extensions = Object.fromEntries(Object.entries(formatted.extensions ?? {}).filter(([key]) => !PRIVATE_EXTENSIONS.includes(key)));
    return { ...formatted, extensions: { ...extensions, code } };
  }
  return {
    message: 'Internal server error',
    ...where,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, ...(requestId ? { requestId } : {}) },
  };
}
