import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** Set by the gateway to the client's address (the account subgraph's per-address sign-in limit). */
export const CLIENT_ADDRESS_HEADER = 'x-client-address';
export const REQUEST_ID_HEADER = 'x-request-id';

interface RequestScope {
  requestId: string;
  /** Aborted when the work of this request is no longer wanted (its caller left, or it already failed). */
  stop?: AbortController;
}

const storage = new AsyncLocalStorage<RequestScope>();

/** Run `fn` with a request id visible to every log line written inside it (and, for HTTP requests, their stop signal). */
export function withRequestId<T>(requestId: string, fn: () => T, stop?: AbortController): T {
  return storage.run(stop ? { requestId, stop } : { requestId }, fn);
}

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** The running request's stop controller, if it is an HTTP request. */
export function currentRequestStop(): AbortController | undefined {
  return storage.getStore()?.stop;
}

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Accept a caller's id when it is safe to log; otherwise make one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && SAFE_ID.test(value) ? value : randomUUID();
}
