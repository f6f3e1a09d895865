import { pino, type DestinationStream, type Logger } from 'pino';
import { currentRequestId } from './request-context.ts';
import { currentTraceIds } from './tracing/context.ts';

export type { Logger };

/** Paths whose values never reach a log line. */
const REDACT = [
  'authorization',
  'cookie',
  '*.authorization',
  '*.cookie',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'request.headers.authorization',
  'request.headers.cookie',
  '*.headers["set-cookie"]',
  'paymentToken',
  '*.paymentToken',
];

/**
 * The one root logger of a process. Every line carries the service name and, inside a request,
 * the request id (from AsyncLocalStorage, so code deep in a service needs no logger argument),
 * and with tracing on the trace and span ids of the active span.
 */
export function createLogger(service: string, level: string = 'info', destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service },
    redact: { paths: REDACT, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin() {
      const requestId = currentRequestId();
      // With tracing on, the line names its trace and span (what a trace viewer finds it by).
      const trace = currentTraceIds();
      if (trace) return requestId ? { requestId, ...trace } : trace;
      return requestId ? { requestId } : {};
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
