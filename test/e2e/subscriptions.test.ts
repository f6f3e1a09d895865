import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { DEMO_CUSTOMER, DEMO_ORDER, devToken, gql, startTestSupergraph, type TestSupergraph, checkoutInput } from '../support/stack.ts';
import { follow, liveClient, type LiveClient } from '../support/live.ts';
import { addLine as addLineAt, cheapestProduct, guestCart as guestCartAt, metric, oneVariantProducts } from '../support/shop.ts';

let stack: TestSupergraph;
let redis: Redis;
const clients: LiveClient[] = [];
const open = (token?: string) => {
  const live = liveClient(stack.gatewayUrl, token);
  clients.push(live);
  return live.client;
};

beforeAll(async () => {
  stack = await startTestSupergraph();
  redis = new Redis(stack.redis.url);
  redis.on('error', () => undefined); // the outage test stops Redis on purpose
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.client.dispose()));
  redis?.disconnect();
  await stack?.stop();
});

interface LiveCart {
  cartUpdated: {
    version: number;
    totalQuantity: number;
    lines: { edges: Array<{ node: { id: string; quantity: number; product: { name: string; price: { amount: string } } } }> };
    cost: { subtotalAmount: { amount: string } };
  };
}
const CART_WITH_CATALOG_FIELDS = `subscription ($id: ID!) { cartUpdated(cartId: $id) {
  version totalQuantity
  lines(first: 10) { edges { node { id quantity product { name price { amount } } } } }
  cost { subtotalAmount { amount } } } }`;

const product = () => cheapestProduct(stack.gatewayUrl);
const guestCart = () => guestCartAt(stack.gatewayUrl);
const addLine = (cartId: string, productId: string, token?: string) => addLineAt(stack.gatewayUrl, cartId, productId, token);
const gatewayMetric = (name: string) => metric(stack.gatewayUrl, name);
const subscribers = async (channel: string) => ((await redis.pubsub('NUMSUB', channel)) as [string, number])[1];

describe('cartUpdated', () => {
  it('shows two devices each other’s change, with the catalog’s fields, and the current cart first', async () => {
    const [cartId, item] = [await guestCart(), await product()];
    const phone = follow<LiveCart>(open(), CART_WITH_CATALOG_FIELDS, { id: cartId });
    const laptop = follow<LiveCart>(open(), CART_WITH_CATALOG_FIELDS, { id: cartId });
    await phone.waitFor((r) => r.cartUpdated.version === 1);
    await laptop.waitFor((r) => r.cartUpdated.version === 1);

    await addLine(cartId, item.id); // from the phone
    const seen = await laptop.waitFor((r) => r.cartUpdated.version === 2);
    expect(seen.cartUpdated.totalQuantity).toBe(1);
    expect(seen.cartUpdated.lines.edges[0]!.node.product).toEqual({ name: item.name, price: { amount: item.price.amount } });
    // The subtotal: the total also holds the estimated delivery and tax.
    expect(seen.cartUpdated.cost.subtotalAmount.amount).toBe(item.price.amount);

    const lineId = seen.cartUpdated.lines.edges[0]!.node.id;
    await gql(
      stack.gatewayUrl,
      'mutation ($c: ID!, $l: ID!) { cartLinesUpdate(cartId: $c, lines: [{ id: $l, quantity: 3 }]) { userErrors { code } } }',
      {
        variables: { c: cartId, l: lineId },
      },
    ); // from the laptop
    const onPhone = await phone.waitFor((r) => r.cartUpdated.version === 3);
    expect(onPhone.cartUpdated.lines.edges[0]!.node.quantity).toBe(3);
    expect(phone.errors).toEqual([]);
  });

  it('delivers the versions of concurrent changes in commit order, ending at the last one', async () => {
    const [cartId, item] = [await guestCart(), await product()];
    const watcher = follow<LiveCart>(open(), CART_WITH_CATALOG_FIELDS, { id: cartId });
    await watcher.waitFor(() => true);
    const versions = await Promise.all(Array.from({ length: 20 }, () => addLine(cartId, item.id)));
    const last = Math.max(...versions);
    expect(last).toBe(21);
    const final = await watcher.waitFor((r) => r.cartUpdated.version === last);
    expect(final.cartUpdated.totalQuantity).toBe(20);
    const seen = watcher.results.map((r) => r.cartUpdated.version);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('stops the events after unsubscribe, and the Redis channel subscriptions go back to zero', async () => {
    const [cartId, item] = [await guestCart(), await product()];
    const channel = `cart.changed.${cartId}`;
    const client = open();
    const first = follow<LiveCart>(client, CART_WITH_CATALOG_FIELDS, { id: cartId });
    const second = follow<LiveCart>(client, CART_WITH_CATALOG_FIELDS, { id: cartId });
    await first.waitFor(() => true);
    await second.waitFor(() => true);
    expect(await subscribers(channel)).toBe(1); // one Redis subscription per channel and gateway

    first.stop();
    await addLine(cartId, item.id);
    await second.waitFor((r) => r.cartUpdated.version === 2);
    expect(first.results.map((r) => r.cartUpdated.version)).toEqual([1]);
    expect(await subscribers(channel)).toBe(1);

    second.stop();
    await expect.poll(() => subscribers(channel), { timeout: 5_000 }).toBe(0);

    // Closing the socket releases its subscriptions too.
    const other = liveClient(stack.gatewayUrl);
    const third = follow<LiveCart>(other.client, CART_WITH_CATALOG_FIELDS, { id: cartId });
    await third.waitFor(() => true);
    expect(await subscribers(channel)).toBe(1);
    await other.client.dispose();
    await expect.poll(() => subscribers(channel), { timeout: 5_000 }).toBe(0);
  });

  it('answers every subscriber of a cart with the same query and token from one read per change', async () => {
    const [cartId, item] = [await guestCart(), await product()];
    const reads = () => gatewayMetric('gateway_subscription_reads_total');
    const devices = [open(), open(), open()].map((client) => follow<LiveCart>(client, CART_WITH_CATALOG_FIELDS, { id: cartId }));
    await Promise.all(devices.map((d) => d.waitFor(() => true)));
    const before = await reads();
    await addLine(cartId, item.id);
    await Promise.all(devices.map((d) => d.waitFor((r) => r.cartUpdated.version === 2)));
    expect(await reads()).toBe(before + 1);
    // Another selection (or another token) is another read.
    const other = follow<{ cartUpdated: { version: number } }>(open(), 'subscription ($id: ID!) { cartUpdated(cartId: $id) { version } }', {
      id: cartId,
    });
    await other.waitFor(() => true);
    const withOther = await reads();
    await addLine(cartId, item.id);
    await other.waitFor((r) => r.cartUpdated.version === 3);
    await Promise.all(devices.map((d) => d.waitFor((r) => r.cartUpdated.version === 3)));
    expect(await reads()).toBe(withOther + 2);
  });
});

describe('changes made elsewhere', () => {
  it('shows a line going unavailable when the catalog runs out of its product (catalog → JetStream → cart → Redis → gateway)', async () => {
    const item = (await oneVariantProducts(stack.gatewayUrl, 1, { offset: 4, sort: 'PRICE_DESC' }))[0]!;
    const created = await gql<{ cartCreate: { cart: { id: string } } }>(
      stack.gatewayUrl,
      'mutation ($p: ID!) { cartCreate(input: { lines: [{ productId: $p }] }) { cart { id } } }',
      {
        variables: { p: item.id },
      },
    );
    const cartId = created.body.data!.cartCreate.cart.id;
    type Lines = { cartUpdated: { lines: { edges: Array<{ node: { available: boolean; product: { inStock: boolean } } }> } } };
    const watcher = follow<Lines>(
      open(),
      'subscription ($id: ID!) { cartUpdated(cartId: $id) { lines(first: 5) { edges { node { available product { inStock } } } } } }',
      { id: cartId },
    );
    await watcher.waitFor((r) => r.cartUpdated.lines.edges[0]!.node.available);
    const adjusted = await gql<{ inventoryAdjust: { userErrors: unknown[] } }>(
      stack.gatewayUrl,
      'mutation ($id: ID!, $d: Int!) { inventoryAdjust(productId: $id, delta: $d, reason: "sold out elsewhere") { userErrors { code } } }',
      { token: await devToken('ops', ['admin']), variables: { id: item.id, d: -item.availableQuantity } },
    );
    expect(adjusted.body.data!.inventoryAdjust.userErrors).toEqual([]);
    const soldOut = await watcher.waitFor((r) => !r.cartUpdated.lines.edges[0]!.node.available);
    expect(soldOut.cartUpdated.lines.edges[0]!.node.product.inStock).toBe(false);
  });
});

describe('authorization', () => {
  it('refuses an invalid or expired token in connection_init with 4401', async () => {
    const bad = liveClient(stack.gatewayUrl, 'not-a-token');
    follow(bad.client, 'subscription { cartUpdated(cartId: "x") { id } }');
    expect((await bad.closed).code).toBe(4401);
    const expired = liveClient(stack.gatewayUrl, await devToken('someone', ['customer'], Math.floor(Date.now() / 1000) - 10));
    follow(expired.client, 'subscription { cartUpdated(cartId: "x") { id } }');
    expect(await expired.closed).toEqual({ code: 4401, reason: 'Unauthorized: invalid or expired token' });
  });

  it('lets owners and admins follow a customer cart, and refuses everyone else with an error', async () => {
    const owner = await devToken(`owner-${Date.now()}`, ['customer']);
    const me = await gql<{ me: { cart: { id: string } } }>(stack.gatewayUrl, '{ me { cart { id } } }', { token: owner });
    const cartId = me.body.data!.me.cart.id;
    const query = 'subscription ($id: ID!) { cartUpdated(cartId: $id) { id } }';

    const stranger = follow(open(await devToken('stranger', ['customer'])), query, { id: cartId });
    expect(await stranger.failed()).toEqual([
      { message: 'No cart with this id that you may see', path: ['cartUpdated'], extensions: { code: 'FORBIDDEN' } },
    ]);
    const guest = follow(open(), query, { id: cartId });
    expect(await guest.failed()).toMatchObject([{ extensions: { code: 'FORBIDDEN' } }]);
    expect(stranger.results).toEqual([]);

    await follow(open(owner), query, { id: cartId }).waitFor((r) => JSON.stringify(r).includes(cartId));
    await follow(open(await devToken('ops', ['admin'])), query, { id: cartId }).waitFor(() => true);
  });

  it('lets a customer follow only their own order; admins any', async () => {
    const query = 'subscription ($id: ID!) { orderUpdated(orderId: $id) { id number status } }';
    const mine = follow<{ orderUpdated: { id: string } }>(open(await devToken(DEMO_CUSTOMER, ['customer'])), query, { id: DEMO_ORDER });
    expect((await mine.waitFor(() => true)).orderUpdated.id).toBe(DEMO_ORDER);
    const other = follow(open(await devToken('someone-else', ['customer'])), query, { id: DEMO_ORDER });
    expect(await other.failed()).toMatchObject([{ extensions: { code: 'FORBIDDEN' } }]);
    const guest = follow(open(), query, { id: DEMO_ORDER });
    expect(await guest.failed()).toMatchObject([{ extensions: { code: 'FORBIDDEN' } }]);
    await follow(open(await devToken('ops', ['admin'])), query, { id: DEMO_ORDER }).waitFor(() => true);
  });

  it('closes the socket with 4401 once the token expires', async () => {
    const [cartId, item] = [await guestCart(), await product()];
    const shortLived = liveClient(stack.gatewayUrl, await devToken('brief', ['customer'], '4s'));
    const watcher = follow(shortLived.client, CART_WITH_CATALOG_FIELDS, { id: cartId });
    await watcher.waitFor(() => true);
    const closed = await shortLived.closed; // with no change in between: the expiry alone closes it
    expect(closed).toEqual({ code: 4401, reason: 'Token expired: reconnect with a fresh one' });
    // A witness with a valid token on the same cart: once it has the change, the expired
    // subscription would have had it too, were it still open (a positive signal, not a sleep).
    const witness = follow<LiveCart>(open(), CART_WITH_CATALOG_FIELDS, { id: cartId });
    await witness.waitFor((r) => r.cartUpdated.version === 1);
    await addLine(cartId, item.id);
    await witness.waitFor((r) => r.cartUpdated.version === 2);
    expect(watcher.results).toHaveLength(1);
  });
});

describe('orderUpdated', () => {
  it('follows a checkout through the saga, with the payment subgraph’s fields, from the moment of checkout', async () => {
    const token = await devToken(`buyer-${Date.now()}`, ['customer']);
    const me = await gql<{ me: { cart: { id: string } } }>(stack.gatewayUrl, '{ me { cart { id } } }', { token });
    const cartId = me.body.data!.me.cart.id;
    await addLine(cartId, (await product()).id, token);
    const res = await gql<{ cartCheckout: { checkout: { id: string } } }>(
      stack.gatewayUrl,
      'mutation ($id: ID!, $input: CheckoutInput!) { cartCheckout(cartId: $id, input: $input) { checkout { id } userErrors { code } } }',
      {
        token,
        variables: {
          id: cartId,
          input: checkoutInput('live', cartId, 'tok_visa'),
        },
      },
    );
    const orderId = res.body.data!.cartCheckout.checkout.id;
    // Subscribed at once: the order may not exist yet; its checkout does, so the subscription waits.
    type LiveOrder = {
      orderUpdated: { status: string; payment: { id: string; status: string } | null; refunds: Array<{ amount: { amount: string } }> };
    };
    const watcher = follow<LiveOrder>(
      open(token),
      'subscription ($id: ID!) { orderUpdated(orderId: $id) { status payment { id status } refunds { amount { amount } } } }',
      { id: orderId },
    );
    // Only fields the order's change message carries: answered from it, the same as a read would be.
    const STATE = '{ __typename id status updatedAt }';
    type OrderState = { __typename: string; id: string; status: string; updatedAt: string };
    const brief = follow<{ orderUpdated: OrderState }>(open(token), `subscription ($id: ID!) { orderUpdated(orderId: $id) ${STATE} }`, {
      id: orderId,
    });
    const confirmed = await watcher.waitFor((r) => r.orderUpdated.status === 'CONFIRMED');
    expect(confirmed.orderUpdated.payment?.status).toBe('CAPTURED');
    expect(watcher.errors).toEqual([]);
    const briefly = await brief.waitFor((r) => r.orderUpdated.status === 'CONFIRMED');
    const read = await gql<{ order: OrderState }>(stack.gatewayUrl, `query ($id: ID!) { order(id: $id) ${STATE} }`, {
      token,
      variables: { id: orderId },
    });
    expect(briefly.orderUpdated).toEqual(read.body.data!.order);
    expect(brief.errors).toEqual([]);
    brief.stop();
    // Statuses only move forward.
    const order = ['PENDING', 'AWAITING_PAYMENT', 'CONFIRMED'];
    const ranks = watcher.results.map((r) => order.indexOf(r.orderUpdated.status));
    expect(ranks).toEqual([...ranks].sort());

    // A partial refund changes no order status; the payment subgraph announces it on the order's channel.
    const refund = await gql<{ paymentRefund: { userErrors: unknown[] } }>(
      stack.gatewayUrl,
      'mutation ($p: ID!) { paymentRefund(paymentId: $p, amount: "0.01", idempotencyKey: "live-refund") { userErrors { code message } } }',
      { token: await devToken('ops', ['admin']), variables: { p: confirmed.orderUpdated.payment!.id } },
    );
    expect(refund.body.data!.paymentRefund.userErrors).toEqual([]);
    // (A read between the refund's two commits may show it pending first; the settled state follows.)
    const refunded = await watcher.waitFor((r) => r.orderUpdated.payment?.status === 'PARTIALLY_REFUNDED');
    expect(refunded.orderUpdated.refunds.map((r) => r.amount.amount)).toEqual(['0.01']);
  });
});

describe('Redis outage', () => {
  it('refuses new subscriptions while Redis is down, and brings running ones up to date when it returns', async () => {
    const [cartId, otherCartId, leftCartId, item] = [await guestCart(), await guestCart(), await guestCart(), await product()];
    const watcher = follow<LiveCart>(open(), CART_WITH_CATALOG_FIELDS, { id: cartId });
    const leaving = follow<LiveCart>(open(), CART_WITH_CATALOG_FIELDS, { id: leftCartId });
    await watcher.waitFor((r) => r.cartUpdated.version === 1);
    await leaving.waitFor(() => true);

    expect(await gatewayMetric('gateway_live_updates_up')).toBe(1);
    await stack.redis.pause();
    await expect.poll(() => gatewayMetric('gateway_live_updates_up'), { timeout: 5_000 }).toBe(0);
    // Unsubscribing while Redis is down cannot reach it; the channel is released once it is back.
    leaving.stop();
    // A cart nobody follows yet: its channel cannot be subscribed now.
    const during = follow(open(), CART_WITH_CATALOG_FIELDS, { id: otherCartId });
    expect(await during.failed()).toEqual([
      { message: 'Live updates are unavailable right now; retry shortly', extensions: { code: 'SERVICE_UNAVAILABLE', retryAfter: 5 } },
    ]);
    // Committed while Redis is down: the cart's change message is lost.
    expect(await addLine(cartId, item.id)).toBe(2);

    await stack.redis.restart();
    // The gateway's listener reconnects and every running subscription reads again.
    const caughtUp = await watcher.waitFor((r) => r.cartUpdated.version === 2, 15_000);
    expect(caughtUp.cartUpdated.totalQuantity).toBe(1);
    expect(watcher.errors).toEqual([]);
    await expect.poll(() => subscribers(`cart.changed.${leftCartId}`), { timeout: 5_000 }).toBe(0);
    expect(await subscribers(`cart.changed.${cartId}`)).toBe(1);
    expect(await gatewayMetric('gateway_live_updates_up')).toBe(1);
  });
});
