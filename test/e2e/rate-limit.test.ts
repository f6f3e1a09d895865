import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devToken, gql, startExtraGateway, startTestSupergraph, type TestSupergraph } from '../support/stack.ts';
import { follow, liveClient } from '../support/live.ts';
import { guestCart } from '../support/shop.ts';

let stack: TestSupergraph;
let gateway: { url: string; stop: () => Promise<void> };
let url: string;

beforeAll(async () => {
  stack = await startTestSupergraph();
  gateway = await startExtraGateway(stack, {
    GATEWAY_RATE_LIMIT_ENABLED: 'true',
    GATEWAY_RATE_LIMIT_IP: '5',
    GATEWAY_RATE_LIMIT_USER: '3',
    GATEWAY_RATE_LIMIT_WINDOW_SECONDS: '2',
  });
  url = gateway.url;
});

afterAll(async () => {
  await gateway?.stop();
  await stack?.stop();
});

describe('rate limiting', () => {
  it('answers 429 with Retry-After past the per-IP and per-user limits, and recovers', async () => {
    const anonymous = [];
    for (let i = 0; i < 6; i++) anonymous.push(await gql(url, '{ __typename }'));
    expect(anonymous.slice(0, 5).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(anonymous[5]!.status).toBe(429);
    const retryAfter = Number(anonymous[5]!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(anonymous[5]!.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');

    // A signed-in user has their own budget, not the exhausted IP one.
    const token = await devToken('rate-user', ['customer']);
    const signedIn = [];
    for (let i = 0; i < 4; i++) signedIn.push((await gql(url, '{ __typename }', { token })).status);
    expect(signedIn).toEqual([200, 200, 200, 429]);

    await new Promise((r) => setTimeout(r, retryAfter * 1000 + 200));
    expect((await gql(url, '{ __typename }')).status).toBe(200);
  });

  it('counts WebSocket subscribe messages against the same per-user budget', async () => {
    const cartId = await guestCart(stack.gatewayUrl);
    const live = liveClient(url, await devToken('rate-live-user', ['customer']));
    try {
      const query = 'subscription ($id: ID!) { cartUpdated(cartId: $id) { id } }';
      const allowed = [1, 2, 3].map(() => follow(live.client, query, { id: cartId }));
      await Promise.all(allowed.map((s) => s.waitFor(() => true)));
      const refused = follow(live.client, query, { id: cartId });
      expect(await refused.failed()).toMatchObject([{ extensions: { code: 'RATE_LIMITED' } }]);
      await new Promise((r) => setTimeout(r, 2_200));
      await follow(live.client, query, { id: cartId }).waitFor(() => true);
    } finally {
      await live.client.dispose();
    }
  });
});
