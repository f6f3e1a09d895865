import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProductLookupClient, GUEST } from '@shop/platform';
import { applyProductChange } from '../src/domain/cart-fate.ts';
import { product, startCartHarness, type CartHarness } from './cart-harness.ts';

/**
 * A line whose product the catalog no longer sells (deleted) is NO_LONGER_SOLD at checkout and shows
 * `available: false`; a line out of stock stays OUT_OF_STOCK; messages quote money with the currency
 * and name the item; every problem of a checkout or an input comes in one answer.
 */
let h: CartHarness;
const [MUG, TEE, CAP, POSTER] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
const ADDRESS = { name: 'Ada Lovelace', line1: '1 Analytical Way', city: 'London', postalCode: 'N1 1AA', countryCode: 'US' };
const input = (key: string, extra: Record<string, unknown> = {}) => ({
  email: 'ada@example.com',
  shippingAddress: ADDRESS,
  paymentToken: 'tok_visa',
  idempotencyKey: key,
  ...extra,
});
const CHECKOUT = `mutation ($id: ID!, $input: CheckoutInput!) { cartCheckout(cartId: $id, input: $input) { checkout { id } userErrors { field code message } } }`;
const LINES = `query ($id: ID!) { cart(id: $id) { status version lines { edges { node { id available quantity product { id } } } } } }`;

function stock() {
  h.catalog.set(MUG, product(MUG, { name: 'Mug', priceAmount: 2000 }));
  h.catalog.set(TEE, product(TEE, { name: 'Tee', title: 'M / Blue', priceAmount: 1500 }));
  h.catalog.set(CAP, product(CAP, { name: 'Cap', priceAmount: 900 }));
  h.catalog.set(POSTER, product(POSTER, { name: 'Poster', priceAmount: 500 }));
}

beforeAll(async () => {
  h = await startCartHarness();
  stock();
});
afterAll(async () => h?.close());

async function cartWith(...ids: string[]): Promise<{ id: string; lineOf: (productId: string) => string }> {
  const res = await h.run(`mutation ($lines: [CartLineInput!]) { cartCreate(input: { lines: $lines }) { cart { id } userErrors { code } } }`, GUEST, {
    lines: ids.map((merchandiseId) => ({ merchandiseId, quantity: 2 })),
  });
  expect(res.data.cartCreate.userErrors).toEqual([]);
  const id = res.data.cartCreate.cart.id;
  const lines = (await h.run(LINES, GUEST, { id })).data.cart.lines.edges.map((e: { node: { id: string; product: { id: string } } }) => e.node);
  return { id, lineOf: (productId) => lines.find((l: { product: { id: string } }) => l.product.id === productId)!.id };
}

const availability = async (id: string) =>
  Object.fromEntries(
    (await h.run(LINES, GUEST, { id })).data.cart.lines.edges.map((e: { node: { product: { id: string }; available: boolean } }) => [
      e.node.product.id,
      e.node.available,
    ]),
  );

describe('checkout with the catalog', () => {
  it('refuses a deleted product as NO_LONGER_SOLD, out of stock as OUT_OF_STOCK and a new price in USD, all at once', async () => {
    const { id, lineOf } = await cartWith(MUG, TEE, CAP, POSTER);
    h.catalog.set(MUG, product(MUG, { name: 'Mug', priceAmount: 2000, available: false, availableQuantity: 0 }));
    h.catalog.set(TEE, product(TEE, { name: 'Tee', title: 'M / Blue', priceAmount: 1500, availableQuantity: 0 }));
    h.catalog.set(CAP, product(CAP, { name: 'Cap', priceAmount: 2500 }));
    h.catalog.delete(POSTER); // an id the catalog no longer knows at all
    try {
      const res = await h.run(CHECKOUT, GUEST, { id, input: input('nls-1-key') });
      expect(res.errors).toBeUndefined();
      expect(res.data.cartCheckout.checkout).toBeNull();
      expect(res.data.cartCheckout.userErrors).toEqual([
        { code: 'NO_LONGER_SOLD', field: ['lines', lineOf(MUG)], message: 'Mug is no longer sold; remove it from your cart to check out' },
        { code: 'OUT_OF_STOCK', field: ['lines', lineOf(TEE)], message: 'Tee (M / Blue) is out of stock' },
        { code: 'PRICE_CHANGED', field: ['lines', lineOf(CAP)], message: 'Cap now costs 25.00 USD, was 9.00 USD' },
        { code: 'NO_LONGER_SOLD', field: ['lines', lineOf(POSTER)], message: 'Poster is no longer sold; remove it from your cart to check out' },
      ]);
      expect(await availability(id)).toEqual({ [MUG]: false, [TEE]: false, [CAP]: true, [POSTER]: false });
      // The shopper removes what is gone; the rest comes back in stock: the checkout goes through.
      h.catalog.set(TEE, product(TEE, { name: 'Tee', title: 'M / Blue', priceAmount: 1500 }));
      await h.run(`mutation ($id: ID!, $ids: [ID!]!) { cartLinesRemove(cartId: $id, lineIds: $ids) { userErrors { code } } }`, GUEST, {
        id,
        ids: [lineOf(MUG), lineOf(POSTER)],
      });
      const again = await h.run(CHECKOUT, GUEST, { id, input: input('nls-2-key') });
      expect(again.data.cartCheckout.userErrors).toEqual([]);
      expect(again.data.cartCheckout.checkout).not.toBeNull();
    } finally {
      stock();
    }
  });

  it('says how many are left when some are', async () => {
    const { id, lineOf } = await cartWith(TEE);
    h.catalog.set(TEE, product(TEE, { name: 'Tee', title: 'M / Blue', priceAmount: 1500, availableQuantity: 1 }));
    try {
      const res = await h.run(CHECKOUT, GUEST, { id, input: input('nls-3-key') });
      expect(res.data.cartCheckout.userErrors).toEqual([
        { code: 'OUT_OF_STOCK', field: ['lines', lineOf(TEE)], message: 'Only 1 of Tee (M / Blue) is available' },
      ]);
      expect(await availability(id)).toEqual({ [TEE]: true });
    } finally {
      stock();
    }
  });

  it('reports a malformed input together with the lines and the country, and leaves the cart as it was when only the input is wrong', async () => {
    const { id, lineOf } = await cartWith(MUG);
    const { version } = (await h.run(LINES, GUEST, { id })).data.cart;
    const onlyInput = await h.run(CHECKOUT, GUEST, { id, input: input('nls-4-key', { email: 'not-an-email' }) });
    expect(onlyInput.data.cartCheckout.userErrors).toEqual([{ code: 'INVALID', field: ['input', 'email'], message: 'Not a valid email address' }]);
    expect((await h.run(LINES, GUEST, { id })).data.cart.version).toBe(version);

    h.catalog.set(MUG, product(MUG, { name: 'Mug', priceAmount: 2000, available: false, availableQuantity: 0 }));
    try {
      const all = await h.run(CHECKOUT, GUEST, {
        id,
        input: input('short', { email: 'not-an-email', shippingAddress: { ...ADDRESS, countryCode: 'ZZ' } }),
      });
      expect(all.data.cartCheckout.userErrors.map((e: { code: string; field: string[] }) => [e.code, e.field.join('.')])).toEqual([
        ['INVALID', 'input.email'],
        ['INVALID', 'input.idempotencyKey'],
        ['NO_LONGER_SOLD', `lines.${lineOf(MUG)}`],
        ['UNSUPPORTED_COUNTRY', 'input.shippingAddress.countryCode'],
      ]);
    } finally {
      stock();
    }
  });
});

describe('a product deleted while the catalog cannot be reached', () => {
  it('shows available: false after product.changed and is NO_LONGER_SOLD at checkout; out of stock stays OUT_OF_STOCK', async () => {
    const { id, lineOf } = await cartWith(MUG, TEE);
    const em = h.orm.em.fork();
    // The catalog's product.changed events, as the cart's consumer applies them: Mug deleted, Tee sold out.
    expect(
      await em.transactional((tx) => applyProductChange(tx, { variantId: MUG, available: false, discontinued: true, priceAmount: 2000 })),
    ).toContain(id);
    expect(await em.transactional((tx) => applyProductChange(tx, { variantId: TEE, available: false, priceAmount: 1500 }))).toContain(id);
    expect(await availability(id)).toEqual({ [MUG]: false, [TEE]: false });

    const lookup = h.deps.lookupProducts;
    // Real NATS, but nobody answers this subject: the catalog cannot be reached.
    h.deps.lookupProducts = createProductLookupClient(h.nc, { subject: `test.${randomUUID()}.nobody`, timeoutMs: 500 });
    try {
      const res = await h.run(CHECKOUT, GUEST, { id, input: input('nls-5-key') });
      expect(res.data.cartCheckout.userErrors).toEqual([
        { code: 'NO_LONGER_SOLD', field: ['lines', lineOf(MUG)], message: 'Mug is no longer sold; remove it from your cart to check out' },
        { code: 'OUT_OF_STOCK', field: ['lines', lineOf(TEE)], message: 'Tee (M / Blue) is out of stock' },
      ]);
      const add = await h.run(
        `mutation ($id: ID!, $lines: [CartLineInput!]!) { cartLinesAdd(cartId: $id, lines: $lines) { userErrors { code field message } } }`,
        GUEST,
        { id, lines: [{ merchandiseId: MUG }, { merchandiseId: TEE }] },
      );
      expect(add.data.cartLinesAdd.userErrors).toEqual([
        { code: 'NO_LONGER_SOLD', field: ['lines', '0', 'merchandiseId'], message: 'Mug is no longer sold' },
        { code: 'OUT_OF_STOCK', field: ['lines', '1', 'merchandiseId'], message: 'Tee (M / Blue) is out of stock' },
      ]);
    } finally {
      h.deps.lookupProducts = lookup;
    }
    // Restocked: the line is available again; a deleted product stays gone until the catalog says otherwise.
    await em.transactional((tx) => applyProductChange(tx, { variantId: TEE, available: true, priceAmount: 1500 }));
    expect(await availability(id)).toEqual({ [MUG]: false, [TEE]: true });
  });
});

describe('changing lines of a product no longer sold', () => {
  it('refuses adding it (NO_LONGER_SOLD) and keeps an existing line visible with a warning that names it', async () => {
    const { id, lineOf } = await cartWith(CAP);
    h.catalog.set(CAP, product(CAP, { name: 'Cap', priceAmount: 900, available: false, availableQuantity: 0 }));
    try {
      const add = await h.run(
        `mutation ($id: ID!, $lines: [CartLineInput!]!) { cartLinesAdd(cartId: $id, lines: $lines) { userErrors { code field message } } }`,
        GUEST,
        { id, lines: [{ merchandiseId: CAP }] },
      );
      expect(add.data.cartLinesAdd.userErrors).toEqual([
        { code: 'NO_LONGER_SOLD', field: ['lines', '0', 'merchandiseId'], message: 'Cap is no longer sold' },
      ]);
      const update = await h.run(
        `mutation ($id: ID!, $lines: [CartLineUpdateInput!]!) { cartLinesUpdate(cartId: $id, lines: $lines) {
          cart { lines { edges { node { available quantity } } } } userErrors { code } warnings { code target message } } }`,
        GUEST,
        { id, lines: [{ id: lineOf(CAP), quantity: 3 }] },
      );
      expect(update.data.cartLinesUpdate).toEqual({
        cart: { lines: { edges: [{ node: { available: false, quantity: 3 } }] } },
        userErrors: [],
        warnings: [{ code: 'PRODUCT_UNAVAILABLE', target: lineOf(CAP), message: 'Cap is no longer sold' }],
      });
    } finally {
      stock();
    }
  });
});
