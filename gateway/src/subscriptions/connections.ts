import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import type { Counter, Gauge } from 'prom-client';

/** Open connections per key (client address, user), per gateway process. */
export class ConnectionCounts {
  private readonly counts = new Map<string, number>();

  /** Takes a slot unless `key` already holds `limit`; false means refused. */
  take(key: string, limit: number): boolean {
    const held = this.counts.get(key) ?? 0;
    if (held >= limit) return false;
    this.counts.set(key, held + 1);
    return true;
  }

  release(key: string): void {
    const left = (this.counts.get(key) ?? 1) - 1;
    if (left > 0) this.counts.set(key, left);
    else this.counts.delete(key);
  }
}

/** Each accepted upgrade's client address, worked out once (the connection's handlers read it here). */
const upgradeAddresses = new WeakMap<http.IncomingMessage, string>();
export const addressOfUpgrade = (request: http.IncomingMessage): string => upgradeAddresses.get(request) ?? 'unknown';

/**
 * WebSocket upgrades on /graphql only, at most `perIp` open sockets per client address: past it the
 * upgrade gets HTTP 429 before any WebSocket exists. The slot is freed when the TCP socket closes,
 * whether or not the handshake completed.
 */
export function acceptUpgrades(options: {
  httpServer: http.Server;
  wss: WebSocketServer;
  perIp: number;
  /** The client's address behind trusted proxies (client-address.ts). */
  addressOf: (request: http.IncomingMessage) => string;
  open: Gauge;
  refused: Counter<'reason'>;
}): void {
  const { wss, perIp, open, refused } = options;
  const byIp = new ConnectionCounts();
  options.httpServer.on('upgrade', (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== '/graphql') return void socket.destroy();
    const ip = options.addressOf(request);
    upgradeAddresses.set(request, ip);
    if (!byIp.take(ip, perIp)) {
      refused.inc({ reason: 'connections_per_ip' });
      socket.end(
        `HTTP/1.1 429 Too Many Requests\r\nRetry-After: 10\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nToo many WebSocket connections from this address (limit ${perIp})\n`,
      );
      return;
    }
    open.inc();
    socket.once('close', () => {
      byIp.release(ip);
      open.dec();
    });
    // The request reaches the callback as its argument: a closure naming it here would keep it (and
    // its headers) alive through the close listener above for the connection's whole life.
    wss.handleUpgrade(request, socket, head, (ws, upgraded) => wss.emit('connection', ws, upgraded));
  });
}

/** A token longer than this is not an order access token (they are 43 characters). */
const MAX_ORDER_ACCESS_TOKEN_LENGTH = 128;

/**
 * The order access token from connection_init (`orderAccessToken`, documented): kept with the
 * connection and sent with its reads as the Order-Access-Token header; the subgraphs verify it.
 */
export function orderAccessTokenFrom(params: Record<string, unknown> | undefined): string | undefined {
  const raw = params?.orderAccessToken;
  if (typeof raw !== 'string') return undefined;
  const token = raw.trim();
  return token !== '' && token.length <= MAX_ORDER_ACCESS_TOKEN_LENGTH ? token : undefined;
}

/**
 * The token from connection_init: `{ authorization }` (documented), also `Authorization` and the
 * `{ headers: { authorization } }` shape some tools send; "Bearer " is optional.
 */
export function authorizationFrom(params: Record<string, unknown> | undefined): string | undefined {
  const headers = (params?.headers ?? {}) as Record<string, unknown>;
  const raw = params?.authorization ?? params?.Authorization ?? headers.authorization ?? headers.Authorization;
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  return /^bearer\s/i.test(raw.trim()) ? raw.trim() : `Bearer ${raw.trim()}`;
}
