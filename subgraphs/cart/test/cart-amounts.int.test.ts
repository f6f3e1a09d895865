import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUEST, MAX_AMOUNT_MINOR } from '@shop/platform';
import { ADMIN, product, startCartHarness, type CartHarness } from './cart-harness.ts';

let h: CartHarness;
const PRICEY = randomUUID();

beforeAll(async () => {
  h = await startCartHarness();
  h.catalog.set(PRICEY, product(PRICEY, { priceAmount: MAX_AMOUNT_MINOR, name: 'Yacht' }));
});
afterAll(async () => h?.close());

const UPSERT_CODE = `mutation ($input: DiscountCodeInput!) { discountCodeUpsert(input: $input) { discountCode { code } userErrors { field code message } } }`;
const UPSERT_COUNTRY = `mutation ($input: ShippingCountryInput!) { shippingCountryUpsert(input: $input) { shippingCountry { countryCode } userErrors { field code } } }`;

describe('amounts over what a money column holds', () => {
  it('are a TOO_LARGE userError for discount codes, never "integer out of range"', async () => {
    for (const value of ['21474836.48', '999999999999']) {
      const res = await h.run(UPSERT_CODE, ADMIN, { input: { code: 'HUGE', kind: 'FIXED_AMOUNT', value } });
      expect(res.errors, value).toBeUndefined();
      expect(res.data.discountCodeUpsert).toEqual({
        discountCode: null,
        userErrors: [{ field: ['input', 'value'], code: 'TOO_LARGE', message: 'Amount off is at most 21474836.47 USD' }],
      });
    }
    const minimum = await h.run(UPSERT_CODE, ADMIN, { input: { code: 'HUGE', kind: 'FIXED_AMOUNT', value: '1.00', minimumSubtotal: '21474836.48' } });
    expect(minimum.data.discountCodeUpsert.userErrors).toEqual([expect.objectContaining({ field: ['input', 'minimumSubtotal'], code: 'TOO_LARGE' })]);
    const percent = await h.run(UPSERT_CODE, ADMIN, { input: { code: 'HUGE', kind: 'PERCENTAGE', value: '999999999999' } });
    expect(percent.data.discountCodeUpsert.userErrors).toEqual([expect.objectContaining({ field: ['input', 'value'], code: 'INVALID' })]);
    const [row] = await h.orm.em.fork().execute<Array<{ n: number }>>(`select count(*)::int as n from discount_code where code = 'HUGE'`);
    expect(row!.n).toBe(0);
    const largest = await h.run(UPSERT_CODE, ADMIN, { input: { code: 'LARGEST', kind: 'FIXED_AMOUNT', value: '21474836.47' } });
    expect(largest.data.discountCodeUpsert.userErrors).toEqual([]);
  });

  it('are a TOO_LARGE userError for shipping rates', async () => {
    const res = await h.run(UPSERT_COUNTRY, ADMIN, {
      input: { countryCode: 'NL', taxRate: '21', shippingAmount: '21474836.48', freeShippingOver: '999999999999.99' },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data.shippingCountryUpsert.userErrors.map((e: { field: string[]; code: string }) => [e.field.join('.'), e.code]).sort()).toEqual([
      ['input.freeShippingOver', 'TOO_LARGE'],
      ['input.shippingAmount', 'TOO_LARGE'],
    ]);
  });

  it('refuse a checkout whose total an order could not store (TOO_LARGE), while the cart itself keeps working', async () => {
    const created = await h.run(
      `mutation ($lines: [CartLineInput!]) { cartCreate(input: { lines: $lines }) { cart { id cost { subtotalAmount { amount } } } userErrors { code } } }`,
      GUEST,
      {
        lines: [{ productId: PRICEY, quantity: 2 }],
      },
    );
    const cart = created.data.cartCreate.cart;
    expect(cart.cost.subtotalAmount.amount).toBe('42949672.94');
    // The subtotal is summed outside SQL: integer × integer there would overflow.
    const codes = await h.run(
      `mutation ($id: ID!) { cartDiscountCodesUpdate(cartId: $id, discountCodes: ["LARGEST"]) { userErrors { code } } }`,
      GUEST,
      { id: cart.id },
    );
    expect(codes.errors).toBeUndefined();
    expect(codes.data.cartDiscountCodesUpdate.userErrors).toEqual([]);
    const address = { name: 'Ada', line1: '1 Way', city: 'London', postalCode: 'N1', countryCode: 'US' };
    const checkout = await h.run(
      `mutation ($id: ID!, $input: CheckoutInput!) { cartCheckout(cartId: $id, input: $input) { checkout { id } userErrors { field code } } }`,
      GUEST,
      {
        id: cart.id,
        input: { email: 'ada@example.com', shippingAddress: address, paymentToken: 'tok_visa', idempotencyKey: 'too-large-1' },
      },
    );
    expect(checkout.errors).toBeUndefined();
    expect(checkout.data.cartCheckout).toEqual({ checkout: null, userErrors: [{ field: ['cartId'], code: 'TOO_LARGE' }] });
    const after = await h.run(`query ($id: ID!) { cart(id: $id) { status } }`, GUEST, { id: cart.id });
    expect(after.data.cart.status).toBe('ACTIVE');
    const [events] = await h.orm.em
      .fork()
      .execute<Array<{ n: number }>>(`select count(*)::int as n from outbox_event where subject = 'checkout.requested'`);
    expect(events!.n).toBe(0);
  });
});
