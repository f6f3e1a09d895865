import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionResult } from 'graphql';
import { GUEST } from '@shop/platform';
import { applyProductChange, expireIdleCarts } from '../src/domain/cart-fate.ts';
import { waitFor } from '../../../test/support/wait.ts';
import { customer, product, startCartHarness, type CartHarness } from './cart-harness.ts';

let h: CartHarness;
const [A, B, C] = [randomUUID(), randomUUID(), randomUUID()];

beforeAll(async () => {
  h = await startCartHarness();
  for (const id of [A, B]) h.catalog.set(id, product(id));
  h.catalog.set(C, product(C, { availableQuantity: 4 }));
});
afterAll(async () => h?.close());

const MERGE = `mutation ($guest: ID!, $strategy: CartMergeStrategy) { cartMerge(guestCartId: $guest, strategy: $strategy) {
  cart { id version lines { edges { node { quantity product { id } } } } } userErrors { code } warnings { code target } } }`;
const STATUS = `query ($id: ID!) { cart(id: $id) { status } }`;

async function cartWith(identity: ReturnType<typeof customer> | typeof GUEST, lines: Array<[string, number]>): Promise<string> {
  const res = await h.run(
    `mutation ($lines: [CartLineInput!]) { cartCreate(input: { lines: $lines }) { cart { id } userErrors { code } } }`,
    identity,
    {
      lines: lines.map(([productId, quantity]) => ({ productId, quantity })),
    },
  );
  expect(res.data.cartCreate.userErrors).toEqual([]);
  return res.data.cartCreate.cart.id;
}

type Line = { node: { quantity: number; product: { id: string } } };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const quantities = (res: ExecutionResult<any>) =>
  Object.fromEntries(res.data.cartMerge.cart.lines.edges.map((e: Line) => [e.node.product.id, e.node.quantity]));

describe('cartMerge', () => {
  it('MERGE adds quantities of the same product within what is available, and expires the guest cart', async () => {
    const me = customer(`m-${randomUUID()}`);
    await cartWith(me, [
      [A, 2],
      [C, 3],
    ]);
    const guest = await cartWith(GUEST, [
      [A, 1],
      [B, 5],
      [C, 3],
    ]);
    const res = await h.run(MERGE, me, { guest, strategy: 'MERGE' });
    expect(res.data.cartMerge.userErrors).toEqual([]);
    expect(quantities(res)).toEqual({ [A]: 3, [B]: 5, [C]: 4 });
    expect(res.data.cartMerge.warnings).toEqual([{ code: 'QUANTITY_CLAMPED', target: C }]);
    expect((await h.run(STATUS, GUEST, { id: guest })).data.cart.status).toBe('EXPIRED');
  });

  it('USE_GUEST takes the guest lines; KEEP_CUSTOMER keeps the customer lines', async () => {
    const me = customer(`u-${randomUUID()}`);
    await cartWith(me, [[A, 2]]);
    const guest = await cartWith(GUEST, [[B, 1]]);
    expect(quantities(await h.run(MERGE, me, { guest, strategy: 'USE_GUEST' }))).toEqual({ [B]: 1 });
    const other = await cartWith(GUEST, [[A, 7]]);
    expect(quantities(await h.run(MERGE, me, { guest: other, strategy: 'KEEP_CUSTOMER' }))).toEqual({ [B]: 1 });
    expect((await h.run(STATUS, GUEST, { id: other })).data.cart.status).toBe('EXPIRED');
  });

  it("refuses someone else's cart and leaves both carts as they were", async () => {
    const me = customer(`r-${randomUUID()}`);
    const mine = await cartWith(me, [[A, 1]]);
    const theirs = await cartWith(customer(`t-${randomUUID()}`), [[B, 1]]);
    const res = await h.run(MERGE, me, { guest: theirs });
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const [row] = await h.orm.em
      .fork()
      .execute<Array<{ mine: number; theirs: number; status: string }>>(
        `select (select version from cart where id = ?) as mine, (select version from cart where id = ?) as theirs, (select status from cart where id = ?) as status`,
        [mine, theirs, theirs],
      );
    expect(row).toEqual({ mine: 2, theirs: 2, status: 'ACTIVE' });
  });

  it('requires a signed-in customer', async () => {
    const guest = await cartWith(GUEST, [[A, 1]]);
    const res = await h.run(MERGE, GUEST, { guest });
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('expiry', () => {
  it('expires idle carts, which then refuse changes', async () => {
    const id = await cartWith(GUEST, [[A, 1]]);
    await h.orm.em.fork().execute(`update cart set expires_at = now() - interval '1 minute' where id = ?`, [id]);
    const expired = await expireIdleCarts(h.orm.em.fork());
    expect(expired).toContain(id);
    expect((await h.run(STATUS, GUEST, { id })).data.cart.status).toBe('EXPIRED');
    const res = await h.run(`mutation ($id: ID!) { cartLinesAdd(cartId: $id, lines: [{ productId: "${A}" }]) { userErrors { code } } }`, GUEST, {
      id,
    });
    expect(res.data.cartLinesAdd.userErrors).toEqual([{ code: 'CART_NOT_ACTIVE' }]);
  });
});

describe('product availability from the catalog', () => {
  it('locks carts before their lines, like every cart mutation: no deadlock with a checkout holding the cart', async () => {
    const item = randomUUID();
    h.catalog.set(item, product(item));
    const id = await cartWith(GUEST, [[item, 1]]);
    // A cart mutation in progress: cart row locked, its line about to be written.
    const mutation = h.orm.em.fork();
    await mutation.begin();
    try {
      await mutation.execute('select id from cart where id = ? for update', [id]);
      const follower = h.orm.em.fork().transactional((tx) => applyProductChange(tx, { variantId: item, available: false, priceAmount: 1000 }));
      // Asked outside the mutation's transaction: a transaction sees one snapshot of pg_stat_activity.
      const waitingOnLocks = async () =>
        (
          await h.orm.em
            .fork()
            .execute<Array<{ n: number }>>(
              `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
            )
        )[0]!.n;
      await waitFor('the follower waits on the cart lock', async () => (await waitingOnLocks()) > 0);
      await mutation.execute('update cart_line set updated_at = now() where cart_id = ?', [id]);
      await mutation.commit();
      expect(await follower).toEqual([id]);
    } catch (error) {
      await mutation.rollback().catch(() => undefined);
      throw error;
    }
    const [line] = await h.orm.em.fork().execute<Array<{ available: boolean }>>('select available from cart_line where cart_id = ?', [id]);
    expect(line!.available).toBe(false);
  });
});
