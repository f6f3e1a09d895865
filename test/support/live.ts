import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export const wsUrl = (httpUrl: string) => httpUrl.replace(/^http/, 'ws');

export interface LiveClient {
  client: Client;
  /** Close code and reason once the socket closed. */
  closed: Promise<{ code: number; reason: string }>;
}

/** A real graphql-ws client as an app would open it (token and `params`, e.g. orderAccessToken, in connection_init), no retries. */
export function liveClient(httpUrl: string, token?: string, params: Record<string, unknown> = {}): LiveClient {
  let onClosed: (event: { code: number; reason: string }) => void = () => undefined;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (onClosed = resolve));
  const client = createClient({
    url: wsUrl(httpUrl),
    webSocketImpl: WebSocket,
    connectionParams: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...params },
    retryAttempts: 0,
    lazyCloseTimeout: 0,
    on: { closed: (event) => onClosed({ code: (event as CloseEvent).code, reason: String((event as CloseEvent).reason) }) },
  });
  return { client, closed };
}

export interface Followed<T> {
  results: T[];
  errors: unknown[];
  completed: boolean;
  /** Resolves with the first result (counting from now or from the start) that matches, bounded. */
  waitFor: (match: (result: T) => boolean, timeoutMs?: number) => Promise<T>;
  /** Resolves with the errors once the server refused or ended the subscription. */
  failed: (timeoutMs?: number) => Promise<unknown>;
  stop: () => void;
}

/** Subscribes and records every `data` and error, so a test can wait for what it expects. */
export function follow<T = Record<string, unknown>>(client: Client, query: string, variables: Record<string, unknown> = {}): Followed<T> {
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((w) => w());
  const followed: Followed<T> = {
    results: [],
    errors: [],
    completed: false,
    waitFor: (match, timeoutMs = 10_000) =>
      until(
        () => followed.results.find(match),
        timeoutMs,
        `a matching result (got ${JSON.stringify(followed.results)} ${JSON.stringify(followed.errors)})`,
      ),
    failed: (timeoutMs = 10_000) => until(() => followed.errors[0], timeoutMs, 'an error'),
    stop: () => undefined,
  };
  function until<V>(probe: () => V | undefined, timeoutMs: number, what: string): Promise<V> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = probe();
        if (found === undefined) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  }
  followed.stop = client.subscribe<T>(
    { query, variables },
    {
      next: (value) => {
        if (value.data) followed.results.push(value.data as T);
        if (value.errors) followed.errors.push(value.errors);
        wake();
      },
      error: (error) => {
        followed.errors.push(error);
        wake();
      },
      complete: () => {
        followed.completed = true;
        wake();
      },
    },
  );
  return followed;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
