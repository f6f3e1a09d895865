import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUEST } from '@shop/platform';
import { NEW_YORK as NY, product, startCartHarness, type CartHarness } from './cart-harness.ts';

let h: CartHarness;
const MUG = randomUUID();

beforeAll(async () => {
  h = await startCartHarness();
  h.catalog.set(MUG, product(MUG, { priceAmount: 2500, name: 'Mug' }));
});
afterAll(async () => h?.close());

const CHECKOUT = `mutation ($id: ID!, $i: CheckoutInput!) { cartCheckout(cartId: $id, input: $i) { checkout { id status } userErrors { code field message } } }`;

async function mugCart(): Promise<string> {
  const res = await h.run(`mutation ($l: [CartLineInput!]) { cartCreate(input: { lines: $l }) { cart { id } } }`, GUEST, {
    l: [{ merchandiseId: MUG }],
  });
  return res.data.cartCreate.cart.id;
}

async function shown(id: string): Promise<{ total: string; version: number; status: string; country: string | null }> {
  const res = await h.run(
    `query ($id: ID!) { cart(id: $id) { status version cost { totalAmount { amount } } buyerIdentity { countryCode } } }`,
    GUEST,
    { id },
  );
  const cart = res.data.cart;
  return { total: cart.cost.totalAmount.amount, version: cart.version, status: cart.status, country: cart.buyerIdentity?.countryCode ?? null };
}

const checkout = (id: string, input: Record<string, unknown>) =>
  h.run(CHECKOUT, GUEST, { id, i: { paymentToken: 'tok_visa', idempotencyKey: `key-${randomUUID()}`, ...input } });

const event = async (checkoutId: string) => {
  const [row] = await h.orm.em
    .fork()
    .execute<Array<{ payload: { data: Record<string, unknown> } }>>(
      `select payload from outbox_event where subject = 'checkout.requested' and id = ?`,
      [checkoutId],
    );
  return row!.payload.data;
};

describe('cartCheckout from the cart', () => {
  it('takes email, address and the chosen delivery option from the cart, and charges the total it showed', async () => {
    const id = await mugCart();
    const buyer = await h.run(
      `mutation ($id: ID!, $b: CartBuyerIdentityInput!) { cartBuyerIdentityUpdate(cartId: $id, buyerIdentity: $b) { userErrors { code } } }`,
      GUEST,
      { id, b: { email: 'ada@example.com', phone: '+1 212 555 0100', deliveryAddress: NY } },
    );
    expect(buyer.data.cartBuyerIdentityUpdate.userErrors).toEqual([]);
    await h.run(`mutation ($id: ID!) { cartDeliveryOptionSelect(cartId: $id, handle: "express") { userErrors { code } } }`, GUEST, { id });
    const { total } = await shown(id);
    // 25.00 + Express 14.99 + New York's 4 % of 25.00.
    expect(total).toBe('40.99');

    const res = await checkout(id, { expectedTotal: total });
    expect(res.data.cartCheckout.userErrors).toEqual([]);
    const data = await event(res.data.cartCheckout.checkout.id);
    expect(data).toMatchObject({
      email: 'ada@example.com',
      shippingAddress: {
        name: 'Ada Lovelace',
        line1: '1 Analytical Way',
        line2: null,
        city: 'New York',
        province: 'NY',
        postalCode: '10001',
        countryCode: 'US',
      },
      deliveryMethod: { handle: 'express', title: 'Express', pickup: false },
      totals: { subtotal: 2500, discount: 0, shipping: 1499, tax: 100, total: 4099, taxesIncluded: false },
    });
    expect((await shown(id)).status).toBe('CHECKING_OUT');
  });

  it('names every missing field at once: email and address', async () => {
    const id = await mugCart();
    const res = await checkout(id, { expectedTotal: '25.001' }); // more decimals than USD has
    expect(res.data.cartCheckout.checkout).toBeNull();
    expect(res.data.cartCheckout.userErrors.map((e: { code: string; field: string[] }) => [e.code, e.field.join('.')])).toEqual([
      ['REQUIRED', 'input.email'],
      ['REQUIRED', 'input.shippingAddress'],
      ['INVALID', 'input.expectedTotal'],
    ]);
    expect((await shown(id)).status).toBe('ACTIVE');
  });

  it('the input may still supply email and address: they replace the cart’s', async () => {
    const id = await mugCart();
    const address = { name: 'Grace Hopper', line1: '2 Compiler St', city: 'Austin', province: 'tx', postalCode: '73301', countryCode: 'US' };
    const res = await checkout(id, { email: 'grace@example.com', shippingAddress: address });
    expect(res.data.cartCheckout.userErrors).toEqual([]);
    const data = await event(res.data.cartCheckout.checkout.id);
    // Texas 6.25 % of 25.00 = 1.5625 → 1.56; Standard preselected.
    expect(data).toMatchObject({
      email: 'grace@example.com',
      shippingAddress: { name: 'Grace Hopper', province: 'tx', countryCode: 'US' },
      deliveryMethod: { handle: 'standard' },
      totals: { shipping: 499, tax: 156, total: 3155 },
    });
  });
});

describe('TOTAL_CHANGED: the total shown is the total charged', () => {
  it('refuses another total than the one shown, quoting the new one, and the cart then shows it', async () => {
    const id = await mugCart();
    const before = await shown(id);
    expect(before.total).toBe('31.80'); // the US estimate: 25.00 + 4.99 + 1.81
    // The shopper gives a Belgian address only at checkout: delivery 8.99 and 21 % VAT on both.
    const address = { name: 'Ada', line1: '1 Rue Royale', city: 'Brussels', postalCode: '1000', countryCode: 'BE' };
    const res = await checkout(id, { email: 'ada@example.com', shippingAddress: address, expectedTotal: before.total });
    expect(res.data.cartCheckout).toEqual({
      checkout: null,
      userErrors: [
        {
          code: 'TOTAL_CHANGED',
          field: ['input', 'expectedTotal'],
          message: 'The total is now 41.13 USD (you were shown 31.80 USD); review your cart and check out again',
        },
      ],
    });
    const after = await shown(id);
    expect(after).toMatchObject({ total: '41.13', status: 'ACTIVE', country: 'BE' });
    expect(after.version).toBeGreaterThan(before.version);

    const retry = await checkout(id, { expectedTotal: after.total });
    expect(retry.data.cartCheckout.userErrors).toEqual([]);
    expect((await event(retry.data.cartCheckout.checkout.id)).totals).toMatchObject({ total: 4113 });
  });

  it('a price that changed since the cart was read is PRICE_CHANGED; without expectedTotal the current total is charged', async () => {
    const id = await mugCart();
    const { total } = await shown(id);
    h.catalog.set(MUG, product(MUG, { priceAmount: 2600, name: 'Mug' }));
    try {
      const buyer = { email: 'a@example.com', shippingAddress: { name: 'A', line1: '1 Way', city: 'X', postalCode: '1', countryCode: 'US' } };
      const changed = await checkout(id, { ...buyer, expectedTotal: total });
      expect(changed.data.cartCheckout.userErrors.map((e: { code: string }) => e.code)).toEqual(['PRICE_CHANGED']);
      const now = await shown(id);
      expect(now.total).not.toBe(total);
      const plain = await checkout(id, buyer);
      expect(plain.data.cartCheckout.userErrors).toEqual([]);
      expect((await event(plain.data.cartCheckout.checkout.id)).totals).toMatchObject({ subtotal: 2600, total: Math.round(Number(now.total) * 100) });
    } finally {
      h.catalog.set(MUG, product(MUG, { priceAmount: 2500, name: 'Mug' }));
    }
  });
});
