import type http from 'node:http';
import proxyaddr from 'proxy-addr';

/** Whether the hop at `address` is a proxy whose X-Forwarded-For the gateway believes. */
export type TrustProxy = (address: string, hop: number) => boolean;

/**
 * The proxies named by GATEWAY_TRUSTED_PROXIES (comma-separated addresses, CIDRs, or proxy-addr's
 * `loopback`, `linklocal`, `uniquelocal`). Behind an ingress every request comes from the ingress:
 * without this, every client would share its address, and so one rate-limit budget and one
 * sign-in throttle. Empty: no proxy is trusted and X-Forwarded-For is ignored (a client could
 * write anything there). A malformed entry throws at start-up.
 */
export function trustedProxies(list: string): TrustProxy {
  const entries = list
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return proxyaddr.compile(entries);
}

/**
 * The client's address as the gateway counts it (rate limits, WebSocket caps, x-client-address for
 * the sign-in throttle): the nearest hop not trusted, the same rule Express applies to `req.ip`.
 */
export const clientAddressOf = (request: http.IncomingMessage, trust: TrustProxy): string => proxyaddr(request, trust) || 'unknown';
