import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUEST, type CheckoutRequested } from '@shop/platform';
import { applyOrderStatus } from '../src/domain/cart-fate.ts';
import { customer, product, startCartHarness, type CartHarness } from './cart-harness.ts';

let h: CartHarness;
const [A, B] = [randomUUID(), randomUUID()];
beforeAll(async () => {
  h = await startCartHarness();
  h.catalog.set(A, product(A, { priceAmount: 1000, name: 'Notebook' }));
  h.catalog.set(B, product(B, { priceAmount: 2500, name: 'Mug', availableQuantity: 5 }));
});
afterAll(async () => h?.close());

const ADDRESS = { name: 'Ada Lovelace', line1: '1 Analytical Way', city: 'London', postalCode: 'N1 1AA', countryCode: 'US' };
const CHECKOUT = `mutation ($id: ID!, $input: CheckoutInput!) { cartCheckout(cartId: $id, input: $input) { checkout { id } userErrors { field code } } }`;
const input = (key: string) => ({ email: 'ada@example.com', shippingAddress: ADDRESS, paymentToken: 'tok_visa', idempotencyKey: key });
const CART = `query ($id: ID!) { cart(id: $id) { status cost { subtotalAmount { amount } } } }`;
const LINES = `query ($id: ID!) { cart(id: $id) { lines(first: 50) { edges { node { quantity product { id } } } } } }`;

async function cartWith(productIds: string[], identity = GUEST): Promise<string> {
  const lines = productIds.map((productId) => ({ productId, quantity: 1 }));
  const created = await h.run(`mutation ($lines: [CartLineInput!]) { cartCreate(input: { lines: $lines }) { cart { id } } }`, identity, { lines });
  return created.data.cartCreate.cart.id;
}

describe('a checkout orders exactly what its total counts', () => {
  it('a line shown unavailable that the catalog sells again is charged when ordered, never ships unpaid', async () => {
    const id = await cartWith([A, B]);
    // The mug ran out a while ago (a product.changed event): the cart shows it unavailable, outside the total.
    await h.orm.em.fork().execute(`update cart_line set available = false where cart_id = ? and variant_id = ?`, [id, B]);
    expect((await h.run(CART, GUEST, { id })).data.cart.cost.subtotalAmount.amount).toBe('10.00');

    // The catalog has it again: the checkout puts it back into the total; a client that sent the
    // total it showed (10.00 and delivery) is told the total changed.
    const shown = await h.run(CHECKOUT, GUEST, { id, input: { ...input(`shown-${id}`), expectedTotal: '10.00' } });
    expect(shown.data.cartCheckout.checkout).toBeNull();
    expect(shown.data.cartCheckout.userErrors.map((e: { code: string }) => e.code)).toEqual(['TOTAL_CHANGED']);
    expect((await h.run(CART, GUEST, { id })).data.cart.cost.subtotalAmount.amount).toBe('35.00');

    const second = await h.run(CHECKOUT, GUEST, { id, input: input(`again-${id}`) });
    expect(second.data.cartCheckout.userErrors).toEqual([]);
    const [row] = await h.orm.em
      .fork()
      .execute<Array<{ payload: { data: CheckoutRequested } }>>(`select payload from outbox_event where subject = 'checkout.requested' and id = ?`, [
        second.data.cartCheckout.checkout.id,
      ]);
    // Every line ordered is in the amount charged.
    const lines = row!.payload.data.lines;
    expect(lines.map((l) => l.variantId).sort()).toEqual([A, B].sort());
    expect(row!.payload.data.totals.subtotal).toBe(lines.reduce((sum, l) => sum + l.unitPriceAmount * l.quantity, 0));
  });

  it('a failed checkout whose customer started another cart meanwhile closes the old cart, moves its lines there and still ends', async () => {
    const owner = customer(`c-${randomUUID()}`);
    const id = await cartWith([A, B], owner);
    const started = await h.run(CHECKOUT, owner, { id, input: input(`fate-${id}`) });
    const checkoutId = started.data.cartCheckout.checkout.id;
    // The storefront asks for the customer's cart during the checkout: a new active one, where the
    // shopper puts two more notebooks.
    const fresh = (await h.run(`{ me { cart { id status } } }`, owner)).data.me.cart;
    expect(fresh.id).not.toBe(id);
    const added = await h.run(
      `mutation ($id: ID!) { cartLinesAdd(cartId: $id, lines: [{ productId: "${A}", quantity: 2 }]) { userErrors { code } } }`,
      owner,
      { id: fresh.id },
    );
    expect(added.data.cartLinesAdd.userErrors).toEqual([]);

    // One active cart per customer: the failed one cannot come back, so it is closed, its lines move
    // into the new cart (the same notebook adds up), and the checkout ends (its promotion uses
    // given back) instead of failing its transaction forever.
    const failed = { orderId: checkoutId, cartId: id, status: 'PAYMENT_FAILED' as const, reason: 'declined' };
    expect(await h.orm.em.fork().transactional((tx) => applyOrderStatus(tx, failed))).toBe(id);
    expect((await h.run(`query ($id: ID!) { checkout(id: $id) { status } }`, owner, { id: checkoutId })).data.checkout).toEqual({ status: 'FAILED' });
    const quantities = async (cartId: string) =>
      Object.fromEntries(
        (await h.run(LINES, owner, { id: cartId })).data.cart.lines.edges.map((e: { node: { quantity: number; product: { id: string } } }) => [
          e.node.product.id,
          e.node.quantity,
        ]),
      );
    expect((await h.run(CART, owner, { id })).data.cart.status).toBe('EXPIRED');
    expect(await quantities(id)).toEqual({ [A]: 1, [B]: 1 }); // still readable as it was
    expect((await h.run(`{ me { cart { id status } } }`, owner)).data.me.cart).toEqual({ id: fresh.id, status: 'ACTIVE' });
    expect(await quantities(fresh.id)).toEqual({ [A]: 3, [B]: 1 });
    expect((await h.run(CART, owner, { id: fresh.id })).data.cart.cost.subtotalAmount.amount).toBe('55.00');

    // The event again (a redelivery that passed the inbox): the checkout has ended, nothing moves twice.
    expect(await h.orm.em.fork().transactional((tx) => applyOrderStatus(tx, failed))).toBeNull();
    expect(await quantities(fresh.id)).toEqual({ [A]: 3, [B]: 1 });
  });
});
