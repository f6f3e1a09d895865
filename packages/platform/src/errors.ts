import { GraphQLError, type GraphQLFormattedError } from 'graphql';

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

/**
 * An outage, not a bug: a dependency this request needs is down. Clients may retry the same
 * request after `retryAfter` seconds (a mutation with an idempotency key or expectedVersion safely).
 */
export class ServiceUnavailableError extends GraphQLError {
  constructor(message = 'Temporarily unavailable; retry shortly', retryAfter = DEFAULT_RETRY_AFTER_SECONDS, cause?: unknown) {
    super(message, { extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, retryAfter }, ...(cause instanceof Error ? { originalError: cause } : {}) });
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
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
  'QUERY_LIMIT_EXCEEDED',
]);

/** An error the client caused or is meant to see (bad input, refused, over a limit), not a failure. */
export const isPublicErrorCode = (code: string): boolean => PUBLIC_CODES.has(code);

/**
 * Apollo `formatError`: keeps expected errors, replaces unexpected ones with a generic message
 * that carries the request id so support can find the logged original. Never leaks stack traces.
 */
export function maskError(formatted: GraphQLFormattedError, requestId: string | undefined): GraphQLFormattedError {
  const code = String(formatted.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR);
  if (PUBLIC_CODES.has(code)) {
    const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  return {
    message: 'Internal server error',
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, ...(requestId ? { requestId } : {}) },
  };
}
