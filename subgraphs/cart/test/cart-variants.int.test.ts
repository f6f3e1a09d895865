import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUEST } from '@shop/platform';
import { product, productWithVariants, startCartHarness, variant, type CartHarness } from './cart-harness.ts';

let h: CartHarness;
const shirt = randomUUID();
const [mBlue, lBlue, mug] = [randomUUID(), randomUUID(), randomUUID()];

beforeAll(async () => {
  h = await startCartHarness();
  h.catalog.set(mBlue, variant(mBlue, shirt, { Size: 'M', Color: 'Blue' }, { name: 'Cotton Tee', sku: 'TEE-M-BLU', priceAmount: 1900 }));
  h.catalog.set(
    lBlue,
    variant(lBlue, shirt, { Size: 'L', Color: 'Blue' }, { name: 'Cotton Tee', sku: 'TEE-L-BLU', priceAmount: 2400, availableQuantity: 2 }),
  );
  h.catalog.set(shirt, productWithVariants(shirt, 'Cotton Tee'));
  h.catalog.set(mug, product(mug, { name: 'Mug', priceAmount: 800 }));
});
afterAll(async () => h?.close());

const LINES = `lines(first: 50) { edges { node { id quantity merchandise { id } product { id } unitPrice { amount } } } }`;
const CREATE = `mutation ($input: CartCreateInput) { cartCreate(input: $input) { cart { id totalQuantity ${LINES} } userErrors { field code message } } }`;
const ADD = `mutation ($id: ID!, $lines: [CartLineInput!]!) { cartLinesAdd(cartId: $id, lines: $lines) { cart { id totalQuantity ${LINES} } userErrors { field code message } warnings { code target } } }`;
type Line = { quantity: number; merchandise: { id: string }; product: { id: string }; unitPrice: { amount: string } };
const lines = (cart: { lines: { edges: Array<{ node: Line }> } }) => cart.lines.edges.map((e) => e.node);

describe('cart lines buy variants', () => {
  it('adds a variant by merchandiseId, and adds up the same variant while two sizes stay two lines', async () => {
    const created = await h.run(CREATE, GUEST, { input: { lines: [{ merchandiseId: mBlue, quantity: 1 }] } });
    expect(created.errors).toBeUndefined();
    const id = created.data.cartCreate.cart.id;
    const res = await h.run(ADD, GUEST, {
      id,
      lines: [
        { merchandiseId: mBlue, quantity: 2 },
        { merchandiseId: lBlue, quantity: 1 },
      ],
    });
    expect(res.data.cartLinesAdd.userErrors).toEqual([]);
    expect(lines(res.data.cartLinesAdd.cart)).toEqual([
      { id: expect.any(String), quantity: 3, merchandise: { id: mBlue }, product: { id: shirt }, unitPrice: { amount: '19.00' } },
      { id: expect.any(String), quantity: 1, merchandise: { id: lBlue }, product: { id: shirt }, unitPrice: { amount: '24.00' } },
    ]);
    // The line keeps the variant's SKU, title and options as the catalog confirmed them.
    const [row] = await h.orm.em
      .fork()
      .execute(
        'select sku, variant_title as "variantTitle", selected_options as "selectedOptions" from cart_line where variant_id = ? and cart_id = ?',
        [mBlue, id],
      );
    expect(row).toEqual({
      sku: 'TEE-M-BLU',
      variantTitle: 'M / Blue',
      selectedOptions: [
        { name: 'Size', value: 'M' },
        { name: 'Color', value: 'Blue' },
      ],
    });
  });

  it('takes the deprecated productId for a product without options (its one variant has its id)', async () => {
    const res = await h.run(CREATE, GUEST, { input: { lines: [{ productId: mug, quantity: 2 }] } });
    expect(res.data.cartCreate.userErrors).toEqual([]);
    expect(lines(res.data.cartCreate.cart)).toEqual([expect.objectContaining({ quantity: 2, merchandise: { id: mug }, product: { id: mug } })]);
  });

  it('answers VARIANT_REQUIRED for a product sold in several variants, and changes nothing', async () => {
    const id = (await h.run(CREATE, GUEST)).data.cartCreate.cart.id;
    for (const line of [{ productId: shirt }, { merchandiseId: shirt }]) {
      const res = await h.run(ADD, GUEST, { id, lines: [{ merchandiseId: mug }, { ...line, quantity: 1 }] });
      const field = 'productId' in line ? 'productId' : 'merchandiseId';
      expect(res.data.cartLinesAdd.userErrors).toEqual([
        {
          field: ['lines', '1', field],
          code: 'VARIANT_REQUIRED',
          message: 'Cotton Tee comes in several options (such as size or colour): choose one',
        },
      ]);
      expect(res.data.cartLinesAdd.cart.totalQuantity).toBe(0);
    }
  });

  it('needs exactly one of merchandiseId and productId on each line', async () => {
    const id = (await h.run(CREATE, GUEST)).data.cartCreate.cart.id;
    const res = await h.run(ADD, GUEST, { id, lines: [{ quantity: 1 }, { merchandiseId: mBlue, productId: mug, quantity: 1 }] });
    expect(res.data.cartLinesAdd.userErrors.map((e: { field: string[]; code: string }) => [e.field, e.code])).toEqual([
      [['lines', '0', 'merchandiseId'], 'REQUIRED'],
      [['lines', '1', 'productId'], 'INVALID'],
    ]);
  });

  it('clamps a variant to its own stock and names it in the message', async () => {
    const id = (await h.run(CREATE, GUEST)).data.cartCreate.cart.id;
    const res = await h.run(ADD, GUEST, { id, lines: [{ merchandiseId: lBlue, quantity: 5 }] });
    expect(res.data.cartLinesAdd.warnings).toEqual([{ code: 'QUANTITY_CLAMPED', target: lBlue }]);
    expect(lines(res.data.cartLinesAdd.cart)).toEqual([expect.objectContaining({ quantity: 2, merchandise: { id: lBlue } })]);
  });
});
