import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUEST } from '@shop/platform';
import { ADMIN, product, startCartHarness, type CartHarness } from './cart-harness.ts';

// Its own database: the automatic promotions below apply to every cart in it.
let h: CartHarness;
const LAMP = randomUUID();
beforeAll(async () => {
  h = await startCartHarness();
  h.catalog.set(LAMP, product(LAMP, { priceAmount: 5200, name: 'Lamp' }));
});
afterAll(async () => h?.close());

const CREATE = `mutation ($input: PromotionInput!) { promotionCreate(input: $input) { promotion { id } userErrors { field code message } } }`;
const CART = `query ($id: ID!) { cart(id: $id) {
  selectedDeliveryOption { handle cost { amount } }
  cost { subtotalAmount { amount } discountAmount { amount } shippingAmount { amount } }
  discountAllocations { title amount { amount } } } }`;

describe('free delivery against another discount', () => {
  it('is weighed at what delivery would cost with it, and the cart shows what the shopper pays', async () => {
    for (const input of [
      { title: 'Five off', action: { kind: 'ORDER_PERCENTAGE', percentage: '5' } },
      { title: 'Free delivery', combinability: 'EXCLUSIVE', action: { kind: 'FREE_DELIVERY' } },
    ])
      expect((await h.run(CREATE, ADMIN, { input })).data.promotionCreate.userErrors).toEqual([]);
    const created = await h.run(`mutation ($p: ID!) { cartCreate(input: { lines: [{ productId: $p }] }) { cart { id } } }`, GUEST, { p: LAMP });
    const cart = (await h.run(CART, GUEST, { id: created.data.cartCreate.cart.id })).data.cart;
    // 52.00 less 5 % is 49.40, under Standard's 50.00 free-over: 54.39 to pay. Without the 5 %, 52.00
    // ships free: 52.00 to pay. The cart takes the cheaper, and shows no discount it does not give
    // (the free delivery is worth nothing here) and the delivery cost it charges.
    expect(cart.selectedDeliveryOption).toEqual({ handle: 'standard', cost: { amount: '0.00' } });
    expect(cart.cost).toEqual({
      subtotalAmount: { amount: '52.00' },
      discountAmount: { amount: '0.00' },
      shippingAmount: { amount: '0.00' },
    });
    expect(cart.discountAllocations).toEqual([]);
  });
});
