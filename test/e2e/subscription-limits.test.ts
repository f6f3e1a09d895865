import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { devToken, gql, startExtraGateway, startTestSupergraph, type TestSupergraph } from '../support/stack.ts';
import { follow, liveClient, wsUrl, type LiveClient } from '../support/live.ts';
import { addLine, cheapestProduct, guestCart as guestCartAt, metric } from '../support/shop.ts';
import { DEEP_SUBSCRIPTION } from '../support/deep-subscription.ts';

// The stack's gateway runs with small subscription limits and fast pings; a second gateway process
// (same subgraphs, same Redis) serves the fan-out and per-address tests.
let stack: TestSupergraph;
let second: { url: string; stop: () => Promise<void> };
const clients: LiveClient[] = [];
const open = (url: string, token?: string) => {
  const live = liveClient(url, token);
  clients.push(live);
  return live;
};
const CART = 'subscription ($id: ID!) { cartUpdated(cartId: $id) { version lines(first: 5) { edges { node { product { name } } } } } }';
type LiveCart = { cartUpdated: { version: number; lines: { edges: Array<{ node: { product: { name: string } } }> } } };

beforeAll(async () => {
  stack = await startTestSupergraph({
    GATEWAY_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: '3',
    GATEWAY_WS_MAX_CONNECTIONS_PER_USER: '2',
    GATEWAY_WS_MAX_MESSAGE_BYTES: '4096',
    GATEWAY_WS_KEEPALIVE_MS: '300',
  });
  second = await startExtraGateway(stack, { GATEWAY_WS_MAX_CONNECTIONS_PER_IP: '2' });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.client.dispose()));
  await second?.stop();
  await stack?.stop();
});

const guestCart = () => guestCartAt(stack.gatewayUrl);
/** Adds the cheapest product; answers its name. */
async function addProduct(cartId: string): Promise<string> {
  const item = await cheapestProduct(stack.gatewayUrl);
  await addLine(stack.gatewayUrl, cartId, item.id);
  return item.name;
}

describe('two gateway processes', () => {
  it('serve subscribers of the same cart: a change made through one reaches clients of both', async () => {
    const cartId = await guestCart();
    const onFirst = follow<LiveCart>(open(stack.gatewayUrl).client, CART, { id: cartId });
    const onSecondLive = open(second.url);
    const onSecond = follow<LiveCart>(onSecondLive.client, CART, { id: cartId });
    await Promise.all([onFirst.waitFor(() => true), onSecond.waitFor(() => true)]);
    const name = await addProduct(cartId); // through the first gateway
    for (const watcher of [onFirst, onSecond]) {
      const seen = await watcher.waitFor((r) => r.cartUpdated.version === 2);
      expect(seen.cartUpdated.lines.edges[0]!.node.product.name).toBe(name);
    }
    await onSecondLive.client.dispose();
  });
});

describe('subscription limits', () => {
  it('refuses a subscription past the per-connection limit with an error, and takes one again once another ends', async () => {
    const cartId = await guestCart();
    const { client } = open(stack.gatewayUrl);
    const running = [1, 2, 3].map(() => follow<LiveCart>(client, CART, { id: cartId }));
    await Promise.all(running.map((r) => r.waitFor(() => true)));
    const fourth = follow(client, CART, { id: cartId });
    expect(await fourth.failed()).toEqual([
      { message: 'Too many subscriptions on this connection (limit 3)', extensions: { code: 'SUBSCRIPTION_LIMIT' } },
    ]);
    running[0]!.stop();
    await follow(client, CART, { id: cartId }).waitFor(() => true);
    // The others go on receiving.
    await addProduct(cartId);
    await running[1]!.waitFor((r) => r.cartUpdated.version === 2);
  });

  it('closes a user’s connection past the per-user limit (1008); other users are not affected', async () => {
    const cartId = await guestCart();
    const token = await devToken(`many-tabs-${Date.now()}`, ['customer']);
    const tabs = [open(stack.gatewayUrl, token), open(stack.gatewayUrl, token)];
    await Promise.all(tabs.map((tab) => follow(tab.client, CART, { id: cartId }).waitFor(() => true)));
    const third = open(stack.gatewayUrl, token);
    follow(third.client, CART, { id: cartId });
    expect(await third.closed).toEqual({ code: 1008, reason: 'Too many connections for this user (limit 2)' });
    await follow(open(stack.gatewayUrl, await devToken('someone-else', ['customer'])).client, CART, { id: cartId }).waitFor(() => true);
  });

  it('answers 429 to a WebSocket upgrade past the per-address limit, and accepts again once one closes', async () => {
    const cartId = await guestCart();
    // Earlier tests' sockets on this gateway must be gone (a closing TCP socket frees its slot).
    await expect.poll(() => metric(second.url, 'gateway_ws_connections'), { timeout: 5_000 }).toBe(0);
    const first = open(second.url);
    const both = [first, open(second.url)];
    await Promise.all(both.map((c) => follow(c.client, CART, { id: cartId }).waitFor(() => true)));
    const status = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(wsUrl(second.url), 'graphql-transport-ws');
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('open', () => reject(new Error('upgrade accepted past the limit')));
    });
    expect(status).toBe(429);
    await first.client.dispose();
    await expect
      .poll(
        async () => {
          const retry = liveClient(second.url);
          clients.push(retry);
          const ok = await follow(retry.client, CART, { id: cartId })
            .waitFor(() => true, 2_000)
            .then(
              () => true,
              () => false,
            );
          return ok;
        },
        { timeout: 5_000 },
      )
      .toBe(true);
  });

  it('closes the socket with 1009 when a message exceeds the size cap; normal-size traffic goes through', async () => {
    const cartId = await guestCart();
    const oversized = open(stack.gatewayUrl);
    follow(oversized.client, `${CART} ${'#'.repeat(5000)}`, { id: cartId });
    expect((await oversized.closed).code).toBe(1009);
    await follow(open(stack.gatewayUrl).client, CART, { id: cartId }).waitFor(() => true);
    expect((await gql(stack.gatewayUrl, '{ __typename }')).status).toBe(200);
  });

  // Each case is sent over the WebSocket and as an HTTP POST: both answer the same code.
  it.each([
    ['an empty query', '', {}, { code: 'BAD_REQUEST' }],
    ['a syntax error', 'subscription { cartUpdated(cartId: "x") { id }', {}, { code: 'GRAPHQL_PARSE_FAILED' }],
    // Over the token limit within the 4096-byte message cap: `[]` is two tokens.
    ['too many tokens', `subscription { cartUpdated(cartId: [${'[]'.repeat(1550)}]) { id } }`, {}, { code: 'GRAPHQL_PARSE_FAILED' }],
    ['an inline literal of the wrong type', 'subscription { cartUpdated(cartId: true) { id } }', {}, { code: 'GRAPHQL_VALIDATION_FAILED' }],
    ['a variable of the wrong type', 'subscription ($id: ID!) { cartUpdated(cartId: $id) { id } }', { id: true }, { code: 'BAD_USER_INPUT' }],
    ['a document over the depth limit', DEEP_SUBSCRIPTION, {}, { code: 'QUERY_LIMIT_EXCEEDED', limit: 'maxDepth' }],
    [
      'a document over the alias limit',
      `subscription { cartUpdated(cartId: "x") { ${Array.from({ length: 16 }, (_, i) => `a${i}: id`).join(' ')} } }`,
      {},
      { code: 'QUERY_LIMIT_EXCEEDED', limit: 'maxAliases' },
    ],
  ])('refuses %s with the code HTTP gives it', async (_case, query, variables, extensions) => {
    const overWs = await follow(open(stack.gatewayUrl).client, query, variables).failed();
    expect(overWs).toEqual([expect.objectContaining({ extensions: expect.objectContaining(extensions) })]);
    const overHttp = await gql(stack.gatewayUrl, query, { variables });
    expect(overHttp.status).toBe(400);
    expect(overHttp.body.errors?.[0]?.extensions).toMatchObject(extensions);
  });

  it('pings to keep connections alive and drops a client that stops answering', async () => {
    const alive = new WebSocket(wsUrl(stack.gatewayUrl), 'graphql-transport-ws');
    const pinged = new Promise<void>((resolve) => alive.once('ping', () => resolve()));
    await pinged;
    expect(alive.readyState).toBe(WebSocket.OPEN);
    alive.close();

    const silent = new WebSocket(wsUrl(stack.gatewayUrl), 'graphql-transport-ws', { autoPong: false });
    silent.on('open', () => silent.send(JSON.stringify({ type: 'connection_init', payload: {} })));
    const code = await new Promise<number>((resolve) => silent.once('close', (c) => resolve(c)));
    expect(code).toBe(1006); // terminated: no close handshake with a peer that stopped answering
  });

  it('refuses subscriptions sent over HTTP with a pointer to the WebSocket', async () => {
    const res = await gql(stack.gatewayUrl, 'subscription { cartUpdated(cartId: "x") { id } }');
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.message).toMatch(/WebSocket/);
  });

  it('closes its sockets with 1001 (going away) when a gateway process stops', async () => {
    const cartId = await guestCart();
    const leaving = await startExtraGateway(stack, {});
    const live = liveClient(leaving.url);
    await follow(live.client, CART, { id: cartId }).waitFor(() => true);
    await leaving.stop();
    expect((await live.closed).code).toBe(1001);
  });
});
