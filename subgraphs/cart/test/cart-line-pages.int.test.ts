import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUEST } from '@shop/platform';
import { CART_FIELDS, product, startCartHarness, type CartHarness } from './cart-harness.ts';

/** Cart.lines is cut from the cached cart in memory: its cursor names a line of that cart. */
let h: CartHarness;
const [A, B, C] = Array.from({ length: 3 }, () => randomUUID());

beforeAll(async () => {
  h = await startCartHarness();
  for (const id of [A!, B!, C!]) h.catalog.set(id, product(id));
});
afterAll(async () => h?.close());

const CREATE = `mutation ($input: CartCreateInput) { cartCreate(input: $input) { cart { ${CART_FIELDS} } userErrors { code } } }`;
const REMOVE = `mutation ($id: ID!, $ids: [ID!]!) { cartLinesRemove(cartId: $id, lineIds: $ids) { userErrors { code } } }`;

describe('paging lines', () => {
  const PAGE = `query ($id: ID!, $after: String) { cart(id: $id) { lines(first: 1, after: $after) {
    pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { id } } } } }`;

  it('continues after the line its cursor names, and refuses a cursor naming no line of this cart with a path', async () => {
    const made = await h.run(CREATE, GUEST, { input: { lines: [{ productId: A }, { productId: B }] } });
    const id = made.data.cartCreate.cart.id;
    const lineIds = made.data.cartCreate.cart.lines.edges.map((e: { node: { id: string } }) => e.node.id);
    const first = (await h.run(PAGE, GUEST, { id })).data.cart.lines;
    expect(first.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([lineIds[0]]);
    const second = (await h.run(PAGE, GUEST, { id, after: first.pageInfo.endCursor })).data.cart.lines;
    expect(second).toMatchObject({ pageInfo: { hasNextPage: false, hasPreviousPage: true }, edges: [{ node: { id: lineIds[1] } }] });
    // A line of another cart, or one removed since: starting over at the first page would show lines twice.
    const otherCart = (await h.run(CREATE, GUEST, { input: { lines: [{ productId: C }] } })).data.cartCreate.cart;
    const foreign = Buffer.from(JSON.stringify([otherCart.lines.edges[0].node.id])).toString('base64url');
    const removed = await h.run(REMOVE, GUEST, { id, ids: [lineIds[0]] });
    expect(removed.data.cartLinesRemove.userErrors).toEqual([]);
    for (const after of [foreign, first.pageInfo.endCursor, Buffer.from(JSON.stringify([42])).toString('base64url')]) {
      const res = await h.run(PAGE, GUEST, { id, after });
      expect(res.errors).toHaveLength(1);
      expect(res.errors![0]).toMatchObject({
        message: 'Invalid cursor',
        path: ['cart', 'lines'],
        extensions: { code: 'BAD_USER_INPUT', field: ['after'] },
      });
    }
  });
});
