import type { Fetcher, FetcherHeaders, FetcherRequestInit, FetcherResponse } from '@apollo/utils.fetcher';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, type Dispatcher } from 'undici';

export interface SubgraphFetcherOptions {
  /** Upper bound for one call, from its start to the last byte of the answer. */
  timeoutMs: number;
  /** Upper bound on open connections per subgraph origin (further calls wait for a free one). */
  connectionsPerOrigin?: number;
  /** An idle socket is closed after this long. */
  idleMs?: number;
  /** The signal of the request the call serves (a caller that hung up stops the call). */
  stopSignal?: () => AbortSignal | undefined;
}

/** What a timed-out call rejects with: a name `isOutage` knows (the one of AbortSignal.timeout). */
class SubgraphTimeoutError extends Error {
  override readonly name = 'TimeoutError';
  constructor(url: string, timeoutMs: number) {
    super(`subgraph call to ${url} timed out after ${timeoutMs} ms`);
  }
}

/** What a call whose caller left rejects with (the name SubgraphClient and node-fetch use). */
const abortError = () => new DOMException('The subgraph call was aborted: its caller left', 'AbortError');

/** The response headers undici parsed (lower-case names), behind the small Headers interface Apollo reads. */
class AnswerHeaders implements FetcherHeaders {
  private readonly map = new Map<string, string>();
  constructor(raw: IncomingHttpHeaders) {
    for (const name in raw) {
      const value = raw[name];
      if (value !== undefined) this.map.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
  }
  get = (name: string) => this.map.get(name.toLowerCase()) ?? null;
  has = (name: string) => this.map.has(name.toLowerCase());
  set = (name: string, value: string) => void this.map.set(name.toLowerCase(), value);
  append = (name: string, value: string) => {
    const key = name.toLowerCase();
    const had = this.map.get(key);
    this.map.set(key, had === undefined ? value : `${had}, ${value}`);
  };
  delete = (name: string) => void this.map.delete(name.toLowerCase());
  entries = () => this.map.entries();
  keys = () => this.map.keys();
  values = () => this.map.values();
  [Symbol.iterator] = () => this.map.entries();
}

/** A fully read answer: the body was read under the call's timeout, so reading it again cannot hang. */
class Answer implements FetcherResponse {
  readonly url: string;
  readonly status: number;
  readonly statusText: string;
  readonly headers: FetcherHeaders;
  readonly ok: boolean;
  readonly redirected = false;
  bodyUsed = false;
  private readonly body: string;
  constructor(url: string, status: number, statusText: string, headers: FetcherHeaders, body: string) {
    this.url = url;
    this.status = status;
    this.statusText = statusText;
    this.headers = headers;
    this.body = body;
    this.ok = status >= 200 && status < 300;
  }
  text() {
    this.bodyUsed = true;
    return Promise.resolve(this.body);
  }
  json() {
    this.bodyUsed = true;
    try {
      return Promise.resolve(JSON.parse(this.body) as unknown);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }
  arrayBuffer() {
    this.bodyUsed = true;
    const bytes = Buffer.from(this.body);
    return Promise.resolve(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  }
  clone() {
    return new Answer(this.url, this.status, this.statusText, this.headers, this.body);
  }
}

/**
 * The gateway's subgraph calls through undici's `request()` over a keep-alive pool per origin
 * (cheaper per call than node-fetch over http.Agent, and than undici's own fetch). Errors are
 * undici's and Node's own (ECONNREFUSED, UND_ERR_SOCKET for a reset), a TimeoutError past
 * `timeoutMs` and an AbortError when the caller leaves, so SubgraphClient tells outages apart.
 */
export function undiciFetcher(options: SubgraphFetcherOptions): Fetcher & { close: () => Promise<void> } {
  const idleMs = options.idleMs ?? 4_000;
  const agent = new Agent({
    connections: options.connectionsPerOrigin ?? 256,
    // An idle socket is closed after idleMs at most, whatever the server's Keep-Alive hint says (a
    // shorter hint, less 1 s, wins): reusing one that the subgraph's server is closing fails with a reset.
    keepAliveTimeout: idleMs,
    keepAliveMaxTimeout: idleMs,
    keepAliveTimeoutThreshold: 1_000,
    // The call's own timer is the bound (undici's timeouts raise codes isOutage does not know).
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  // The few subgraph URLs, parsed once rather than per call.
  const targets = new Map<string, { origin: string; path: string }>();
  const targetOf = (url: string) => {
    let target = targets.get(url);
    if (!target) {
      const parsed = new URL(url);
      target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
      targets.set(url, target);
    }
    return target;
  };

  /** One call, its answer read to the end; `signal` stops it at any point (waiting, connecting, reading). */
  const call = async (url: string, init: FetcherRequestInit, signal: AbortSignal): Promise<FetcherResponse> => {
    const { origin, path } = targetOf(url);
    const answer = await agent.request({
      origin,
      path,
      method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
      headers: init.headers ?? {},
      body: init.body ?? null,
      signal,
    });
    const body = await answer.body.text();
    return new Answer(url, answer.statusCode, answer.statusText, new AnswerHeaders(answer.headers), body);
  };

  const fetcher = (url: string, init: FetcherRequestInit = {}): Promise<FetcherResponse> => {
    const callerSignal = (init.signal as AbortSignal | undefined) ?? options.stopSignal?.();
    if (callerSignal?.aborted) return Promise.reject(abortError());
    const controller = new AbortController();
    return new Promise<FetcherResponse>((resolve, reject) => {
      // Rejects at once even while the call still waits for a free connection (undici itself
      // notices an abort only once the call has a socket), and stops the call.
      const stop = (reason: Error) => {
        controller.abort(reason);
        reject(reason);
      };
      const timer = setTimeout(() => stop(new SubgraphTimeoutError(url, options.timeoutMs)), options.timeoutMs);
      const onCallerAbort = () => stop(abortError());
      callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
      call(url, init, controller.signal)
        .then(resolve, reject)
        .finally(() => {
          clearTimeout(timer);
          callerSignal?.removeEventListener('abort', onCallerAbort);
        });
    });
  };
  return Object.assign(fetcher, { close: () => agent.close() });
}
