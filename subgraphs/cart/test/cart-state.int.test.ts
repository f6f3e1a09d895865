import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUEST, sql } from '@shop/platform';
import { readCartState } from '../src/data/cart-state.repository.ts';
import { product, startCartHarness, type CartHarness } from './cart-harness.ts';

let h: CartHarness;
const [A, B] = [randomUUID(), randomUUID()];

beforeAll(async () => {
  h = await startCartHarness();
  h.catalog.set(A, product(A, { priceAmount: 1999 }));
  h.catalog.set(B, product(B, { priceAmount: 500 }));
});
afterAll(async () => h?.close());

describe('the cart state read (cart, lines and codes in one statement)', () => {
  it('gives the rows separate plain selects give: same values, same types, same order', async () => {
    const created = await h.run(`mutation ($lines: [CartLineInput!]) { cartCreate(input: { lines: $lines }) { cart { id } } }`, GUEST, {
      lines: [{ productId: B, quantity: 2 }, { productId: A }],
    });
    const id = created.data.cartCreate.cart.id as string;
    // Two seeded codes, in the shopper's order.
    const codes = await h.run(
      `mutation ($id: ID!) { cartDiscountCodesUpdate(cartId: $id, discountCodes: ["SAVE15", "FIVEOFF"]) { userErrors { code message } } }`,
      GUEST,
      {
        id,
      },
    );
    expect(codes.data.cartDiscountCodesUpdate.userErrors).toEqual([]);
    // A code entered before its promotion was removed: no definition any more.
    await h.orm.em.fork().execute(`insert into cart_discount_code (cart_id, code, position) values (?, 'GONECODE', 2)`, [id]);

    const em = h.orm.em.fork();
    const state = (await readCartState(em, id, 'US'))!;
    const { rows: lines } = await sql(
      em,
      `select id, variant_id as "variantId", product_id as "productId", quantity, unit_price_amount as "unitPriceAmount", name, sku,
              variant_title as "variantTitle", selected_options as "selectedOptions", category_ids as "categoryIds",
              available, discontinued, created_at as "createdAt"
         from cart_line where cart_id = $1 order by created_at, id`,
      [id],
    );
    const { rows: codeRows } = await sql<Record<string, unknown> & { code: string; defined: boolean }>(
      em,
      `select c.code, d.code is not null as defined, d.kind, d.value, d.minimum_subtotal as "minimumSubtotal", d.active,
              d.expires_at as "expiresAt", d.usage_limit as "usageLimit", d.usage_count as "usageCount"
         from cart_discount_code c left join discount_code d on d.code = c.code
        where c.cart_id = $1 order by c.position`,
      [id],
    );
    expect(lines).toHaveLength(2);
    expect(state.lines).toStrictEqual(lines);
    expect(state.codes.map((c) => [c.code, c.definition === null])).toEqual([
      ['SAVE15', false],
      ['FIVEOFF', false],
      ['GONECODE', true],
    ]);
    expect(state.codes).toStrictEqual(codeRows.map(({ code, defined, ...definition }) => ({ code, definition: defined ? definition : null })));
    expect(state.cart).toMatchObject({ id, countryCode: null, status: 'ACTIVE' });
    expect(state.cart).not.toHaveProperty('lines');
  });

  it('answers null for a cart that does not exist', async () => {
    expect(await readCartState(h.orm.em.fork(), 'no-such-cart', 'US')).toBeNull();
  });
});
