import type { Identity, TokenVerifier } from '@shop/platform';

export interface GatewayContext {
  identity: Identity;
  requestId: string;
  /** The client's address as the gateway sees it; the account subgraph limits failed sign-ins by it. */
  clientAddress?: string;
  /**
   * The order access token the client presented (HTTP header Order-Access-Token, or `orderAccessToken`
   * in the WebSocket's connection_init), passed on as that header; the subgraphs verify it.
   */
  orderAccessToken?: string | null;
  /** Set on a subscription's read after a change: such reads never join an identical fetch in flight. */
  liveRead?: boolean;
  /**
   * A subscription's read after its feed's first: the same document and variables already passed the
   * cost check on that first read, so per-read checks that depend only on them are skipped.
   */
  liveRepeat?: boolean;
}

/**
 * The caller's identity, verified once per HTTP request however many steps ask for it (the rate
 * limiter, then the GraphQL context): one JWT check per request, not one per step.
 */
export function identityPerRequest(verify: TokenVerifier) {
  const verified = new WeakMap<object, Promise<Identity>>();
  return (req: { headers: { authorization?: string | undefined } }): Promise<Identity> => {
    let identity = verified.get(req);
    if (!identity) verified.set(req, (identity = verify(req.headers.authorization)));
    return identity;
  };
}
