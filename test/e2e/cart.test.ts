import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { DEMO_CUSTOMER, devToken, gql, startTestSupergraph, type TestSupergraph, checkoutInput } from '../support/stack.ts';
import { oneVariantProducts } from '../support/shop.ts';
import { waitFor } from '../support/wait.ts';

let stack: TestSupergraph;
let productIds: string[] = [];

beforeAll(async () => {
  stack = await startTestSupergraph();
  productIds = (await oneVariantProducts(stack.gatewayUrl, 3)).map((p) => p.id);
});
afterAll(async () => stack?.stop());

const CART_PAGE = `query ($id: ID!) { cart(id: $id) {
  id totalQuantity
  lines { edges { node { quantity unitPrice { amount } product { id name price { amount } inStock } } } }
  cost { subtotalAmount { amount } totalAmount { amount } }
} }`;

describe('cart through the gateway', () => {
  it('shows the cart page with product fields from the catalog', async () => {
    const created = await gql<{ cartCreate: { cart: { id: string }; userErrors: unknown[] } }>(
      stack.gatewayUrl,
      `mutation ($lines: [CartLineInput!]) { cartCreate(input: { lines: $lines }) { cart { id } userErrors { code } } }`,
      { variables: { lines: productIds.map((productId) => ({ productId, quantity: 2 })) } },
    );
    expect(created.body.data!.cartCreate.userErrors).toEqual([]);
    const id = created.body.data!.cartCreate.cart.id;
    const page = await gql<{
      cart: {
        totalQuantity: number;
        lines: { edges: Array<{ node: { unitPrice: { amount: string }; product: { id: string; name: string; price: { amount: string } } } }> };
      };
    }>(stack.gatewayUrl, CART_PAGE, { variables: { id } });
    expect(page.body.errors).toBeUndefined();
    expect(page.body.data!.cart.totalQuantity).toBe(6);
    for (const { node } of page.body.data!.cart.lines.edges) {
      expect(node.product.name.length).toBeGreaterThan(0);
      // The price the cart charges is the catalog's, never the client's.
      expect(node.unitPrice.amount).toBe(node.product.price.amount);
    }
  });

  it('checks out and emits checkout.requested on JetStream', async () => {
    const token = await devToken(DEMO_CUSTOMER, ['customer']);
    const me = await gql<{ me: { cart: { id: string } } }>(stack.gatewayUrl, '{ me { cart { id } } }', { token });
    const cartId = me.body.data!.me.cart.id;
    const added = await gql<{ cartLinesAdd: { userErrors: unknown[] } }>(
      stack.gatewayUrl,
      `mutation ($id: ID!, $p: ID!) { cartLinesAdd(cartId: $id, lines: [{ productId: $p, quantity: 1 }]) { userErrors { code } } }`,
      { token, variables: { id: cartId, p: productIds[0] } },
    );
    expect(added.body.data!.cartLinesAdd.userErrors).toEqual([]);

    const nc = await connect({ servers: stack.natsUrl });
    const jsm = await jetstreamManager(nc);
    const before = (await jsm.streams.info('CHECKOUT')).state.messages;
    const res = await gql<{ cartCheckout: { checkout: { id: string; status: string } | null; userErrors: unknown[] } }>(
      stack.gatewayUrl,
      `mutation ($id: ID!, $input: CheckoutInput!) { cartCheckout(cartId: $id, input: $input) { checkout { id status } userErrors { field code message } } }`,
      {
        token,
        variables: {
          id: cartId,
          input: checkoutInput('e2e', cartId, 'tok_visa'),
        },
      },
    );
    expect(res.body.data!.cartCheckout.userErrors).toEqual([]);
    const checkoutId = res.body.data!.cartCheckout.checkout!.id;
    const message = await waitFor(
      'the checkout event on JetStream',
      async () => {
        if ((await jsm.streams.info('CHECKOUT')).state.messages <= before) return undefined;
        const stored = await jsm.streams.getMessage('CHECKOUT', { last_by_subj: 'checkout.requested' });
        return stored?.json<{ data: { checkoutId: string; lines: unknown[] } }>();
      },
      { intervalMs: 100 },
    );
    expect(message?.data.checkoutId).toBe(checkoutId);
    expect(message?.data.lines).toHaveLength(1);

    // The cart follows its order: a confirmation on the ORDER stream checks the cart out.
    const envelope = {
      id: randomUUID(),
      subject: 'order.status.confirmed',
      occurredAt: new Date().toISOString(),
      data: { orderId: checkoutId, cartId, status: 'CONFIRMED', reason: null },
    };
    await jetstream(nc).publish('order.status.confirmed', JSON.stringify(envelope), { msgID: envelope.id });
    await nc.drain();
    await waitFor(
      'the cart checked out',
      async () => {
        const cart = await gql<{ cart: { status: string } }>(stack.gatewayUrl, `query ($id: ID!) { cart(id: $id) { status } }`, {
          token,
          variables: { id: cartId },
        });
        return cart.body.data!.cart.status === 'CHECKED_OUT';
      },
      { intervalMs: 100 },
    );
    const fresh = await gql<{ me: { cart: { id: string; status: string } } }>(stack.gatewayUrl, '{ me { cart { id status } } }', { token });
    expect(fresh.body.data!.me.cart).toMatchObject({ status: 'ACTIVE' });
    expect(fresh.body.data!.me.cart.id).not.toBe(cartId);
  });

  it('shows a product the catalog stops selling as an unavailable line, not an error', async () => {
    const created = await gql<{ cartCreate: { cart: { id: string } } }>(
      stack.gatewayUrl,
      `mutation ($p: ID!) { cartCreate(input: { lines: [{ productId: $p }] }) { cart { id } } }`,
      {
        variables: { p: productIds[2] },
      },
    );
    const id = created.body.data!.cartCreate.cart.id;
    const deleted = await gql<{ productDelete: { userErrors: unknown[] } }>(
      stack.gatewayUrl,
      `mutation ($id: ID!) { productDelete(id: $id) { userErrors { code } } }`,
      {
        token: await devToken('admin-e2e', ['admin']),
        variables: { id: productIds[2] },
      },
    );
    expect(deleted.body.data!.productDelete.userErrors).toEqual([]);
    const line = await waitFor(
      'the line unavailable',
      async () => {
        const page = await gql<{ cart: { lines: { edges: Array<{ node: { available: boolean; product: { name: string } } }> } } }>(
          stack.gatewayUrl,
          `query ($id: ID!) { cart(id: $id) { lines { edges { node { available product { name } } } } } }`,
          { variables: { id } },
        );
        expect(page.body.errors).toBeUndefined();
        const found = page.body.data!.cart.lines.edges[0]?.node;
        return found && !found.available ? found : undefined;
      },
      { intervalMs: 100 },
    );
    expect(line.available).toBe(false);
    expect(line.product.name.length).toBeGreaterThan(0);
  });
});
