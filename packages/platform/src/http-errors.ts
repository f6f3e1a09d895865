import type { ErrorRequestHandler } from 'express';
import { currentRequestId } from './request-context.ts';
import type { Logger } from './logger.ts';

interface HttpError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
}

/** body-parser's error types, as the client should read them. */
const MESSAGES: Record<string, string> = {
  'entity.parse.failed': 'The request body is not valid JSON (a GraphQL request is a JSON object)',
  'entity.too.large': 'The request body is larger than this server accepts',
  'encoding.unsupported': 'Unsupported content encoding',
  'charset.unsupported': 'Unsupported charset; send UTF-8 JSON',
  'request.aborted': 'The request was aborted while its body was read',
  'request.size.invalid': 'The request body is shorter or longer than its Content-Length',
};

/**
 * Errors thrown outside GraphQL execution (the JSON body parser, middleware) answered as GraphQL
 * JSON: a client mistake keeps its 4xx status with code BAD_REQUEST or PAYLOAD_TOO_LARGE; anything
 * else is a masked 500 with the request id, logged. Never Express's HTML page with a stack trace.
 */
export function httpErrorHandler(log: Logger): ErrorRequestHandler {
  return (error: HttpError & Error, _req, res, next) => {
    if (res.headersSent) return next(error);
    const requestId = currentRequestId() ?? (res.locals.requestId as string | undefined);
    const status = error.status ?? error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST';
      const message = (error.type && MESSAGES[error.type]) ?? 'Bad request';
      return void res.status(status).json({ errors: [{ message, extensions: { code } }] });
    }
    log.error({ err: error, requestId }, 'unexpected HTTP error');
    res
      .status(500)
      .json({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', ...(requestId ? { requestId } : {}) } }] });
  };
}
