import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startTestSupergraph, type TestSupergraph } from '../support/stack.ts';
import { addLine, guestCart, NEW_YORK, oneVariantProducts } from '../support/shop.ts';
import { waitFor } from '../support/wait.ts';

/**
 * Checkout v2 through the gateway: the total a shopper is shown is the total charged. A cart shows
 * a complete estimate (shipping and tax for the store's default country) before any address; the
 * shopper gives an address and picks Express; the payment captured equals the total shown.
 */

let stack: TestSupergraph;
beforeAll(async () => {
  stack = await startTestSupergraph();
});
afterAll(async () => stack?.stop());

interface Cost {
  subtotalAmount: { amount: string };
  discountAmount: { amount: string };
  shippingAmount: { amount: string };
  taxAmount: { amount: string };
  totalAmount: { amount: string; currencyCode: string };
  isEstimate: boolean;
  taxesIncluded: boolean;
}
interface CartRead {
  version: number;
  cost: Cost;
  deliveryOptions: Array<{ handle: string; title: string; cost: { amount: string } }>;
  selectedDeliveryOption: { handle: string } | null;
}

const CART = `version
  cost { subtotalAmount { amount } discountAmount { amount } shippingAmount { amount } taxAmount { amount } totalAmount { amount currencyCode } isEstimate taxesIncluded }
  deliveryOptions { handle title cost { amount } } selectedDeliveryOption { handle }`;
const cents = (amount: string) => Math.round(Number(amount) * 100);
/** a × bp / 10 000 rounded half up: the README's rounding rule. */
const percentOf = (minor: number, basisPoints: number) => Math.floor((minor * basisPoints + 5_000) / 10_000);

async function readCart(cartId: string): Promise<CartRead> {
  const res = await gql<{ cart: CartRead }>(stack.gatewayUrl, `query ($id: ID!) { cart(id: $id) { ${CART} } }`, { variables: { id: cartId } });
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.cart;
}

/** total = subtotal − discount + shipping + tax (tax not included in prices), in minor units. */
function expectConsistent(cost: Cost) {
  const [subtotal, discount, shipping, tax, total] = [
    cost.subtotalAmount,
    cost.discountAmount,
    cost.shippingAmount,
    cost.taxAmount,
    cost.totalAmount,
  ].map((m) => cents(m.amount));
  expect(total).toBe(subtotal! - discount! + shipping! + tax!);
}

describe('the total shown is the total charged', () => {
  it('estimate before any address, then an address and Express: the captured payment equals the total shown', async () => {
    const [product] = await oneVariantProducts(stack.gatewayUrl, 1, { offset: 2 });
    const cartId = await guestCart(stack.gatewayUrl);
    await addLine(stack.gatewayUrl, cartId, product!.id);
    const price = cents(product!.price.amount);

    // Before any address: shipping and tax for the default country (US: Standard, 7.25 %), flagged as an estimate.
    const estimate = await readCart(cartId);
    expect(estimate.cost.isEstimate).toBe(true);
    expect(estimate.cost.taxesIncluded).toBe(false);
    expect(estimate.selectedDeliveryOption).toEqual({ handle: 'standard' });
    expect(estimate.deliveryOptions.map((o) => o.handle)).toEqual(['standard', 'express', 'pickup']);
    expect(cents(estimate.cost.shippingAmount.amount)).toBe(price >= 5000 ? 0 : 499);
    expect(cents(estimate.cost.taxAmount.amount)).toBe(percentOf(price - cents(estimate.cost.discountAmount.amount), 725));
    expectConsistent(estimate.cost);

    // The shopper gives an email and a New York address (4 % tax, untaxed delivery) and picks Express.
    const address = NEW_YORK;
    const identity = await gql<{ cartBuyerIdentityUpdate: { cart: CartRead; userErrors: unknown[] } }>(
      stack.gatewayUrl,
      `mutation ($id: ID!, $b: CartBuyerIdentityInput!) { cartBuyerIdentityUpdate(cartId: $id, buyerIdentity: $b) { cart { ${CART} } userErrors { code field message } } }`,
      { variables: { id: cartId, b: { email: `v2-${randomUUID().slice(0, 8)}@example.com`, deliveryAddress: address } } },
    );
    expect(identity.body.data!.cartBuyerIdentityUpdate.userErrors).toEqual([]);
    expect(identity.body.data!.cartBuyerIdentityUpdate.cart.cost.isEstimate).toBe(false);
    const picked = await gql<{ cartDeliveryOptionSelect: { cart: CartRead; userErrors: unknown[] } }>(
      stack.gatewayUrl,
      `mutation ($id: ID!, $v: Int) { cartDeliveryOptionSelect(cartId: $id, handle: "express", expectedVersion: $v) { cart { ${CART} } userErrors { code message } } }`,
      { variables: { id: cartId, v: identity.body.data!.cartBuyerIdentityUpdate.cart.version } },
    );
    expect(picked.body.data!.cartDeliveryOptionSelect.userErrors).toEqual([]);
    const shown = picked.body.data!.cartDeliveryOptionSelect.cart;
    expect(shown.selectedDeliveryOption).toEqual({ handle: 'express' });
    const goods = price - cents(shown.cost.discountAmount.amount);
    expect(cents(shown.cost.shippingAmount.amount)).toBe(1499);
    expect(cents(shown.cost.taxAmount.amount)).toBe(percentOf(goods, 400));
    expectConsistent(shown.cost);
    // What the client shows is what a fresh read says.
    expect((await readCart(cartId)).cost.totalAmount).toEqual(shown.cost.totalAmount);

    // Checkout from the cart: no email or address in the input, only the total the shopper saw.
    const checkout = await gql<{ cartCheckout: { checkout: { id: string } | null; orderAccessToken: string | null; userErrors: unknown[] } }>(
      stack.gatewayUrl,
      `mutation ($id: ID!, $i: CheckoutInput!) { cartCheckout(cartId: $id, input: $i) { checkout { id } orderAccessToken userErrors { code field message } } }`,
      { variables: { id: cartId, i: { paymentToken: 'tok_visa', idempotencyKey: `v2-${cartId}`, expectedTotal: shown.cost.totalAmount.amount } } },
    );
    expect(checkout.body.data!.cartCheckout.userErrors).toEqual([]);
    const orderId = checkout.body.data!.cartCheckout.checkout!.id;
    const token = checkout.body.data!.cartCheckout.orderAccessToken!;

    type Order = {
      status: string;
      cost: { totalAmount: { amount: string }; shippingAmount: { amount: string }; taxAmount: { amount: string }; taxesIncluded: boolean };
      shippingLine: { handle: string; title: string; price: { amount: string } } | null;
      shippingAddress: { name: string; province: string | null };
      payment: { status: string; amount: { amount: string; currencyCode: string } } | null;
    };
    const order = await waitFor(
      'the order is paid and confirmed',
      async () => {
        const res = await gql<{ order: Order | null }>(
          stack.gatewayUrl,
          `query ($id: ID!) { order(id: $id) { status cost { totalAmount { amount } shippingAmount { amount } taxAmount { amount } taxesIncluded }
             shippingLine { handle title price { amount } } shippingAddress { name province } payment { status amount { amount currencyCode } } } }`,
          { variables: { id: orderId }, headers: { 'Order-Access-Token': token } },
        );
        const found = res.body.data?.order;
        return found?.status === 'CONFIRMED' && found.payment?.status === 'CAPTURED' ? found : undefined;
      },
      { timeoutMs: 45_000, intervalMs: 200 },
    );
    expect(order.payment!.amount).toEqual(shown.cost.totalAmount);
    expect(order.cost).toEqual({
      totalAmount: { amount: shown.cost.totalAmount.amount },
      shippingAmount: shown.cost.shippingAmount,
      taxAmount: shown.cost.taxAmount,
      taxesIncluded: false,
    });
    expect(order.shippingLine).toEqual({ handle: 'express', title: 'Express', price: { amount: '14.99' } });
    expect(order.shippingAddress).toEqual({ name: 'Ada Lovelace', province: 'NY' });
  });

  it('a checkout whose total moved on is refused with TOTAL_CHANGED and the new total, and charges nothing', async () => {
    const [product] = await oneVariantProducts(stack.gatewayUrl, 1, { offset: 3 });
    const cartId = await guestCart(stack.gatewayUrl);
    await addLine(stack.gatewayUrl, cartId, product!.id);
    const before = await readCart(cartId);
    // The shopper saw the estimate, then checks out to Belgium (delivery 8.99, 21 % VAT on goods and delivery).
    const res = await gql<{ cartCheckout: { checkout: unknown; userErrors: Array<{ code: string; message: string }> } }>(
      stack.gatewayUrl,
      `mutation ($id: ID!, $i: CheckoutInput!) { cartCheckout(cartId: $id, input: $i) { checkout { id } userErrors { code message } } }`,
      {
        variables: {
          id: cartId,
          i: {
            email: 'be@example.com',
            shippingAddress: { name: 'Ada', line1: '1 Rue Royale', city: 'Brussels', postalCode: '1000', countryCode: 'BE' },
            paymentToken: 'tok_visa',
            idempotencyKey: `v2-${cartId}`,
            expectedTotal: before.cost.totalAmount.amount,
          },
        },
      },
    );
    const after = await readCart(cartId);
    expect(res.body.data!.cartCheckout.checkout).toBeNull();
    expect(res.body.data!.cartCheckout.userErrors).toEqual([
      {
        code: 'TOTAL_CHANGED',
        message: `The total is now ${after.cost.totalAmount.amount} USD (you were shown ${before.cost.totalAmount.amount} USD); review your cart and check out again`,
      },
    ]);
    expect(after.cost.isEstimate).toBe(false);
    expect(after.version).toBeGreaterThan(before.version);
  });
});
