import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUEST } from '@shop/platform';
import { product, startCartHarness, type CartHarness } from './cart-harness.ts';

let h: CartHarness;
const MUG = randomUUID();
beforeAll(async () => {
  h = await startCartHarness();
  h.catalog.set(MUG, product(MUG, { priceAmount: 2500, name: 'Mug' }));
});
afterAll(async () => h?.close());

const BUYER = `mutation ($id: ID!, $b: CartBuyerIdentityInput!) { cartBuyerIdentityUpdate(cartId: $id, buyerIdentity: $b) { userErrors { code field } } }`;
const CHECKOUT = `mutation ($id: ID!, $input: CheckoutInput!) { cartCheckout(cartId: $id, input: $input) { checkout { id } userErrors { code field } } }`;
const street = (province: string, countryCode: string) => ({
  firstName: 'Ada',
  address1: '1 Main St',
  city: 'Town',
  province,
  postalCode: '99501',
  countryCode,
});
const newCart = async () =>
  (await h.run(`mutation ($p: ID!) { cartCreate(input: { lines: [{ productId: $p }] }) { cart { id } } }`, GUEST, { p: MUG })).data.cartCreate.cart
    .id;

describe('regions where they decide tax and delivery', () => {
  it('are named by their code: a name would be taxed and delivered as the rest of the country', async () => {
    const id = await newCart();
    const named = await h.run(BUYER, GUEST, { id, b: { deliveryAddress: street('California', 'US') } });
    expect(named.data.cartBuyerIdentityUpdate.userErrors).toEqual([{ code: 'INVALID', field: ['buyerIdentity', 'deliveryAddress', 'province'] }]);
    // The code, in any case, is taken.
    expect((await h.run(BUYER, GUEST, { id, b: { deliveryAddress: street('ca', 'US') } })).data.cartBuyerIdentityUpdate.userErrors).toEqual([]);

    const input = { email: 'ada@example.com', paymentToken: 'tok_visa', idempotencyKey: `region-${id}` };
    const shippingAddress = { name: 'Ada', line1: '1 Main St', city: 'Anchorage', province: 'Alaska', postalCode: '99501', countryCode: 'US' };
    const refused = await h.run(CHECKOUT, GUEST, { id, input: { ...input, shippingAddress } });
    expect(refused.data.cartCheckout.checkout).toBeNull();
    expect(refused.data.cartCheckout.userErrors).toEqual([{ code: 'INVALID', field: ['input', 'shippingAddress', 'province'] }]);
  });

  it('stay free text where the country has no regional rates or zones', async () => {
    const id = await newCart();
    expect((await h.run(BUYER, GUEST, { id, b: { deliveryAddress: street('Bayern', 'DE') } })).data.cartBuyerIdentityUpdate.userErrors).toEqual([]);
  });
});
