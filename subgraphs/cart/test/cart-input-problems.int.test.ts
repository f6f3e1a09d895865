import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUEST } from '@shop/platform';
import { product, startCartHarness, type CartHarness } from './cart-harness.ts';

/** Every problem of an input in one answer, each naming its field, in words a shopper reads (money with its currency). */
let h: CartHarness;
const [MUG, TEE] = [randomUUID(), randomUUID()];

beforeAll(async () => {
  h = await startCartHarness();
  h.catalog.set(MUG, product(MUG, { name: 'Mug', priceAmount: 1000 }));
  h.catalog.set(TEE, product(TEE, { name: 'Tee', priceAmount: 1500, availableQuantity: 4 }));
});
afterAll(async () => h?.close());

const problems = (errors: Array<{ code: string; field: string[] }>) => errors.map((e) => [e.code, e.field.join('.')]);

async function cart(): Promise<{ id: string; lines: string[]; version: number }> {
  const res = await h.run(
    `mutation { cartCreate(input: { lines: [{ merchandiseId: "${MUG}" }, { merchandiseId: "${TEE}" }] }) {
      cart { id version lines { edges { node { id } } } } userErrors { code } } }`,
    GUEST,
  );
  const c = res.data.cartCreate.cart;
  return { id: c.id, version: c.version, lines: c.lines.edges.map((e: { node: { id: string } }) => e.node.id) };
}

describe('cartLinesUpdate', () => {
  it('reports unknown lines and bad quantities together, in input order, and changes nothing', async () => {
    const { id, lines, version } = await cart();
    const res = await h.run(
      `mutation ($id: ID!, $lines: [CartLineUpdateInput!]!) { cartLinesUpdate(cartId: $id, lines: $lines) {
        cart { version totalQuantity } userErrors { field code message } } }`,
      GUEST,
      {
        id,
        lines: [
          { id: lines[0], quantity: 1000 },
          { id: randomUUID(), quantity: 2 },
          { id: 'nope', quantity: -1 },
          { id: lines[1], quantity: 3 },
        ],
      },
    );
    expect(problems(res.data.cartLinesUpdate.userErrors)).toEqual([
      ['INVALID_QUANTITY', 'lines.0.quantity'],
      ['NOT_FOUND', 'lines.1.id'],
      ['NOT_FOUND', 'lines.2.id'],
      ['INVALID_QUANTITY', 'lines.2.quantity'],
    ]);
    expect(res.data.cartLinesUpdate.userErrors[1].message).toBe('This line is not in your cart');
    expect(res.data.cartLinesUpdate.cart).toEqual({ version, totalQuantity: 2 });
  });

  it('names the item when it clamps a quantity to the stock', async () => {
    const { id, lines } = await cart();
    const res = await h.run(
      `mutation ($id: ID!, $lines: [CartLineUpdateInput!]!) { cartLinesUpdate(cartId: $id, lines: $lines) { warnings { code message } } }`,
      GUEST,
      { id, lines: [{ id: lines[1], quantity: 9 }] },
    );
    expect(res.data.cartLinesUpdate.warnings).toEqual([
      { code: 'QUANTITY_CLAMPED', message: 'Only 4 of Tee are available; the quantity was reduced to 4' },
    ]);
  });
});

describe('cartDiscountCodesUpdate', () => {
  const UPDATE = `mutation ($id: ID!, $codes: [String!]!) { cartDiscountCodesUpdate(cartId: $id, discountCodes: $codes) {
    cart { version discountCodes { code } } userErrors { field code message } warnings { code message target } } }`;

  it('reports too many codes and every bad code at its position in the input, changing nothing', async () => {
    const { id, version } = await cart();
    const res = await h.run(UPDATE, GUEST, { id, codes: ['welcome10', 'NOPE', ' WELCOME10 ', 'SAVE15', 'fiveoff', 'x'.repeat(80), 'MISSING'] });
    expect(problems(res.data.cartDiscountCodesUpdate.userErrors)).toEqual([
      ['INVALID', 'discountCodes'],
      ['DISCOUNT_NOT_FOUND', 'discountCodes.1'],
      ['DISCOUNT_NOT_FOUND', 'discountCodes.5'],
      ['DISCOUNT_NOT_FOUND', 'discountCodes.6'],
    ]);
    const messages = res.data.cartDiscountCodesUpdate.userErrors.map((e: { message: string }) => e.message);
    expect(messages[0]).toBe('You can use at most 5 discount codes at once');
    expect(messages[1]).toBe('Discount code NOPE is not valid');
    expect(messages[2]).toBe(`Discount code ${'X'.repeat(64)}… is not valid`);
    expect(res.data.cartDiscountCodesUpdate.cart).toEqual({ version, discountCodes: [] });
  });

  it('quotes a minimum subtotal as money with its currency, never minor units', async () => {
    const { id } = await cart();
    const res = await h.run(UPDATE, GUEST, { id, codes: ['SAVE15'] });
    expect(res.data.cartDiscountCodesUpdate.userErrors).toEqual([]);
    expect(res.data.cartDiscountCodesUpdate.warnings).toEqual([
      { code: 'DISCOUNT_NOT_APPLICABLE', message: 'Discount code SAVE15 applies from a subtotal of 30.00 USD', target: 'SAVE15' },
    ]);
  });
});

describe('messages about the cart itself', () => {
  it('say what happened in words: a stale version, a cart being checked out', async () => {
    const { id, version } = await cart();
    const NOTE = `mutation ($id: ID!, $v: Int) { cartNoteUpdate(cartId: $id, note: "hi", expectedVersion: $v) { userErrors { code message } } }`;
    const stale = await h.run(NOTE, GUEST, { id, v: version - 1 });
    expect(stale.data.cartNoteUpdate.userErrors).toEqual([
      { code: 'CONFLICT', message: 'Your cart was changed elsewhere (another tab or device); reload it and try again' },
    ]);
    const checkout = await h.run(
      `mutation ($id: ID!, $input: CheckoutInput!) { cartCheckout(cartId: $id, input: $input) { checkout { id } userErrors { code } } }`,
      GUEST,
      {
        id,
        input: {
          email: 'ada@example.com',
          shippingAddress: { name: 'Ada', line1: '1 Way', city: 'Boston', postalCode: '02101', countryCode: 'US' },
          paymentToken: 'tok_visa',
          idempotencyKey: `words-${randomUUID()}`,
        },
      },
    );
    expect(checkout.data.cartCheckout.userErrors).toEqual([]);
    const frozen = await h.run(NOTE, GUEST, { id });
    expect(frozen.data.cartNoteUpdate.userErrors).toEqual([
      { code: 'CART_NOT_ACTIVE', message: 'This cart is being checked out and can no longer change' },
    ]);
  });
});
