import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUEST } from '@shop/platform';
import { ADMIN, product, startCartHarness, type CartHarness } from './cart-harness.ts';

// A promotion on a parent category reaches a product filed in a subcategory: the catalog answers
// each variant with its product's category and that category's ancestors, and the line keeps them.
let h: CartHarness;
const [APPAREL, SHIRTS, KITCHEN] = [randomUUID(), randomUUID(), randomUUID()];
const TEE = randomUUID();
const MUG = randomUUID();

beforeAll(async () => {
  h = await startCartHarness();
  h.catalog.set(TEE, product(TEE, { name: 'Tee', priceAmount: 2000, categoryIds: [APPAREL, SHIRTS] }));
  h.catalog.set(MUG, product(MUG, { name: 'Mug', priceAmount: 1000, categoryIds: [KITCHEN] }));
  const res = await h.run(`mutation ($input: PromotionInput!) { promotionCreate(input: $input) { userErrors { field message } } }`, ADMIN, {
    input: { title: 'Apparel 10% off', conditions: { targetCategoryIds: [APPAREL] }, action: { kind: 'LINE_PERCENTAGE', percentage: '10' } },
  });
  expect(res.data.promotionCreate.userErrors).toEqual([]);
});
afterAll(async () => h?.close());

const CART = `id lines(first: 10) { edges { node { id product { id } discountAllocations { title amount { amount } } } } }
  cost { subtotalAmount { amount } discountAmount { amount } }`;

interface ShownCart {
  id: string;
  lines: {
    edges: Array<{ node: { id: string; product: { id: string }; discountAllocations: Array<{ title: string; amount: { amount: string } }> } }>;
  };
  cost: { subtotalAmount: { amount: string }; discountAmount: { amount: string } };
}
const allocationsOf = (cart: ShownCart, productId: string) =>
  cart.lines.edges.find((e) => e.node.product.id === productId)!.node.discountAllocations.map((a) => `${a.title} ${a.amount.amount}`);

async function create(lines: Array<{ merchandiseId: string; quantity?: number }>): Promise<ShownCart> {
  const res = await h.run(`mutation ($l: [CartLineInput!]) { cartCreate(input: { lines: $l }) { cart { ${CART} } } }`, GUEST, { l: lines });
  expect(res.errors).toBeUndefined();
  return res.data.cartCreate.cart;
}

describe('category-targeted promotions', () => {
  it('discount the lines whose product is in the category or below it, and no other line', async () => {
    const cart = await create([{ merchandiseId: TEE }, { merchandiseId: MUG }]);
    expect(allocationsOf(cart, TEE)).toEqual(['Apparel 10% off 2.00']);
    expect(allocationsOf(cart, MUG)).toEqual([]);
    expect(cart.cost).toEqual({ subtotalAmount: { amount: '30.00' }, discountAmount: { amount: '2.00' } });
  });

  it('follow a product the catalog moves: the line takes its new categories when the catalog next confirms it', async () => {
    const cart = await create([{ merchandiseId: MUG, quantity: 1 }]);
    expect(allocationsOf(cart, MUG)).toEqual([]);
    h.catalog.set(MUG, product(MUG, { name: 'Mug', priceAmount: 1000, categoryIds: [APPAREL] }));
    try {
      const line = cart.lines.edges[0]!.node.id;
      const res = await h.run(
        `mutation ($id: ID!, $l: [CartLineUpdateInput!]!) { cartLinesUpdate(cartId: $id, lines: $l) { cart { ${CART} } userErrors { message } } }`,
        GUEST,
        { id: cart.id, l: [{ id: line, quantity: 2 }] },
      );
      expect(res.data.cartLinesUpdate.userErrors).toEqual([]);
      expect(allocationsOf(res.data.cartLinesUpdate.cart, MUG)).toEqual(['Apparel 10% off 2.00']);
      const [row] = await h.orm.em
        .fork()
        .execute<Array<{ categoryIds: string[] }>>('select category_ids as "categoryIds" from cart_line where id = ?', [line]);
      expect(row!.categoryIds).toEqual([APPAREL]);
    } finally {
      h.catalog.set(MUG, product(MUG, { name: 'Mug', priceAmount: 1000, categoryIds: [KITCHEN] }));
    }
  });

  it('treat a catalog answer without categories (an older catalog) as no category', async () => {
    const bare = randomUUID();
    h.catalog.set(bare, product(bare, { name: 'Bare', priceAmount: 500 }));
    const cart = await create([{ merchandiseId: bare }, { merchandiseId: TEE }]);
    expect(allocationsOf(cart, bare)).toEqual([]);
    expect(allocationsOf(cart, TEE)).toEqual(['Apparel 10% off 2.00']);
  });

  it('at checkout, judge a product by the category the catalog has now: a move since the cart was shown is TOTAL_CHANGED', async () => {
    const moved = randomUUID();
    h.catalog.set(moved, product(moved, { name: 'Scarf', priceAmount: 3000, categoryIds: [KITCHEN] }));
    const cart = await create([{ merchandiseId: moved }]);
    const read = async () =>
      (await h.run(`query ($id: ID!) { cart(id: $id) { cost { totalAmount { amount } discountAmount { amount } } } }`, GUEST, { id: cart.id })).data
        .cart.cost;
    const before = await read();
    expect(before.discountAmount.amount).toBe('0.00');
    h.catalog.set(moved, product(moved, { name: 'Scarf', priceAmount: 3000, categoryIds: [APPAREL] }));
    const address = { name: 'Ada', line1: '1 Analytical Way', city: 'New York', province: 'NY', postalCode: '10001', countryCode: 'US' };
    const input = { paymentToken: 'tok_visa', email: 'ada@example.com', shippingAddress: address };
    const CHECKOUT = `mutation ($id: ID!, $i: CheckoutInput!) { cartCheckout(cartId: $id, input: $i) { checkout { id } userErrors { code field } } }`;
    const refused = await h.run(CHECKOUT, GUEST, {
      id: cart.id,
      i: { ...input, idempotencyKey: randomUUID(), expectedTotal: before.totalAmount.amount },
    });
    expect(refused.data.cartCheckout).toEqual({ checkout: null, userErrors: [{ code: 'TOTAL_CHANGED', field: ['input', 'expectedTotal'] }] });
    const after = await read();
    expect(after.discountAmount.amount).toBe('3.00');
    const retry = await h.run(CHECKOUT, GUEST, {
      id: cart.id,
      i: { ...input, idempotencyKey: randomUUID(), expectedTotal: after.totalAmount.amount },
    });
    expect(retry.data.cartCheckout.userErrors).toEqual([]);
  });
});
