import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUEST } from '@shop/platform';
import { applyOrderStatus } from '../src/domain/cart-fate.ts';
import { ADMIN, customer, product, startCartHarness, type CartHarness } from './cart-harness.ts';

let h: CartHarness;
const [A, B] = [randomUUID(), randomUUID()];

beforeAll(async () => {
  h = await startCartHarness();
  h.catalog.set(A, product(A, { priceAmount: 33, name: 'Sticker' }));
  h.catalog.set(B, product(B, { priceAmount: 2500, name: 'Mug', availableQuantity: 5 }));
  const upsert = await h.run(
    `mutation { a: discountCodeUpsert(input: { code: "quarter15", kind: PERCENTAGE, value: "15" }) { userErrors { code } }
                b: discountCodeUpsert(input: { code: "ONCE", kind: FIXED_AMOUNT, value: "1.00", usageLimit: 1 }) { userErrors { code } } }`,
    ADMIN,
  );
  expect(upsert.data).toEqual({ a: { userErrors: [] }, b: { userErrors: [] } });
});
afterAll(async () => h?.close());

const ADDRESS = { name: 'Ada Lovelace', line1: '1 Analytical Way', city: 'London', postalCode: 'N1 1AA', countryCode: 'US' };
const CHECKOUT = `mutation ($id: ID!, $input: CheckoutInput!) { cartCheckout(cartId: $id, input: $input) { checkout { id status cartId } userErrors { field code message } } }`;
const input = (key: string, extra: Record<string, unknown> = {}) => ({
  email: 'ada@example.com',
  shippingAddress: ADDRESS,
  paymentToken: 'tok_visa',
  idempotencyKey: key,
  ...extra,
});

async function cartWith(lines: Array<{ productId: string; quantity: number }>, codes: string[] = [], identity = GUEST): Promise<string> {
  const created = await h.run(
    `mutation ($lines: [CartLineInput!]) { cartCreate(input: { lines: $lines }) { cart { id } userErrors { code } } }`,
    identity,
    { lines },
  );
  const id = created.data.cartCreate.cart.id;
  if (codes.length)
    await h.run(
      `mutation ($id: ID!, $codes: [String!]!) { cartDiscountCodesUpdate(cartId: $id, discountCodes: $codes) { userErrors { code } } }`,
      identity,
      { id, codes },
    );
  return id;
}

const checkoutEvents = (checkoutId: string) =>
  h.orm.em
    .fork()
    .execute<Array<{ payload: { data: Record<string, unknown> } }>>(
      `select payload from outbox_event where subject = 'checkout.requested' and id = ?`,
      [checkoutId],
    );

describe('totals', () => {
  it('rounds awkward amounts once per cart: 3 × 0.33, 15 % off, 7.25 % tax (US)', async () => {
    const id = await cartWith([{ productId: A, quantity: 3 }], ['QUARTER15']);
    const res = await h.run(
      `mutation ($id: ID!) { cartBuyerIdentityUpdate(cartId: $id, buyerIdentity: { countryCode: "us", email: "a@b.co" }) {
        cart { cost { subtotalAmount { amount } discountAmount { amount } shippingAmount { amount } taxAmount { amount } totalAmount { amount } } discountCodes { code applicable } }
        userErrors { code } } }`,
      GUEST,
      { id },
    );
    expect(res.data.cartBuyerIdentityUpdate.userErrors).toEqual([]);
    const cost = res.data.cartBuyerIdentityUpdate.cart.cost;
    // 0.99 − 0.15 (14.85 ¢ rounded half up) = 0.84; tax 7.25 % of 0.84 = 6.09 ¢ → 0.06; US shipping 4.99.
    expect([
      cost.subtotalAmount.amount,
      cost.discountAmount.amount,
      cost.taxAmount.amount,
      cost.shippingAmount.amount,
      cost.totalAmount.amount,
    ]).toEqual(['0.99', '0.15', '0.06', '4.99', '5.89']);
  });

  it('refuses an unsupported country and a bad email, both in one answer', async () => {
    const id = await cartWith([{ productId: A, quantity: 1 }]);
    const res = await h.run(
      `mutation ($id: ID!) { cartBuyerIdentityUpdate(cartId: $id, buyerIdentity: { countryCode: "ZZ", email: "nope" }) { userErrors { code field } } }`,
      GUEST,
      { id },
    );
    expect(res.data.cartBuyerIdentityUpdate.userErrors.map((e: { code: string }) => e.code).sort()).toEqual(['INVALID', 'UNSUPPORTED_COUNTRY']);
    const country = await h.run(
      `mutation ($id: ID!) { cartBuyerIdentityUpdate(cartId: $id, buyerIdentity: { countryCode: "ZZ" }) { userErrors { code field } } }`,
      GUEST,
      { id },
    );
    expect(country.data.cartBuyerIdentityUpdate.userErrors).toEqual([{ code: 'UNSUPPORTED_COUNTRY', field: ['buyerIdentity', 'countryCode'] }]);
    const unknownCode = await h.run(
      `mutation ($id: ID!) { cartDiscountCodesUpdate(cartId: $id, discountCodes: ["NOPE"]) { userErrors { code } } }`,
      GUEST,
      { id },
    );
    expect(unknownCode.data.cartDiscountCodesUpdate.userErrors).toEqual([{ code: 'DISCOUNT_NOT_FOUND' }]);
  });
});

describe('store settings (admin)', () => {
  it("sets a country's tax and shipping, which then price carts shipping there", async () => {
    const set = await h.run(
      `mutation { shippingCountryUpsert(input: { countryCode: "nl", taxRate: "21", shippingAmount: "6.50", freeShippingOver: "100.00" }) {
        shippingCountry { countryCode taxRate shippingAmount { amount } freeShippingOver { amount } } userErrors { code } } }`,
      ADMIN,
    );
    expect(set.data.shippingCountryUpsert).toEqual({
      shippingCountry: { countryCode: 'NL', taxRate: '21.00', shippingAmount: { amount: '6.50' }, freeShippingOver: { amount: '100.00' } },
      userErrors: [],
    });
    const id = await cartWith([{ productId: B, quantity: 1 }]);
    const res = await h.run(
      `mutation ($id: ID!) { cartBuyerIdentityUpdate(cartId: $id, buyerIdentity: { countryCode: "NL" }) { cart { cost { taxAmount { amount } shippingAmount { amount } totalAmount { amount } } } } }`,
      GUEST,
      { id },
    );
    expect(res.data.cartBuyerIdentityUpdate.cart.cost).toEqual({
      taxAmount: { amount: '5.25' },
      shippingAmount: { amount: '6.50' },
      totalAmount: { amount: '36.75' },
    });
  });

  it('refuses bad rates and is admin-only', async () => {
    const bad = await h.run(
      `mutation { shippingCountryUpsert(input: { countryCode: "XYZ", taxRate: "150", shippingAmount: "-1" }) { userErrors { field } } }`,
      ADMIN,
    );
    expect(bad.data.shippingCountryUpsert.userErrors.map((e: { field: string[] }) => e.field.join('.')).sort()).toEqual([
      'input.countryCode',
      'input.shippingAmount',
      'input.taxRate',
    ]);
    const customerTry = await h.run(
      `mutation { shippingCountryUpsert(input: { countryCode: "NL", taxRate: "0", shippingAmount: "0" }) { userErrors { field } } }`,
      customer('c'),
    );
    expect(customerTry.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('cartCheckout', () => {
  it('validates the input, reporting every problem', async () => {
    const id = await cartWith([{ productId: A, quantity: 1 }]);
    const res = await h.run(CHECKOUT, GUEST, {
      id,
      input: { email: 'x', shippingAddress: { ...ADDRESS, city: ' ' }, paymentToken: '', idempotencyKey: 'short' },
    });
    const fields = res.data.cartCheckout.userErrors.map((e: { field: string[] }) => e.field.join('.')).sort();
    expect(fields).toEqual(['input.email', 'input.idempotencyKey', 'input.paymentToken', 'input.shippingAddress.city']);
  });

  it('freezes the cart and writes checkout.requested with everything the order needs', async () => {
    const id = await cartWith(
      [
        { productId: A, quantity: 3 },
        { productId: B, quantity: 1 },
      ],
      ['QUARTER15'],
    );
    const res = await h.run(CHECKOUT, GUEST, { id, input: input('key-happy-path') });
    expect(res.data.cartCheckout.userErrors).toEqual([]);
    const checkout = res.data.cartCheckout.checkout;
    expect(checkout).toMatchObject({ status: 'PENDING', cartId: id });
    const cart = await h.run(`query ($id: ID!) { cart(id: $id) { status } }`, GUEST, { id });
    expect(cart.data.cart.status).toBe('CHECKING_OUT');
    const [event] = await checkoutEvents(checkout.id);
    expect(event!.payload.data).toMatchObject({
      checkoutId: checkout.id,
      cartId: id,
      email: 'ada@example.com',
      paymentToken: 'tok_visa',
      idempotencyKey: 'key-happy-path',
      currency: 'USD',
      discountCodes: ['QUARTER15'],
      shippingAddress: { countryCode: 'US', city: 'London' },
      lines: [
        { productId: A, name: 'Sticker', quantity: 3, unitPriceAmount: 33 },
        { productId: B, name: 'Mug', quantity: 1, unitPriceAmount: 2500 },
      ],
      // 15 % of 25.99 = 3.8985 → 3.90; 22.09 is under the 50.00 free-shipping threshold; tax 7.25 % of 22.09 = 1.6015 → 1.60.
      totals: { subtotal: 2599, discount: 390, shipping: 499, tax: 160, total: 2868 },
    });
    const frozen = await h.run(`mutation ($id: ID!) { cartLinesAdd(cartId: $id, lines: [{ productId: "${A}" }]) { userErrors { code } } }`, GUEST, {
      id,
    });
    expect(frozen.data.cartLinesAdd.userErrors).toEqual([{ code: 'CART_NOT_ACTIVE' }]);
  });

  it('returns the first checkout for the same idempotency key, even for 20 racing requests', async () => {
    const id = await cartWith([{ productId: A, quantity: 1 }]);
    const results = await Promise.all(Array.from({ length: 20 }, () => h.run(CHECKOUT, GUEST, { id, input: input('same-key-20x') })));
    const ids = new Set(results.map((r) => r.data.cartCheckout.checkout?.id));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toBeTruthy();
    const [row] = await h.orm.em.fork().execute<Array<{ n: number }>>('select count(*)::int as n from checkout where cart_id = ?', [id]);
    expect(row!.n).toBe(1);
  });

  it('refuses a changed price and updates the cart to the new price', async () => {
    const id = await cartWith([{ productId: B, quantity: 1 }]);
    h.catalog.set(B, product(B, { priceAmount: 2750, name: 'Mug', availableQuantity: 5 }));
    try {
      const res = await h.run(CHECKOUT, GUEST, { id, input: input('key-price-change') });
      expect(res.data.cartCheckout.checkout).toBeNull();
      expect(res.data.cartCheckout.userErrors).toEqual([expect.objectContaining({ code: 'PRICE_CHANGED' })]);
      const cart = await h.run(`query ($id: ID!) { cart(id: $id) { status lines { edges { node { unitPrice { amount } } } } } }`, GUEST, { id });
      expect(cart.data.cart).toEqual({ status: 'ACTIVE', lines: { edges: [{ node: { unitPrice: { amount: '27.50' } } }] } });
      const second = await h.run(CHECKOUT, GUEST, { id, input: input('key-price-change-2') });
      expect(second.data.cartCheckout.userErrors).toEqual([]);
    } finally {
      h.catalog.set(B, product(B, { priceAmount: 2500, name: 'Mug', availableQuantity: 5 }));
    }
  });

  it('refuses out-of-stock lines and leaves the cart active', async () => {
    const id = await cartWith([{ productId: B, quantity: 5 }]);
    h.catalog.set(B, product(B, { priceAmount: 2500, name: 'Mug', availableQuantity: 2 }));
    try {
      const res = await h.run(CHECKOUT, GUEST, { id, input: input('key-out-of-stock') });
      expect(res.data.cartCheckout.userErrors).toEqual([expect.objectContaining({ code: 'OUT_OF_STOCK' })]);
      expect((await h.run(`query ($id: ID!) { cart(id: $id) { status } }`, GUEST, { id })).data.cart.status).toBe('ACTIVE');
    } finally {
      h.catalog.set(B, product(B, { priceAmount: 2500, name: 'Mug', availableQuantity: 5 }));
    }
  });

  it('claims a limited discount atomically: two racing checkouts, one use', async () => {
    const [first, second] = [await cartWith([{ productId: B, quantity: 1 }], ['ONCE']), await cartWith([{ productId: B, quantity: 1 }], ['ONCE'])];
    const results = await Promise.all([
      h.run(CHECKOUT, GUEST, { id: first, input: input('once-1-key') }),
      h.run(CHECKOUT, GUEST, { id: second, input: input('once-2-key') }),
    ]);
    const ok = results.filter((r) => r.data.cartCheckout.checkout);
    expect(ok).toHaveLength(1);
    const [code] = await h.orm.em.fork().execute<Array<{ usage_count: number }>>(`select usage_count from discount_code where code = 'ONCE'`);
    expect(code!.usage_count).toBe(1);
  });
});

describe('lines the catalog confirms at checkout', () => {
  const pricedAgo = async (cartId: string) =>
    (
      await h.orm.em
        .fork()
        .execute<Array<{ seconds: number }>>(`select extract(epoch from now() - priced_at)::float8 as seconds from cart_line where cart_id = ?`, [
          cartId,
        ])
    ).map((r) => r.seconds);
  const priceLongAgo = (cartId: string) =>
    h.orm.em.fork().execute(`update cart_line set priced_at = now() - interval '1 hour' where cart_id = ?`, [cartId]);

  it('are recorded as priced now, by a checkout that starts and by one refused for its input', async () => {
    const started = await cartWith([{ productId: A, quantity: 1 }]);
    await priceLongAgo(started);
    const ok = await h.run(CHECKOUT, GUEST, { id: started, input: input('confirm-started') });
    expect(ok.data.cartCheckout.userErrors).toEqual([]);
    expect((await pricedAgo(started)).every((s) => s < 600)).toBe(true);

    const refused = await cartWith([{ productId: A, quantity: 1 }]);
    await priceLongAgo(refused);
    const bad = await h.run(CHECKOUT, GUEST, { id: refused, input: input('confirm-refused', { email: 'not an email' }) });
    expect(bad.data.cartCheckout.checkout).toBeNull();
    expect(bad.data.cartCheckout.userErrors.map((e: { code: string }) => e.code)).toContain('INVALID');
    expect((await pricedAgo(refused)).every((s) => s < 600)).toBe(true);
  });
});

describe('the cart follows its order', () => {
  it('CONFIRMED checks the cart out; PAYMENT_FAILED reactivates it and gives the discount use back', async () => {
    const owner = customer(`c-${randomUUID()}`);
    const id = await cartWith([{ productId: B, quantity: 1 }], [], owner);
    const res = await h.run(CHECKOUT, owner, { id, input: input('fate-confirm') });
    const checkoutId = res.data.cartCheckout.checkout.id;
    expect(
      await h.orm.em.fork().transactional((tx) => applyOrderStatus(tx, { orderId: checkoutId, cartId: id, status: 'CONFIRMED', reason: null })),
    ).toBe(id);
    expect((await h.run(`query ($id: ID!) { checkout(id: $id) { status } }`, owner, { id: checkoutId })).data.checkout).toEqual({
      status: 'COMPLETED',
    });
    const checkedOut = (await h.run(`query ($id: ID!) { cart(id: $id) { status version } }`, owner, { id })).data.cart;
    expect(checkedOut.status).toBe('CHECKED_OUT');
    // A redelivered or late event changes nothing (not even the cart's version).
    expect(
      await h.orm.em.fork().transactional((tx) => applyOrderStatus(tx, { orderId: checkoutId, cartId: id, status: 'CONFIRMED', reason: null })),
    ).toBeNull();
    expect((await h.run(`query ($id: ID!) { cart(id: $id) { status version } }`, owner, { id })).data.cart).toEqual(checkedOut);
    expect(
      await h.orm.em
        .fork()
        .transactional((tx) => applyOrderStatus(tx, { orderId: checkoutId, cartId: id, status: 'PAYMENT_FAILED', reason: 'late' })),
    ).toBeNull();

    const upsert = await h.run(
      `mutation { discountCodeUpsert(input: { code: "TWICE", kind: FIXED_AMOUNT, value: "1.00", usageLimit: 2 }) { userErrors { code } } }`,
      ADMIN,
    );
    expect(upsert.data.discountCodeUpsert.userErrors).toEqual([]);
    const next = await cartWith([{ productId: B, quantity: 1 }], ['TWICE'], owner);
    const failed = await h.run(CHECKOUT, owner, { id: next, input: input('fate-fail') });
    const failedId = failed.data.cartCheckout.checkout.id;
    await h.orm.em
      .fork()
      .transactional((tx) => applyOrderStatus(tx, { orderId: failedId, cartId: next, status: 'PAYMENT_FAILED', reason: 'declined' }));
    expect((await h.run(`query ($id: ID!) { cart(id: $id) { status } }`, owner, { id: next })).data.cart.status).toBe('ACTIVE');
    const [code] = await h.orm.em.fork().execute<Array<{ usage_count: number }>>(`select usage_count from discount_code where code = 'TWICE'`);
    expect(code!.usage_count).toBe(0);
  });
});
