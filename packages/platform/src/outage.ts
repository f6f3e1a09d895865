/**
 * Tells an outage (a database, broker or service that is down or unreachable) from a bug, so that
 * clients get a retryable SERVICE_UNAVAILABLE instead of an INTERNAL_SERVER_ERROR for it.
 */

/** Node socket errors: the peer is gone or unreachable. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);
/**
 * Postgres SQLSTATEs of a server shutting down, starting up or full (class 08 is checked apart),
 * and of a transaction Postgres aborted to settle a conflict with another (a deadlock, a
 * serialization failure): the same request succeeds when sent again, so the client is told to retry.
 */
const POSTGRES_CODES = new Set(['57P01', '57P02', '57P03', '53300', '40P01', '40001']);
/** Error classes of MikroORM, the NATS client and ioredis that mean "not reachable right now". */
const OUTAGE_NAMES = new Set([
  'ConnectionException',
  'ClosedConnectionError',
  'ConnectionError',
  'DrainingConnectionError',
  'NoResponders',
  'NoRespondersError',
  'TimeoutError',
  'MaxRetriesPerRequestError',
]);
/**
 * pg and ioredis report some losses only in their messages ("not queryable": a pooled pg client
 * whose connection broke, e.g. mid-transaction while Postgres restarts).
 */
const OUTAGE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Connection is closed|terminating connection due to administrator command|the database system is (starting up|shutting down)|Client has encountered a connection error and is not queryable/i;

function causesOf(error: unknown): unknown[] {
  if (!error || typeof error !== 'object') return [];
  const e = error as { originalError?: unknown; cause?: unknown; errors?: unknown };
  return [e.originalError, e.cause, ...(Array.isArray(e.errors) ? e.errors : [])].filter((c) => c && c !== error);
}

/** SQLSTATE class 08 is a lost connection, but for 08P01: a protocol violation is a bug of ours (a NUL in a query), not an outage to retry. */
const isConnectionException = (code: string) => /^08[0-9A-Z]{3}$/.test(code) && code !== '08P01';

function isOutageItself(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const { name, code, message } = error as { name?: unknown; code?: unknown; message?: unknown };
  if (typeof name === 'string' && OUTAGE_NAMES.has(name)) return true;
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || POSTGRES_CODES.has(code) || isConnectionException(code))) return true;
  return typeof message === 'string' && OUTAGE_MESSAGES.test(message);
}

/** True when the error, or anything it wraps, is a lost connection to a dependency. */
export function isOutage(error: unknown, depth = 0): boolean {
  if (depth > 8) return false;
  return isOutageItself(error) || causesOf(error).some((cause) => isOutage(cause, depth + 1));
}
