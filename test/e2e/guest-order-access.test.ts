import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutInput, gql, startTestSupergraph, type TestSupergraph } from '../support/stack.ts';
import { addLine, guestCart, metric, oneVariantProducts } from '../support/shop.ts';
import { follow, liveClient } from '../support/live.ts';
import { waitFor } from '../support/wait.ts';

let stack: TestSupergraph;
beforeAll(async () => {
  stack = await startTestSupergraph();
});
afterAll(async () => stack?.stop());

interface GuestOrder {
  orderId: string;
  token: string;
  email: string;
}

/** A guest's cart with one unit of the product. */
async function filledCart(productId: string): Promise<string> {
  const cartId = await guestCart(stack.gatewayUrl);
  await addLine(stack.gatewayUrl, cartId, productId);
  return cartId;
}

/** A guest checks out; the answer carries the order's access token. */
async function guestCheckout(productId: string, cartId?: string): Promise<GuestOrder> {
  const tag = `guest-${randomBytes(4).toString('hex')}`;
  cartId ??= await filledCart(productId);
  const res = await gql<{ cartCheckout: { checkout: { id: string } | null; orderAccessToken: string | null; userErrors: unknown[] } }>(
    stack.gatewayUrl,
    `mutation ($id: ID!, $input: CheckoutInput!) { cartCheckout(cartId: $id, input: $input) { checkout { id } orderAccessToken userErrors { code message } } }`,
    { variables: { id: cartId, input: checkoutInput(tag, cartId) } },
  );
  expect(res.body.data!.cartCheckout.userErrors).toEqual([]);
  const { checkout, orderAccessToken } = res.body.data!.cartCheckout;
  expect(orderAccessToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
  return { orderId: checkout!.id, token: orderAccessToken!, email: `${tag}@example.com` };
}

/** A query as the guest's browser sends it: no sign-in, the order access token as a header (if any). */
const asGuest = <T>(query: string, variables: Record<string, unknown>, token?: string) =>
  gql<T>(stack.gatewayUrl, query, { variables, headers: token ? { 'Order-Access-Token': token } : {} });

type OrderView = { id: string; number: string; status: string; email: string } | null;
const ORDER = `query ($id: ID!) { order(id: $id) { id number status email } }`;
const CHECKOUT_ORDER = `query ($id: ID!) { checkout(id: $id) { id order { id status } } }`;
const ORDER_PAYMENT = `query ($id: ID!) { order(id: $id) { payment { status } } }`;
const BY_NUMBER = `query ($number: String!, $email: String!) { orderByNumber(number: $number, email: $email) { id status } }`;

const ORDER_UPDATED = `subscription ($id: ID!) { orderUpdated(orderId: $id) { id status } }`;

describe('a guest follows their order with its access token', () => {
  // First in the file: the gateway's count of running subscriptions starts at 0.
  it('may subscribe before the saga has created the order, and gets it once it exists', async () => {
    const [product] = await oneVariantProducts(stack.gatewayUrl, 1, { offset: 3 });
    const cartId = await filledCart(product!.id);
    // With NATS down the checkout is accepted (from the cart's fresh snapshot) and its event waits
    // in the cart's outbox: the order cannot exist before NATS is back.
    await stack.nats.kill();
    let restarted = false;
    try {
      const mine = await guestCheckout(product!.id, cartId);
      expect((await asGuest<{ order: OrderView }>(ORDER, { id: mine.orderId }, mine.token)).body.data!.order).toBeNull();
      const waiting = liveClient(stack.gatewayUrl, undefined, { orderAccessToken: mine.token });
      try {
        const updates = follow<{ orderUpdated: { id: string; status: string } }>(waiting.client, ORDER_UPDATED, { id: mine.orderId });
        // Accepted (the gateway counts it only once it may wait), with nothing to send yet.
        await waitFor('the subscription waits for the order', async () => (await metric(stack.gatewayUrl, 'gateway_subscriptions_active')) === 1);
        expect(updates.results).toEqual([]);
        expect(updates.errors).toEqual([]);
        await stack.nats.restart();
        restarted = true;
        const confirmed = await updates.waitFor((r) => r.orderUpdated.status === 'CONFIRMED', 60_000);
        expect(confirmed.orderUpdated.id).toBe(mine.orderId);
        expect(updates.errors).toEqual([]);
        updates.stop();
      } finally {
        await waiting.client.dispose();
      }
    } finally {
      if (!restarted) await stack.nats.restart();
    }
  });

  it('reads order(id) and checkout(id) { order }, follows orderUpdated over WebSocket until CONFIRMED, finds it by number and email', async () => {
    const [product] = await oneVariantProducts(stack.gatewayUrl, 1);
    const mine = await guestCheckout(product!.id);

    // Subscribed right after checkout: the order may not exist yet, and the guest may wait for it.
    const live = liveClient(stack.gatewayUrl, undefined, { orderAccessToken: mine.token });
    try {
      const updates = follow<{ orderUpdated: { id: string; status: string } }>(live.client, ORDER_UPDATED, { id: mine.orderId });
      const confirmed = await updates.waitFor((r) => r.orderUpdated.status === 'CONFIRMED', 30_000);
      expect(confirmed.orderUpdated.id).toBe(mine.orderId);
      expect(updates.errors).toEqual([]);
      updates.stop();
    } finally {
      await live.client.dispose();
    }

    const order = await asGuest<{ order: OrderView }>(ORDER, { id: mine.orderId }, mine.token);
    expect(order.body.errors).toBeUndefined();
    expect(order.body.data!.order).toMatchObject({ id: mine.orderId, status: 'CONFIRMED', email: mine.email });
    const checkout = await asGuest<{ checkout: { order: { status: string } | null } | null }>(CHECKOUT_ORDER, { id: mine.orderId }, mine.token);
    expect(checkout.body.data!.checkout).toEqual({ id: mine.orderId, order: { id: mine.orderId, status: 'CONFIRMED' } });
    // The payment subgraph opens the order's payment to the same token (the gateway forwards the header).
    const paid = await asGuest<{ order: { payment: { status: string } | null } | null }>(ORDER_PAYMENT, { id: mine.orderId }, mine.token);
    expect(paid.body.errors).toBeUndefined();
    expect(paid.body.data!.order).toEqual({ payment: { status: 'CAPTURED' } });

    // Without the token the guest sees neither the order nor its checkout (which leads to the cart).
    expect((await asGuest<{ order: OrderView }>(ORDER, { id: mine.orderId })).body.data!.order).toBeNull();
    expect((await asGuest<{ checkout: { order: unknown } }>(CHECKOUT_ORDER, { id: mine.orderId })).body.data!.checkout).toBeNull();

    const number = order.body.data!.order!.number;
    const found = await asGuest<{ orderByNumber: OrderView }>(BY_NUMBER, { number, email: mine.email.toUpperCase() }, mine.token);
    expect(found.body.data!.orderByNumber).toEqual({ id: mine.orderId, status: 'CONFIRMED' });
    for (const [email, token] of [
      ['someone@example.com', mine.token],
      [mine.email, undefined],
    ] as const) {
      expect((await asGuest<{ orderByNumber: OrderView }>(BY_NUMBER, { number, email }, token)).body.data!.orderByNumber).toBeNull();
    }
  });

  it('cannot read or follow another order with it', async () => {
    const [first, second] = await oneVariantProducts(stack.gatewayUrl, 2, { offset: 1 });
    const mine = await guestCheckout(first!.id);
    const theirs = await guestCheckout(second!.id);
    // Their order exists (its own token reads it), so a null below is a refusal, not "not yet".
    await waitFor(
      'the other order exists',
      async () => (await asGuest<{ order: OrderView }>(ORDER, { id: theirs.orderId }, theirs.token)).body.data?.order,
    );

    const order = await asGuest<{ order: OrderView }>(ORDER, { id: theirs.orderId }, mine.token);
    expect(order.body.errors).toBeUndefined();
    expect(order.body.data!.order).toBeNull();
    // A request with a token is about that order: another guest checkout is not shown with it either.
    const checkout = await asGuest<{ checkout: unknown }>(CHECKOUT_ORDER, { id: theirs.orderId }, mine.token);
    expect(checkout.body.data!.checkout).toBeNull();

    const live = liveClient(stack.gatewayUrl, undefined, { orderAccessToken: mine.token });
    try {
      const updates = follow(live.client, ORDER_UPDATED, { id: theirs.orderId });
      expect(JSON.stringify(await updates.failed())).toContain('FORBIDDEN');
      expect(updates.results).toEqual([]);
    } finally {
      await live.client.dispose();
    }
  });
});
