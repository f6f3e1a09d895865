import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Registry } from 'prom-client';
import { createRedis, GUEST, type Redis } from '@shop/platform';
import { createCartCache } from '../src/data/cart-cache.ts';
import { startPricingStamp, type PricingStamp } from '../src/data/pricing-stamp.ts';
import { ADMIN, log, product, startCartHarness, type CartHarness } from './cart-harness.ts';
import { waitFor } from '../../../test/support/wait.ts';

// The cart subgraph's wiring (src/index.ts): copies are priced under the polled stamp
// (policy.pricingStamp) and served only while it is still the current one (isFresh), on the
// shared test Redis under a prefix of this file's own.
let h: CartHarness;
let redis: Redis;
let stamp: PricingStamp;
const registry = new Registry();

beforeAll(async () => {
  redis = createRedis(inject('redisUrl'), log, 'cart-pricing-stamp-test');
  await waitFor('redis connected', () => redis.status === 'ready');
  const cache = createCartCache({
    redis,
    log,
    registry,
    keyPrefix: `cart:stamp-test:${randomUUID().slice(0, 8)}:`,
    isFresh: (view) => view.pricedWith === stamp.current(),
  });
  h = await startCartHarness({ cache });
  // A short interval: an admin change reaches cached carts within 50 ms instead of a second.
  stamp = startPricingStamp(h.orm.em, log, 50);
  h.deps.policy.pricingStamp = stamp.current;
  await waitFor('the first stamp', () => stamp.current() !== 'starting');
});
afterAll(async () => {
  await stamp?.close();
  await h?.close();
  redis?.disconnect();
});

const CART = `query ($id: ID!) { cart(id: $id) {
  cost { subtotalAmount { amount } discountAmount { amount } shippingAmount { amount } taxAmount { amount } }
  discountAllocations { title code amount { amount } }
  lines(first: 10) { edges { node { discountAllocations { title code amount { amount } } } } } } }`;
const PROMOTION_FIELDS = `promotion { id } userErrors { field code message }`;
const CREATE = `mutation ($input: PromotionInput!) { promotionCreate(input: $input) { ${PROMOTION_FIELDS} } }`;
const UPDATE = `mutation ($id: ID!, $input: PromotionInput!) { promotionUpdate(id: $id, input: $input) { ${PROMOTION_FIELDS} } }`;
const ARCHIVE = `mutation ($id: ID!) { promotionArchive(id: $id) { ${PROMOTION_FIELDS} } }`;

async function counter(name: string): Promise<number> {
  return (await registry.getSingleMetric(name)?.get())?.values[0]?.value ?? 0;
}

interface Read {
  discount: string;
  shipping: string;
  tax: string;
  lineAllocations: Array<{ title: string; code: string | null; amount: { amount: string } }>;
  /** Served by Redis (the hit counter moved), not priced from Postgres. */
  fromCache: boolean;
}

/** One cart read through GraphQL, and whether the cache answered it. Reads run one at a time. */
async function read(id: string): Promise<Read> {
  const [hits, misses] = [await counter('cart_cache_hits_total'), await counter('cart_cache_misses_total')];
  const res = await h.run(CART, GUEST, { id });
  expect(res.errors).toBeUndefined();
  const [hit, missed] = [(await counter('cart_cache_hits_total')) - hits, (await counter('cart_cache_misses_total')) - misses];
  expect(hit + missed).toBe(1);
  const cart = res.data.cart;
  const { discountAmount, shippingAmount, taxAmount } = cart.cost;
  return {
    discount: discountAmount.amount,
    shipping: shippingAmount.amount,
    tax: taxAmount.amount,
    lineAllocations: cart.lines.edges[0].node.discountAllocations,
    fromCache: hit === 1,
  };
}

/**
 * Reads until the cart's `amount` (discount, shipping or tax) is `after`. Every read before it
 * still shows `before` and comes from the cache (the stamp had not moved yet: stale by design, for
 * at most an interval); the first read that shows it was priced afresh (the stamp moved, the copy
 * was a miss); the next is a hit again.
 */
async function readUntil(id: string, amount: 'discount' | 'shipping' | 'tax', before: string, after: string): Promise<Read> {
  const stale: Read[] = [];
  const fresh = await waitFor(`the cart to show a ${amount} of ${after}`, async () => {
    const r = await read(id);
    if (r[amount] === after) return r;
    stale.push(r);
    return null;
  });
  for (const r of stale) expect(r).toMatchObject({ [amount]: before, fromCache: true });
  expect(fresh.fromCache).toBe(false);
  const again = await read(id);
  expect(again).toEqual({ ...fresh, fromCache: true });
  return fresh;
}

async function cartWith(productId: string): Promise<string> {
  h.catalog.set(productId, product(productId, { priceAmount: 2500, name: 'Mug' }));
  const res = await h.run(`mutation ($l: [CartLineInput!]) { cartCreate(input: { lines: $l }) { cart { id } } }`, GUEST, {
    l: [{ merchandiseId: productId }],
  });
  return res.data.cartCreate.cart.id;
}

/** An admin mutation that must succeed (no errors, no userErrors): its payload. */
async function adminChange<P>(query: string, variables: Record<string, unknown> = {}): Promise<P> {
  const res = await h.run(query, ADMIN, variables);
  expect(res.errors).toBeUndefined();
  const payload = Object.values(res.data as Record<string, P & { userErrors: unknown[] }>)[0]!;
  expect(payload.userErrors).toEqual([]);
  return payload;
}

/** A promotion admin mutation: the promotion's id. */
const admin = async (query: string, variables: Record<string, unknown>) =>
  (await adminChange<{ promotion: { id: string } | null }>(query, variables)).promotion!.id;

/** An automatic promotion on one product: a percentage off its lines. */
const linePercentage = (productId: string, percentage: string, extra: Record<string, unknown> = {}) => ({
  title: 'Mug week',
  conditions: { targetProductIds: [productId] },
  action: { kind: 'LINE_PERCENTAGE', percentage },
  ...extra,
});

describe('the pricing stamp expires cached cart copies', () => {
  it('a promotion created, updated and archived reaches a cached cart once the stamp moves', async () => {
    const mug = randomUUID();
    const id = await cartWith(mug);
    // Cached when it was made: the read is a hit, priced without any promotion.
    expect(await read(id)).toMatchObject({ discount: '0.00', lineAllocations: [], fromCache: true });

    const promotionId = await admin(CREATE, { input: linePercentage(mug, '20') });
    const created = await readUntil(id, 'discount', '0.00', '5.00');
    expect(created.lineAllocations).toEqual([{ title: 'Mug week', code: null, amount: { amount: '5.00' } }]);

    await admin(UPDATE, { id: promotionId, input: linePercentage(mug, '40', { title: 'Mug fortnight' }) });
    const updated = await readUntil(id, 'discount', '5.00', '10.00');
    expect(updated.lineAllocations).toEqual([{ title: 'Mug fortnight', code: null, amount: { amount: '10.00' } }]);

    await admin(ARCHIVE, { id: promotionId });
    const archived = await readUntil(id, 'discount', '10.00', '0.00');
    expect(archived.lineAllocations).toEqual([]);
  });

  it('a promotion whose window opens reaches a cached cart with no admin change at that moment', async () => {
    const mug = randomUUID();
    const id = await cartWith(mug);
    const before = stamp.current();
    // Starts a little later: created now, the stamp moves (one more promotion) but prices do not.
    await admin(CREATE, { input: linePercentage(mug, '20', { startsAt: new Date(Date.now() + 2000).toISOString() }) });
    await waitFor('the stamp to count the new promotion', () => stamp.current() !== before);
    expect(await read(id)).toMatchObject({ discount: '0.00', fromCache: false });
    expect(await read(id)).toMatchObject({ discount: '0.00', fromCache: true });
    // Its start passing moves the stamp by itself: the copy priced before it is replaced.
    await readUntil(id, 'discount', '0.00', '5.00');
  });

  it('a cart mutation’s fresh copy carries the current stamp: the next read is a hit', async () => {
    const mug = randomUUID();
    const id = await cartWith(mug);
    const promotionId = await admin(CREATE, { input: linePercentage(mug, '20') });
    await readUntil(id, 'discount', '0.00', '5.00');
    const res = await h.run(`mutation ($id: ID!) { cartNoteUpdate(cartId: $id, note: "For Ada") { userErrors { code } } }`, GUEST, { id });
    expect(res.data.cartNoteUpdate.userErrors).toEqual([]);
    expect(await read(id)).toMatchObject({ discount: '5.00', fromCache: true });
    await admin(ARCHIVE, { id: promotionId });
    await readUntil(id, 'discount', '5.00', '0.00');
  });

  it('a tax rate and a delivery method an admin changes reach a cached cart once the stamp moves', async () => {
    const id = await cartWith(randomUUID());
    // No address: priced for the store's default country (US: 7.25 % on 25.00, Standard 4.99).
    expect(await read(id)).toMatchObject({ tax: '1.81', shipping: '4.99', fromCache: true });

    await adminChange(`mutation { taxRateUpsert(input: { countryCode: "US", rate: "10" }) { userErrors { code } } }`);
    await readUntil(id, 'tax', '1.81', '2.50');

    await adminChange(
      `mutation { deliveryMethodUpsert(input: { zoneHandle: "us", handle: "standard", title: "Standard", price: "3.99", freeOver: "50.00" }) {
         userErrors { code } } }`,
    );
    const repriced = await readUntil(id, 'shipping', '4.99', '3.99');
    expect(repriced.tax).toBe('2.50');
  });
});
