import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devToken, gql, startTestSupergraph, type TestSupergraph, checkoutInput } from '../support/stack.ts';
import { oneVariantProducts } from '../support/shop.ts';
import { waitFor } from '../support/wait.ts';

let stack: TestSupergraph;
let token: string;

/** Short enough that a reservation can expire within a test (the catalog's minimum). */
const RESERVATION_TTL_SECONDS = 10;

beforeAll(async () => {
  stack = await startTestSupergraph({ INVENTORY_RESERVATION_TTL_SECONDS: String(RESERVATION_TTL_SECONDS) });
  token = await devToken(`saga-${Date.now()}`, ['customer']);
});
afterAll(async () => stack?.stop());

interface ProductState {
  id: string;
  availableQuantity: number;
}

async function inStockProduct(): Promise<ProductState> {
  return (await oneVariantProducts(stack.gatewayUrl, 1))[0]!;
}

/** Checks the customer's cart out; `tag` makes the idempotency key (a cart given back after a failed order is checked out again). */
async function checkout(paymentToken: string, productId: string, tag = 'saga'): Promise<{ orderId: string; cartId: string }> {
  const me = await gql<{ me: { cart: { id: string } } }>(stack.gatewayUrl, '{ me { cart { id } } }', { token });
  const cartId = me.body.data!.me.cart.id;
  const added = await gql<{ cartLinesAdd: { userErrors: unknown[] } }>(
    stack.gatewayUrl,
    `mutation ($id: ID!, $p: ID!) { cartLinesAdd(cartId: $id, lines: [{ productId: $p, quantity: 1 }]) { userErrors { code } } }`,
    { token, variables: { id: cartId, p: productId } },
  );
  expect(added.body.data!.cartLinesAdd.userErrors).toEqual([]);
  const res = await gql<{ cartCheckout: { checkout: { id: string } | null; userErrors: unknown[] } }>(
    stack.gatewayUrl,
    `mutation ($id: ID!, $input: CheckoutInput!) { cartCheckout(cartId: $id, input: $input) { checkout { id } userErrors { code message } } }`,
    {
      token,
      variables: {
        id: cartId,
        input: checkoutInput(tag, cartId, paymentToken),
      },
    },
  );
  expect(res.body.data!.cartCheckout.userErrors).toEqual([]);
  return { orderId: res.body.data!.cartCheckout.checkout!.id, cartId };
}

interface OrderState {
  status: string;
  statusHistory: Array<{ status: string; reason: string | null }>;
}

/** Polls the order through the gateway until it reaches a final status. */
function finalOrder(orderId: string): Promise<OrderState> {
  return waitFor(
    `order ${orderId} settled`,
    async () => {
      const res = await gql<{ order: OrderState | null }>(
        stack.gatewayUrl,
        `query ($id: ID!) { order(id: $id) { status statusHistory { status reason } } }`,
        {
          token,
          variables: { id: orderId },
        },
      );
      const order = res.body.data?.order;
      return order && !['PENDING', 'AWAITING_PAYMENT'].includes(order.status) ? order : undefined;
    },
    { timeoutMs: 30_000 },
  );
}

const cartStatus = async (cartId: string) =>
  (await gql<{ cart: { status: string } }>(stack.gatewayUrl, `query ($id: ID!) { cart(id: $id) { status } }`, { token, variables: { id: cartId } }))
    .body.data!.cart.status;
const availableQuantity = async (productId: string) =>
  (
    await gql<{ product: ProductState }>(stack.gatewayUrl, `query ($id: ID!) { product(id: $id) { id availableQuantity } }`, {
      variables: { id: productId },
    })
  ).body.data!.product.availableQuantity;

describe('checkout saga through the gateway', () => {
  // How fast the saga confirms is measured by `pnpm bench`; this asserts its steps and outcome.
  it('confirms a paid checkout: stock reserved then payment, stock down, cart checked out, one payment captured', async () => {
    const product = await inStockProduct();
    const { orderId, cartId } = await checkout('tok_visa', product.id);
    const result = await finalOrder(orderId);
    expect(result.status).toBe('CONFIRMED');
    expect(result.statusHistory.map((change) => change.status)).toEqual(['PENDING', 'AWAITING_PAYMENT', 'CONFIRMED']);
    const order = await gql<{ order: { payment: { status: string } | null; checkoutCost: unknown } }>(
      stack.gatewayUrl,
      `query ($id: ID!) { order(id: $id) { payment { status } checkoutCost: cost { totalAmount { amount } } } }`,
      { token, variables: { id: orderId } },
    );
    expect(order.body.data!.order.payment?.status).toBe('CAPTURED');
    expect(await availableQuantity(product.id)).toBe(product.availableQuantity - 1);
    await waitFor('the cart checked out', async () => (await cartStatus(cartId)) === 'CHECKED_OUT');
  });

  it('fails a declined card: PAYMENT_FAILED, stock back, cart active again', async () => {
    const product = await inStockProduct();
    const { orderId, cartId } = await checkout('tok_declined', product.id);
    expect((await finalOrder(orderId)).status).toBe('PAYMENT_FAILED');
    await waitFor('the stock back', async () => (await availableQuantity(product.id)) === product.availableQuantity);
    await waitFor('the cart active again', async () => (await cartStatus(cartId)) === 'ACTIVE');
  });

  it(
    'cancels an order whose reservation expired while the payment was down: stock back, cart active; the capture that comes later is refunded',
    { timeout: 120_000 },
    async () => {
      const product = await inStockProduct();
      let order: { orderId: string; cartId: string } | undefined;
      await stack.crashAndRestart('payment', async () => {
        order = await checkout('tok_visa', product.id, 'lapse');
        // No payment to ask: the order waits for it by event while the catalog's hold runs out.
        const result = await finalOrder(order.orderId);
        expect(result.status).toBe('CANCELLED');
        expect(result.statusHistory.at(-1)).toEqual({ status: 'CANCELLED', reason: 'STOCK_EXPIRED' });
        await waitFor('the stock back', async () => (await availableQuantity(product.id)) === product.availableQuantity);
        await waitFor('the cart active again', async () => (await cartStatus(order!.cartId)) === 'ACTIVE');
      });
      // The payment is back and takes the request it missed; the order, cancelled, gives the money back.
      const refunded = await waitFor(
        'the late capture refunded',
        async () => {
          const res = await gql<{ order: { payment: { status: string } | null } }>(
            stack.gatewayUrl,
            `query ($id: ID!) { order(id: $id) { payment { status } } }`,
            { token, variables: { id: order!.orderId } },
          );
          const status = res.body.data?.order.payment?.status;
          return status === 'REFUNDED' ? status : undefined;
        },
        { timeoutMs: 60_000 },
      );
      expect(refunded).toBe('REFUNDED');
      expect((await finalOrder(order!.orderId)).status).toBe('CANCELLED');
    },
  );
});
