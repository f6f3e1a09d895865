import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUEST, ServiceUnavailableError } from '@shop/platform';
import { applyProductChange, currentProductChange, productChangeMatters } from '../src/domain/cart-fate.ts';
import type { ProductLookup } from '../src/domain/catalog-snapshot.ts';
import { product, startCartHarness, type CartHarness } from './cart-harness.ts';

/**
 * The cart's product-changes consumer acks a product.changed with no transaction when
 * productChangeMatters says no active cart line differs from it (most are stock counts moved by a
 * reservation); whenever applyProductChange would change a cart, it must say yes. A change that does
 * concern a cart applies the catalog's current answer (currentProductChange), not the event's.
 */
let h: CartHarness;
const [LAMP, CANDLE] = [randomUUID(), randomUUID()];

beforeAll(async () => {
  h = await startCartHarness();
  h.catalog.set(LAMP, product(LAMP, { name: 'Lamp', priceAmount: 2500 }));
  h.catalog.set(CANDLE, product(CANDLE, { name: 'Candle', priceAmount: 2500 }));
});
afterAll(async () => h?.close());

async function cartWith(variantId: string): Promise<string> {
  const res = await h.run(`mutation ($lines: [CartLineInput!]) { cartCreate(input: { lines: $lines }) { cart { id } userErrors { code } } }`, GUEST, {
    lines: [{ merchandiseId: variantId, quantity: 1 }],
  });
  expect(res.data.cartCreate.userErrors).toEqual([]);
  return res.data.cartCreate.cart.id;
}

const change = (overrides: Partial<{ variantId: string; available: boolean; priceAmount: number; discontinued: boolean }> = {}) => ({
  variantId: LAMP,
  available: true,
  priceAmount: 2500,
  discontinued: false,
  ...overrides,
});
const matters = (c: ReturnType<typeof change>) => productChangeMatters(h.orm.em.fork(), c);

describe('productChangeMatters', () => {
  it('says no for what the lines already show, yes for a new price, out of stock or discontinued, and no once applied', async () => {
    const cartId = await cartWith(LAMP);
    expect(await matters(change())).toBe(false);
    expect(await matters(change({ priceAmount: 2600 }))).toBe(true);
    expect(await matters(change({ available: false }))).toBe(true);
    expect(await matters(change({ discontinued: true }))).toBe(true);
    expect(await matters(change({ variantId: randomUUID() }))).toBe(false);

    const soldOut = change({ available: false });
    expect(await h.orm.em.fork().transactional((tx) => applyProductChange(tx, soldOut))).toEqual([cartId]);
    expect(await matters(soldOut)).toBe(false);
    // And back in stock: the line differs again until that is applied too.
    expect(await matters(change())).toBe(true);
    expect(await h.orm.em.fork().transactional((tx) => applyProductChange(tx, change()))).toEqual([cartId]);
    expect(await matters(change())).toBe(false);
  });

  it('ignores carts that are no longer active (a checked-out cart keeps what it was bought at)', async () => {
    const cartId = await cartWith(CANDLE);
    const repriced = change({ variantId: CANDLE, priceAmount: 9900 });
    expect(await matters(repriced)).toBe(true);
    await h.orm.em.fork().execute(`update cart set status = 'CHECKED_OUT' where id = ?`, [cartId]);
    expect(await matters(repriced)).toBe(false);
    expect(await h.orm.em.fork().transactional((tx) => applyProductChange(tx, repriced))).toEqual([]);
  });
});

describe('the lines a product change reads (in_active_cart)', () => {
  const flags = async (cartId: string) =>
    (await h.orm.em.fork().execute<Array<{ in_active_cart: boolean }>>('select in_active_cart from cart_line where cart_id = ?', [cartId])).map(
      (r) => r.in_active_cart,
    );
  const setStatus = (cartId: string, status: string) => h.orm.em.fork().execute('update cart set status = ? where id = ?', [status, cartId]);

  it('follow their cart in and out of ACTIVE', async () => {
    const cartId = await cartWith(LAMP);
    expect(await flags(cartId)).toEqual([true]);
    await setStatus(cartId, 'CHECKING_OUT');
    expect(await flags(cartId)).toEqual([false]);
    // A failed checkout reopens the cart: its lines count again.
    await setStatus(cartId, 'ACTIVE');
    expect(await flags(cartId)).toEqual([true]);
    await setStatus(cartId, 'CHECKED_OUT');
    expect(await flags(cartId)).toEqual([false]);
  });

  it('are those of active carts only, however many carts hold other variants or held this one', async () => {
    const POPULAR = randomUUID();
    h.catalog.set(POPULAR, product(POPULAR, { name: 'Popular', priceAmount: 900 }));
    // 3,000 past purchases of the variant and 3,000 open carts holding something else; one cart holds it now.
    await h.orm.em.fork().execute(`
      with carts as (
        insert into cart (id, status, currency, created_at, updated_at, expires_at)
        select 'bulk-' || g, case when g % 2 = 0 then 'CHECKED_OUT' else 'ACTIVE' end, 'USD', now(), now(), now() + interval '1 day'
          from generate_series(1, 6000) g returning id, status)
      insert into cart_line (id, cart_id, variant_id, product_id, quantity, created_at, in_active_cart)
      select gen_random_uuid(), id, v, v, 1, now(), status = 'ACTIVE'
        from carts, lateral (select case when status = 'ACTIVE' then gen_random_uuid() else '${POPULAR}'::uuid end as v) variant`);
    await h.orm.em.fork().execute('analyze cart_line; analyze cart');
    await cartWith(POPULAR);
    const read = await h.orm.em.fork().transactional(async (tx) => {
      // Rows and index entries of carts and lines this backend has read. The counts are taken before
      // and after, because they also hold earlier transactions' reads that Postgres has not yet
      // flushed (at most once a second): the bulk insert's 6,000 foreign-key lookups of cart, when
      // this connection ran it.
      const readSoFar = async () =>
        (
          await tx.execute<Array<{ rows: number }>>(
            `select sum(coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0))::int as rows from pg_stat_xact_user_tables where relname in ('cart', 'cart_line')`,
          )
        )[0]!.rows;
      const before = await readSoFar();
      expect(await productChangeMatters(tx, change({ variantId: POPULAR, priceAmount: 900 }))).toBe(false);
      return (await readSoFar()) - before;
    });
    // The line and its cart (with the other tests' few), not the 6,000 bulk ones: reading every
    // line of the variant, or every active cart, was the plan without the flag.
    expect(read).toBeLessThan(100);
  });
});

describe('a product change that concerns a cart', () => {
  const lookup = (ids: readonly string[]) => h.deps.lookupProducts(ids);
  const follow = (c: ReturnType<typeof change>, via: ProductLookup = lookup) =>
    h.orm.em.fork().transactional(async (tx) => applyProductChange(tx, await currentProductChange(via, c)));

  it('applies the catalog’s current state, so an older event handled after a newer one changes nothing back', async () => {
    const SHADE = randomUUID();
    h.catalog.set(SHADE, product(SHADE, { name: 'Shade', priceAmount: 1200 }));
    const cartId = await cartWith(SHADE);
    const soldOut = change({ variantId: SHADE, priceAmount: 1200, available: false });
    const backInStock = change({ variantId: SHADE, priceAmount: 1200 });

    // It sold out and came back; the two events reach this process newest first. The catalog (and
    // the line) have it in stock.
    expect(await matters(backInStock)).toBe(false);
    // The older event says sold out, which the line does not show: the catalog says it is in stock.
    expect(await matters(soldOut)).toBe(true);
    expect(await follow(soldOut)).toEqual([]);
    expect(await matters(backInStock)).toBe(false);

    // A real sell-out is applied, whichever event brings the news.
    h.catalog.set(SHADE, product(SHADE, { name: 'Shade', priceAmount: 1200, availableQuantity: 0 }));
    expect(await follow(soldOut)).toEqual([cartId]);
    expect(await matters(soldOut)).toBe(false);
  });

  it('applies the event’s own figures when the catalog cannot be reached', async () => {
    const WICK = randomUUID();
    h.catalog.set(WICK, product(WICK, { name: 'Wick', priceAmount: 300 }));
    const cartId = await cartWith(WICK);
    const unreachable: ProductLookup = async () => {
      throw new ServiceUnavailableError('catalog down');
    };
    expect(await follow(change({ variantId: WICK, priceAmount: 300, available: false }), unreachable)).toEqual([cartId]);
  });
});
