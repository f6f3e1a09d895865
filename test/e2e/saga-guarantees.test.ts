import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { devToken, gql, startTestSupergraph, type TestSupergraph } from '../support/stack.ts';
import { oneVariantProducts } from '../support/shop.ts';
import { waitFor } from '../support/wait.ts';

let stack: TestSupergraph;
let admin: string;

beforeAll(async () => {
  stack = await startTestSupergraph();
  admin = await devToken('admin-saga', ['admin']);
});
afterAll(async () => stack?.stop());

const ADDRESS = { name: 'Load', line1: '1 Main St', city: 'Springfield', postalCode: '12345', countryCode: 'US' };

async function productWithStock(available: number, offset: number): Promise<string> {
  const product = (await oneVariantProducts(stack.gatewayUrl, 1, { offset }))[0]!;
  if (product.availableQuantity !== available) {
    const adjusted = await gql<{ inventoryAdjust: { userErrors: unknown[] } }>(
      stack.gatewayUrl,
      `mutation ($id: ID!, $d: Int!) { inventoryAdjust(productId: $id, delta: $d, reason: "test setup") { userErrors { code } } }`,
      { token: admin, variables: { id: product.id, d: available - product.availableQuantity } },
    );
    expect(adjusted.body.data!.inventoryAdjust.userErrors).toEqual([]);
  }
  return product.id;
}

async function guestCart(productId: string): Promise<string> {
  const res = await gql<{ cartCreate: { cart: { id: string }; userErrors: unknown[] } }>(
    stack.gatewayUrl,
    `mutation ($p: ID!) { cartCreate(input: { lines: [{ productId: $p, quantity: 1 }] }) { cart { id } userErrors { code } } }`,
    { variables: { p: productId } },
  );
  expect(res.body.data!.cartCreate.userErrors).toEqual([]);
  return res.body.data!.cartCreate.cart.id;
}

const CHECKOUT = `mutation ($id: ID!, $input: CheckoutInput!) { cartCheckout(cartId: $id, input: $input) { checkout { id } userErrors { code } } }`;
const checkout = (cartId: string, key: string, token = 'tok_visa') =>
  gql<{ cartCheckout: { checkout: { id: string } | null; userErrors: Array<{ code: string }> } }>(stack.gatewayUrl, CHECKOUT, {
    variables: { id: cartId, input: { email: 'load@example.com', shippingAddress: ADDRESS, paymentToken: token, idempotencyKey: key } },
  });

const FINAL = ['CONFIRMED', 'REJECTED', 'PAYMENT_FAILED', 'CANCELLED'];
/** Final statuses of orders (admin view), waiting until none is PENDING or AWAITING_PAYMENT. */
async function settle(orderIds: string[], timeoutMs = 60_000): Promise<Map<string, string>> {
  const statuses = new Map<string, string>();
  return waitFor(
    `${orderIds.length} order(s) settled`,
    async () => {
      for (const id of orderIds.filter((o) => !FINAL.includes(statuses.get(o) ?? ''))) {
        const res = await gql<{ order: { status: string } | null }>(stack.gatewayUrl, `query ($id: ID!) { order(id: $id) { status } }`, {
          token: admin,
          variables: { id },
        });
        statuses.set(id, res.body.data?.order?.status ?? 'MISSING');
      }
      return statuses.size === orderIds.length && [...statuses.values()].every((s) => FINAL.includes(s)) ? statuses : undefined;
    },
    { timeoutMs, intervalMs: 200 },
  );
}

/** The newest checkout.requested the CHECKOUT stream holds (whether or not the order subgraph has taken it). */
async function lastCheckoutRequested(): Promise<{ id: string; data: { checkoutId: string } } | undefined> {
  const nc = await connect({ servers: stack.natsUrl });
  try {
    const stored = await (await jetstreamManager(nc)).streams.getMessage('CHECKOUT', { last_by_subj: 'checkout.requested' }).catch(() => null);
    return stored?.json<{ id: string; data: { checkoutId: string } }>();
  } finally {
    await nc.drain();
  }
}

describe('saga guarantees on the real stack', () => {
  it('never oversells: 100 concurrent checkouts of one product with stock 10 confirm exactly 10', async () => {
    const productId = await productWithStock(10, 0);
    const carts: string[] = [];
    for (let i = 0; i < 100; i += 20) carts.push(...(await Promise.all(Array.from({ length: 20 }, () => guestCart(productId)))));
    const results = await Promise.all(carts.map((cartId, i) => checkout(cartId, `load-${i}-${cartId}`)));
    const orderIds = results.flatMap((r) => (r.body.data!.cartCheckout.checkout ? [r.body.data!.cartCheckout.checkout.id] : []));
    // A checkout that already sees the stock gone is refused at once (OUT_OF_STOCK); the rest race in the saga.
    const refused = results.filter((r) => !r.body.data!.cartCheckout.checkout);
    expect(refused.every((r) => r.body.data!.cartCheckout.userErrors.every((e) => e.code === 'OUT_OF_STOCK'))).toBe(true);
    const statuses = await settle(orderIds);
    const counts = [...statuses.values()].reduce<Record<string, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});
    expect(counts.CONFIRMED).toBe(10);
    expect((counts.REJECTED ?? 0) + refused.length).toBe(90);
    const product = await gql<{ product: { availableQuantity: number } }>(
      stack.gatewayUrl,
      `query ($id: ID!) { product(id: $id) { availableQuantity } }`,
      { variables: { id: productId } },
    );
    expect(product.body.data!.product.availableQuantity).toBe(0);
  });

  it('20 concurrent checkouts with one idempotency key make one order and one capture', async () => {
    const productId = await productWithStock(50, 1);
    const cartId = await guestCart(productId);
    const results = await Promise.all(Array.from({ length: 20 }, () => checkout(cartId, `same-key-${cartId}`)));
    const ids = new Set(results.map((r) => r.body.data!.cartCheckout.checkout?.id));
    expect(ids.size).toBe(1);
    const [orderId] = [...ids] as string[];
    expect((await settle([orderId!])).get(orderId!)).toBe('CONFIRMED');
    const db = new pg.Client({
      connectionString: Object.assign(new URL(inject('postgresUrl')), { pathname: `/${stack.databases.payment}` }).toString(),
    });
    await db.connect();
    try {
      const payments = await db.query('select count(*)::int as n from payment where order_id = $1', [orderId]);
      expect(payments.rows[0].n).toBe(1);
    } finally {
      await db.end();
    }
  });

  it('resumes after the order subgraph is killed mid-saga', async () => {
    const productId = await productWithStock(50, 2);
    const cartId = await guestCart(productId);
    let orderId = '';
    await stack.crashAndRestart('order', async () => {
      // The order process is dead while the checkout event waits on JetStream.
      const res = await checkout(cartId, `crash-${cartId}`);
      orderId = res.body.data!.cartCheckout.checkout!.id;
      await waitFor('the checkout event on JetStream', async () => (await lastCheckoutRequested())?.data.checkoutId === orderId, { intervalMs: 200 });
    });
    expect((await settle([orderId])).get(orderId)).toBe('CONFIRMED');
  });

  it('ignores a checkout.requested delivered twice, and shows the order on its checkout', async () => {
    const productId = await productWithStock(50, 3);
    const cartId = await guestCart(productId);
    const res = await checkout(cartId, `dup-${cartId}`);
    const orderId = res.body.data!.cartCheckout.checkout!.id;
    expect((await settle([orderId])).get(orderId)).toBe('CONFIRMED');
    // Publish the stored event again under a new message id: JetStream cannot de-duplicate it,
    // so only the order subgraph's inbox and its insert-once stand between it and a second order.
    const envelope = (await lastCheckoutRequested())!;
    expect(envelope.data.checkoutId).toBe(orderId);
    const renamed = { ...envelope, id: randomUUID() };
    const nc = await connect({ servers: stack.natsUrl });
    try {
      await jetstream(nc).publish('checkout.requested', JSON.stringify(envelope), { msgID: randomUUID() });
      await jetstream(nc).publish('checkout.requested', JSON.stringify(renamed), { msgID: randomUUID() });
    } finally {
      await nc.drain();
    }
    const db = new pg.Client({
      connectionString: Object.assign(new URL(inject('postgresUrl')), { pathname: `/${stack.databases.order}` }).toString(),
    });
    await db.connect();
    try {
      // The order subgraph takes its messages one by one: once the second copy is in its inbox, the
      // first has been handled too, and the history below is final (was a 1 s sleep).
      await waitFor(
        'the second copy handled',
        async () => (await db.query('select 1 from inbox_message where message_id = $1', [renamed.id])).rowCount === 1,
      );
      const history = await db.query('select status from order_status_change where order_id = $1 order by at', [orderId]);
      expect(history.rows.map((r) => r.status)).toEqual(['PENDING', 'AWAITING_PAYMENT', 'CONFIRMED']);
    } finally {
      await db.end();
    }
    const viaCheckout = await gql<{ checkout: { order: { id: string; status: string } | null } }>(
      stack.gatewayUrl,
      `query ($id: ID!) { checkout(id: $id) { order { id status } } }`,
      { token: admin, variables: { id: orderId } },
    );
    expect(viaCheckout.body.data!.checkout.order).toEqual({ id: orderId, status: 'CONFIRMED' });
  });
});
