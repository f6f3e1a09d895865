import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectNats,
  createProductLookupClient,
  ensureStreams,
  GUEST,
  ServiceUnavailableError,
  startOutboxRelay,
  STREAMS,
  type NatsConnection,
  type ProductLookupItem,
} from '@shop/platform';
import { getFreePort, startNats, type RunningNats } from '@shop/platform/stack';
import { applyProductChange } from '../src/domain/cart-fate.ts';
import { waitFor } from '../../../test/support/wait.ts';
import { CART_FIELDS, customer, log, product, startCartHarness, type CartHarness } from './cart-harness.ts';

/**
 * The cart with its catalog out of reach: a NATS server of its own carries the product lookups to a
 * stand-in catalog, and is stopped for real in the middle. Reads and edits of what the cart holds
 * go on from the lines' snapshot; a new product and an unconfirmed checkout are SERVICE_UNAVAILABLE.
 */
let h: CartHarness;
let nats: RunningNats;
let nc: NatsConnection;
const dir = mkdtempSync(join(tmpdir(), 'cart-no-catalog-'));
const subject = 'catalog.products.lookup';
const catalog = new Map<string, ProductLookupItem>();
const [A, B, NEW] = [randomUUID(), randomUUID(), randomUUID()];
const OWNER = customer(`shopper-${randomUUID()}`);

const startOwnNats = (port: number) => startNats({ dataDir: join(dir, 'nats'), port, logFile: join(dir, 'nats.log') });

const lookupFails = (lookup: (ids: string[]) => Promise<unknown>) =>
  lookup([A]).then(
    () => false,
    (error) => error instanceof ServiceUnavailableError,
  );

beforeAll(async () => {
  nats = await startOwnNats(await getFreePort());
  nc = await connectNats(nats.url, 'cart-no-catalog-test', log);
  nc.subscribe(subject, {
    callback: (_error, msg) => {
      const { ids } = msg.json<{ ids: string[] }>();
      msg.respond(JSON.stringify({ products: ids.flatMap((id) => (catalog.has(id) ? [catalog.get(id)] : [])) }));
    },
  });
  catalog.set(A, product(A, { priceAmount: 1250, name: 'Teapot' }));
  catalog.set(B, product(B, { priceAmount: 400, name: 'Tea' }));
  catalog.set(NEW, product(NEW, { priceAmount: 999, name: 'Cup' }));
  h = await startCartHarness({ lookupProducts: createProductLookupClient(nc, { subject, timeoutMs: 1000 }) });
});
afterAll(async () => {
  await h?.close();
  await nc?.close();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const CREATE = `mutation ($lines: [CartLineInput!]) { cartCreate(input: { lines: $lines }) { cart { id version } userErrors { code } } }`;
const CART = `query ($id: ID!) { cart(id: $id) { ${CART_FIELDS} } }`;
const CHECKOUT = `mutation ($id: ID!, $key: String!) {
  cartCheckout(cartId: $id, input: { email: "ada@example.com", paymentToken: "tok_visa", idempotencyKey: $key,
    shippingAddress: { name: "Ada", line1: "1 Way", city: "London", postalCode: "N1", countryCode: "US" } }) { checkout { id status } userErrors { code field } }
}`;
const lineIds = (cart: { lines: { edges: Array<{ node: { id: string } }> } }) => cart.lines.edges.map((e) => e.node.id);
const version = async (id: string) =>
  (await h.orm.em.fork().execute<Array<{ version: number }>>('select version from cart where id = ?', [id]))[0]!.version;
const checkoutRows = async (cartId: string) =>
  h.orm.em
    .fork()
    .execute<
      Array<{ id: string; published_at: Date | null; payload: { data: { lines: Array<{ unitPriceAmount: number }>; totals: { total: number } } } }>
    >(
      `select o.id, o.published_at, o.payload from outbox_event o join checkout c on c.id = o.id where o.subject = 'checkout.requested' and c.cart_id = ?`,
      [cartId],
    );

describe('the cart while the catalog cannot be reached (NATS stopped)', () => {
  let guestCart: string;
  let ownerCart: string;
  let staleCart: string;
  let repricedCart: string;
  let mergedCart: string;

  it('has carts priced by the catalog while NATS is up', async () => {
    const lines = [
      { productId: A, quantity: 2 },
      { productId: B, quantity: 1 },
    ];
    guestCart = (await h.run(CREATE, GUEST, { lines })).data.cartCreate.cart.id;
    ownerCart = (await h.run(CREATE, OWNER, { lines })).data.cartCreate.cart.id;
    staleCart = (await h.run(CREATE, GUEST, { lines })).data.cartCreate.cart.id;
    repricedCart = (await h.run(CREATE, GUEST, { lines })).data.cartCreate.cart.id;
    mergedCart = (await h.run(CREATE, GUEST, { lines: [{ productId: B, quantity: 5 }] })).data.cartCreate.cart.id;
    // Confirmed by the catalog longer ago than CART_SNAPSHOT_MAX_AGE_SECONDS (900 here).
    await h.orm.em.fork().execute(`update cart_line set priced_at = now() - interval '16 minutes' where cart_id = ?`, [staleCart]);
    const lookup = createProductLookupClient(nc, { subject, timeoutMs: 1000 });
    expect(await lookupFails(lookup)).toBe(false);

    await nats.stop();
    await waitFor('the lookup reports the catalog unreachable', () => lookupFails(lookup), { timeoutMs: 20_000 });
  });

  it('answers reads from the cart itself', async () => {
    const res = await h.run(CART, GUEST, { id: guestCart });
    expect(res.errors).toBeUndefined();
    expect(res.data.cart).toMatchObject({ status: 'ACTIVE', version: 2, totalQuantity: 3, cost: { subtotalAmount: { amount: '29.00' } } });
    const me = await h.run('{ me { cart { id totalQuantity } } }', OWNER);
    expect(me.errors).toBeUndefined();
    expect(me.data.me.cart).toEqual({ id: ownerCart, totalQuantity: 3 });
  });

  it('edits what the cart holds from its snapshot: quantities, more of a product it has, removals, codes, buyer', async () => {
    const cart = (await h.run(CART, GUEST, { id: guestCart })).data.cart;
    const [lineA, lineB] = lineIds(cart);
    const update = await h.run(
      `mutation ($id: ID!, $lines: [CartLineUpdateInput!]!) { cartLinesUpdate(cartId: $id, lines: $lines) { cart { totalQuantity } userErrors { code } } }`,
      GUEST,
      {
        id: guestCart,
        lines: [{ id: lineA, quantity: 3 }],
      },
    );
    expect(update.errors).toBeUndefined();
    expect(update.data.cartLinesUpdate).toEqual({ cart: { totalQuantity: 4 }, userErrors: [] });
    const more = await h.run(
      `mutation ($id: ID!) { cartLinesAdd(cartId: $id, lines: [{ productId: "${B}", quantity: 2 }]) { cart { totalQuantity } userErrors { code } } }`,
      GUEST,
      { id: guestCart },
    );
    expect(more.errors).toBeUndefined();
    expect(more.data.cartLinesAdd).toEqual({ cart: { totalQuantity: 6 }, userErrors: [] });
    const codes = await h.run(
      `mutation ($id: ID!) { cartDiscountCodesUpdate(cartId: $id, discountCodes: ["WELCOME10"]) { userErrors { code } } }`,
      GUEST,
      { id: guestCart },
    );
    expect(codes.data.cartDiscountCodesUpdate.userErrors).toEqual([]);
    const buyer = await h.run(
      `mutation ($id: ID!) { cartBuyerIdentityUpdate(cartId: $id, buyerIdentity: { countryCode: "US" }) { userErrors { code } } }`,
      GUEST,
      { id: guestCart },
    );
    expect(buyer.data.cartBuyerIdentityUpdate.userErrors).toEqual([]);
    const removed = await h.run(
      `mutation ($id: ID!, $ids: [ID!]!) { cartLinesRemove(cartId: $id, lineIds: $ids) { cart { totalQuantity } userErrors { code } } }`,
      GUEST,
      { id: guestCart, ids: [lineB] },
    );
    expect(removed.data.cartLinesRemove).toEqual({ cart: { totalQuantity: 3 }, userErrors: [] });
    const after = (await h.run(CART, GUEST, { id: guestCart })).data.cart;
    // Prices stay what the catalog last said: 3 × 12.50, 10 % off.
    expect(after).toMatchObject({ version: 7, cost: { subtotalAmount: { amount: '37.50' }, discountAmount: { amount: '3.75' } } });
    // After login, a guest cart folds into the customer's from its snapshot too.
    const merged = await h.run(
      `mutation ($id: ID!) { cartMerge(guestCartId: $id) { cart { totalQuantity cost { subtotalAmount { amount } } } userErrors { code } } }`,
      customer(`late-${randomUUID()}`),
      {
        id: mergedCart,
      },
    );
    expect(merged.errors).toBeUndefined();
    expect(merged.data.cartMerge).toEqual({ cart: { totalQuantity: 5, cost: { subtotalAmount: { amount: '20.00' } } }, userErrors: [] });
  });

  it('refuses to add a product the cart does not hold with SERVICE_UNAVAILABLE and a retryAfter, changing nothing', async () => {
    const before = await version(guestCart);
    const res = await h.run(
      `mutation ($id: ID!) { cartLinesAdd(cartId: $id, lines: [{ productId: "${NEW}" }, { productId: "${A}" }]) { cart { id } } }`,
      GUEST,
      { id: guestCart },
    );
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryAfter: expect.any(Number) });
    expect(await version(guestCart)).toBe(before);
  });

  it('makes no cart for a cartCreate with lines it cannot price (no empty orphan)', async () => {
    const count = async () => (await h.orm.em.fork().execute<Array<{ n: number }>>('select count(*)::int as n from cart'))[0]!.n;
    const before = await count();
    const res = await h.run(CREATE, GUEST, { lines: [{ productId: NEW, quantity: 1 }] });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryAfter: expect.any(Number) });
    expect(await count()).toBe(before);
  });

  it('checks out from a snapshot the catalog confirmed recently; the outbox holds the event', async () => {
    const res = await h.run(CHECKOUT, OWNER, { id: ownerCart, key: 'no-catalog-checkout-1' });
    expect(res.errors).toBeUndefined();
    expect(res.data.cartCheckout).toEqual({ checkout: { id: expect.any(String), status: 'PENDING' }, userErrors: [] });
    const [event] = await checkoutRows(ownerCart);
    expect(event!.published_at).toBeNull();
    // The prices the shopper was shown: 2 × 12.50 + 4.00.
    expect(event!.payload.data.lines.map((l) => l.unitPriceAmount)).toEqual([1250, 400]);
    expect((await h.run(CART, OWNER, { id: ownerCart })).data.cart.status).toBe('CHECKING_OUT');
  });

  it('refuses a checkout with SERVICE_UNAVAILABLE when a line was not confirmed recently, or its price changed since', async () => {
    const stale = await h.run(CHECKOUT, GUEST, { id: staleCart, key: 'no-catalog-stale-1' });
    expect(stale.errors?.[0]?.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryAfter: expect.any(Number) });
    // The catalog changed the teapot's price (its product.changed event arrived before the outage).
    await h.orm.em.fork().transactional((tx) => applyProductChange(tx, { variantId: A, available: true, priceAmount: 1400 }));
    const repriced = await h.run(CHECKOUT, GUEST, { id: repricedCart, key: 'no-catalog-repriced-1' });
    expect(repriced.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    for (const id of [staleCart, repricedCart]) {
      expect((await h.run(CART, GUEST, { id })).data.cart).toMatchObject({ status: 'ACTIVE', version: 2 });
      expect(await checkoutRows(id)).toEqual([]);
    }
  });

  it('publishes the held checkout once NATS is back, and checks out against the catalog again', async () => {
    nats = await startOwnNats(nats.port);
    await waitFor(
      'the connection is back',
      () =>
        nc.flush().then(
          () => true,
          () => false,
        ),
      { timeoutMs: 20_000 },
    );
    await ensureStreams(
      nc,
      STREAMS.map((stream) => ({ ...stream })),
    );
    const relay = startOutboxRelay({ em: h.orm.em, nc, log });
    try {
      await waitFor('checkout.requested is published', async () => (await checkoutRows(ownerCart))[0]?.published_at != null, { timeoutMs: 20_000 });
    } finally {
      await relay.stop();
    }
    catalog.set(A, product(A, { priceAmount: 1400, name: 'Teapot' }));
    const online = await h.run(CHECKOUT, GUEST, { id: repricedCart, key: 'no-catalog-repriced-2' });
    expect(online.data.cartCheckout.userErrors).toEqual([expect.objectContaining({ code: 'PRICE_CHANGED' })]);
  });
});
