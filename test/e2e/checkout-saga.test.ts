import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devToken, gql, startTestSupergraph, type TestSupergraph, checkoutInput } from '../support/stack.ts';

let stack: TestSupergraph;
let token: string;

beforeAll(async () => {
  stack = await startTestSupergraph();
  token = await devToken(`saga-${Date.now()}`, ['customer']);
});
afterAll(async () => stack?.stop());

interface ProductState {
  id: string;
  availableQuantity: number;
}

async function inStockProduct(): Promise<ProductState> {
  const res = await gql<{ products: { edges: Array<{ node: ProductState }> } }>(
    stack.gatewayUrl,
    '{ products(first: 1, filter: { inStock: true }, sort: PRICE_ASC) { edges { node { id availableQuantity } } } }',
  );
  return res.body.data!.products.edges[0]!.node;
}

async function checkout(paymentToken: string, productId: string): Promise<{ orderId: string; cartId: string }> {
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
        input: checkoutInput('saga', cartId, paymentToken),
      },
    },
  );
  expect(res.body.data!.cartCheckout.userErrors).toEqual([]);
  return { orderId: res.body.data!.cartCheckout.checkout!.id, cartId };
}

/** Poll the order through the gateway until it reaches a final status (bounded). */
async function finalStatus(orderId: string, timeoutMs = 10_000): Promise<{ status: string; ms: number }> {
  const started = Date.now();
  for (;;) {
    const res = await gql<{ order: { status: string } | null }>(stack.gatewayUrl, `query ($id: ID!) { order(id: $id) { status } }`, { token, variables: { id: orderId } });
    const status = res.body.data?.order?.status;
    if (status && !['PENDING', 'AWAITING_PAYMENT'].includes(status)) return { status, ms: Date.now() - started };
    if (Date.now() - started > timeoutMs) return { status: status ?? 'MISSING', ms: Date.now() - started };
    await new Promise((r) => setTimeout(r, 50));
  }
}

const cartStatus = async (cartId: string) =>
  (await gql<{ cart: { status: string } }>(stack.gatewayUrl, `query ($id: ID!) { cart(id: $id) { status } }`, { token, variables: { id: cartId } })).body.data!.cart.status;

describe('checkout saga through the gateway', () => {
  it('confirms a paid checkout within 2 s: stock down, cart checked out, one payment captured', async () => {
    const product = await inStockProduct();
    const { orderId, cartId } = await checkout('tok_visa', product.id);
    const result = await finalStatus(orderId);
    expect(result.status).toBe('CONFIRMED');
    expect(result.ms).toBeLessThan(2000);
    const order = await gql<{ order: { payment: { status: string } | null; checkoutCost: unknown } }>(
      stack.gatewayUrl,
      `query ($id: ID!) { order(id: $id) { payment { status } checkoutCost: cost { totalAmount { amount } } } }`,
      { token, variables: { id: orderId } },
    );
    expect(order.body.data!.order.payment?.status).toBe('CAPTURED');
    const after = await gql<{ product: ProductState }>(stack.gatewayUrl, `query ($id: ID!) { product(id: $id) { id availableQuantity } }`, { variables: { id: product.id } });
    expect(after.body.data!.product.availableQuantity).toBe(product.availableQuantity - 1);
    for (let i = 0; i < 40 && (await cartStatus(cartId)) !== 'CHECKED_OUT'; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await cartStatus(cartId)).toBe('CHECKED_OUT');
  });

  it('fails a declined card: PAYMENT_FAILED, stock back, cart active again', async () => {
    const product = await inStockProduct();
    const { orderId, cartId } = await checkout('tok_declined', product.id);
    expect((await finalStatus(orderId)).status).toBe('PAYMENT_FAILED');
    let available = -1;
    for (let i = 0; i < 40 && available !== product.availableQuantity; i++) {
      const after = await gql<{ product: ProductState }>(stack.gatewayUrl, `query ($id: ID!) { product(id: $id) { id availableQuantity } }`, { variables: { id: product.id } });
      available = after.body.data!.product.availableQuantity;
      if (available !== product.availableQuantity) await new Promise((r) => setTimeout(r, 50));
    }
    expect(available).toBe(product.availableQuantity);
    for (let i = 0; i < 40 && (await cartStatus(cartId)) !== 'ACTIVE'; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await cartStatus(cartId)).toBe('ACTIVE');
  });
});
