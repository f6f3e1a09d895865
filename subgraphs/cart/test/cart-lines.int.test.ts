import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUEST } from '@shop/platform';
import { ADMIN, CART_FIELDS, customer, product, startCartHarness, type CartHarness } from './cart-harness.ts';

let h: CartHarness;
const [A, B, C, SCARCE, GONE] = Array.from({ length: 5 }, () => randomUUID());

beforeAll(async () => {
  h = await startCartHarness();
  h.catalog.set(A!, product(A!, { priceAmount: 1999 }));
  h.catalog.set(B!, product(B!, { priceAmount: 500 }));
  h.catalog.set(C!, product(C!, { priceAmount: 33 }));
  h.catalog.set(SCARCE!, product(SCARCE!, { availableQuantity: 3 }));
  h.catalog.set(GONE!, product(GONE!, { available: false, availableQuantity: 0 }));
});
afterAll(async () => h?.close());

const CREATE = `mutation ($input: CartCreateInput) { cartCreate(input: $input) { cart { ${CART_FIELDS} } userErrors { field code message } warnings { code target } } }`;
const ADD = `mutation ($id: ID!, $lines: [CartLineInput!]!, $v: Int) { cartLinesAdd(cartId: $id, lines: $lines, expectedVersion: $v) { cart { ${CART_FIELDS} } userErrors { field code message } warnings { code target } } }`;

async function newGuestCart(): Promise<string> {
  const res = await h.run(CREATE, GUEST);
  return res.data.cartCreate.cart.id;
}

describe('adding lines', () => {
  it('prices lines from the catalog with one lookup per request', async () => {
    h.lookups.length = 0;
    const res = await h.run(CREATE, GUEST, { input: { lines: [{ productId: A, quantity: 2 }, { productId: B }, { productId: A, quantity: 1 }] } });
    expect(res.errors).toBeUndefined();
    const cart = res.data.cartCreate.cart;
    expect(cart.id.length).toBeGreaterThanOrEqual(22); // ≥ 128 random bits, base64url
    expect(cart.totalQuantity).toBe(4);
    expect(cart.cost.subtotalAmount.amount).toBe('64.97');
    expect(h.lookups).toHaveLength(1);
    expect(new Set(h.lookups[0])).toEqual(new Set([A, B]));
  });

  it('creates a guest cart with its lines in one change (version 2), and still makes the empty cart when a line is refused', async () => {
    const made = await h.run(CREATE, GUEST, { input: { lines: [{ productId: A, quantity: 1 }] } });
    expect(made.data.cartCreate).toMatchObject({ userErrors: [], cart: { version: 2, totalQuantity: 1 } });
    const refused = await h.run(CREATE, GUEST, {
      input: {
        lines: [
          { productId: A, quantity: 1 },
          { productId: randomUUID(), quantity: 1 },
        ],
      },
    });
    expect(refused.data.cartCreate.userErrors.map((e: { code: string }) => e.code)).toEqual(['UNKNOWN_PRODUCT']);
    const empty = refused.data.cartCreate.cart;
    expect(empty).toMatchObject({ version: 1, totalQuantity: 0 });
    // The empty cart is real: readable by its id and open to lines.
    const added = await h.run(ADD, GUEST, { id: empty.id, lines: [{ productId: A, quantity: 1 }] });
    expect(added.data.cartLinesAdd).toMatchObject({ userErrors: [], cart: { id: empty.id, version: 2, totalQuantity: 1 } });
  });

  it('refuses unknown products, products no longer sold and bad quantities, all in one answer, without changing anything', async () => {
    const id = await newGuestCart();
    const res = await h.run(ADD, GUEST, {
      id,
      lines: [
        { productId: randomUUID(), quantity: 1 },
        { productId: A, quantity: 1000 },
        { productId: GONE, quantity: 1 },
        { productId: 'not-an-id', quantity: 0 },
      ],
    });
    expect(res.data.cartLinesAdd.userErrors.map((e: { code: string; field: string[] }) => [e.code, e.field.join('.')])).toEqual([
      ['UNKNOWN_PRODUCT', 'lines.0.productId'],
      ['INVALID_QUANTITY', 'lines.1.quantity'],
      ['NO_LONGER_SOLD', 'lines.2.productId'],
      ['INVALID_QUANTITY', 'lines.3.quantity'],
      ['UNKNOWN_PRODUCT', 'lines.3.productId'],
    ]);
    const again = await h.run(ADD, GUEST, {
      id,
      lines: [
        { productId: randomUUID(), quantity: 1 },
        { productId: GONE, quantity: 1 },
      ],
    });
    expect(again.data.cartLinesAdd.userErrors.map((e: { code: string; field: string[]; message: string }) => [e.code, e.field, e.message])).toEqual([
      ['UNKNOWN_PRODUCT', ['lines', '0', 'productId'], 'This product does not exist'],
      ['NO_LONGER_SOLD', ['lines', '1', 'productId'], `Product ${GONE!.slice(0, 6)} is no longer sold`],
    ]);
    expect(again.data.cartLinesAdd.cart).toMatchObject({ version: 1, totalQuantity: 0 });
  });

  it('clamps to what is available and says so', async () => {
    const id = await newGuestCart();
    const res = await h.run(ADD, GUEST, { id, lines: [{ productId: SCARCE, quantity: 5 }] });
    expect(res.data.cartLinesAdd.userErrors).toEqual([]);
    expect(res.data.cartLinesAdd.warnings).toEqual([{ code: 'QUANTITY_CLAMPED', target: SCARCE }]);
    expect(res.data.cartLinesAdd.cart.totalQuantity).toBe(3);
    const message = await h.run(
      `mutation ($id: ID!, $lines: [CartLineInput!]!) { cartLinesAdd(cartId: $id, lines: $lines) { warnings { message } } }`,
      GUEST,
      {
        id,
        lines: [{ productId: SCARCE, quantity: 1 }],
      },
    );
    expect(message.data.cartLinesAdd.warnings).toEqual([
      { message: `Only 3 of Product ${SCARCE!.slice(0, 6)} are available; the quantity was reduced to 3` },
    ]);
  });

  it('loses no update under concurrency: 50 parallel adds of one unit give 50, version + 50', async () => {
    const id = await newGuestCart();
    const results = await Promise.all(Array.from({ length: 50 }, () => h.run(ADD, GUEST, { id, lines: [{ productId: B, quantity: 1 }] })));
    expect(results.every((r) => !r.errors && r.data.cartLinesAdd.userErrors.length === 0)).toBe(true);
    const final = await h.run(`query ($id: ID!) { cart(id: $id) { version totalQuantity } }`, GUEST, { id });
    expect(final.data.cart).toEqual({ version: 51, totalQuantity: 50 });
  });

  it('refuses a stale expectedVersion with CONFLICT and the current cart', async () => {
    const id = await newGuestCart();
    await h.run(ADD, GUEST, { id, lines: [{ productId: A, quantity: 1 }] });
    const res = await h.run(ADD, GUEST, { id, v: 1, lines: [{ productId: A, quantity: 1 }] });
    expect(res.data.cartLinesAdd.userErrors).toEqual([expect.objectContaining({ code: 'CONFLICT', field: ['expectedVersion'] })]);
    expect(res.data.cartLinesAdd.cart).toMatchObject({ version: 2, totalQuantity: 1 });
    const ok = await h.run(ADD, GUEST, { id, v: 2, lines: [{ productId: A, quantity: 1 }] });
    expect(ok.data.cartLinesAdd.cart).toMatchObject({ version: 3, totalQuantity: 2 });
  });

  it("renews the idle expiry by the owner's TTL on every change; a refused change leaves version and expiry as they were", async () => {
    const row = async (id: string) =>
      (
        await h.orm.em
          .fork()
          .execute<Array<{ version: number; expiresAt: Date }>>('select version, expires_at as "expiresAt" from cart where id = ?', [id])
      )[0]!;
    const hoursLeft = (at: Date) => (new Date(at).getTime() - Date.now()) / 3_600_000;
    const guestCart = await newGuestCart();
    const customerCart = (await h.run(CREATE, customer(`ttl-${randomUUID()}`))).data.cartCreate.cart.id;
    await h.orm.em.fork().execute(`update cart set expires_at = now() + interval '1 hour' where id in (?, ?)`, [guestCart, customerCart]);

    await h.run(ADD, GUEST, { id: guestCart, lines: [{ productId: A, quantity: 1 }] });
    const guest = await row(guestCart);
    expect(guest.version).toBe(2);
    expect(hoursLeft(guest.expiresAt)).toBeGreaterThan(719); // guestTtlHours 720
    expect(hoursLeft(guest.expiresAt)).toBeLessThanOrEqual(720);

    const alice = (await h.orm.em.fork().execute<Array<{ sub: string }>>('select customer_id as sub from cart where id = ?', [customerCart]))[0]!.sub;
    await h.run(ADD, customer(alice), { id: customerCart, lines: [{ productId: A, quantity: 1 }] });
    expect(hoursLeft((await row(customerCart)).expiresAt)).toBeGreaterThan(2159); // customerTtlHours 2160

    await h.orm.em.fork().execute(`update cart set expires_at = now() + interval '1 hour' where id in (?, ?)`, [guestCart, customerCart]);
    const refused = await h.run(ADD, GUEST, { id: guestCart, v: 1, lines: [{ productId: A, quantity: 1 }] });
    expect(refused.data.cartLinesAdd.userErrors).toEqual([expect.objectContaining({ code: 'CONFLICT' })]);
    const forbidden = await h.run(ADD, customer('mallory'), { id: customerCart, lines: [{ productId: A, quantity: 1 }] });
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    for (const id of [guestCart, customerCart]) {
      const after = await row(id);
      expect(after.version).toBe(2);
      expect(hoursLeft(after.expiresAt)).toBeLessThan(1.01);
    }
  });

  it('publishes a cart-changed message for every committed change', async () => {
    const id = await newGuestCart();
    await h.run(ADD, GUEST, { id, lines: [{ productId: A, quantity: 1 }] });
    expect(h.changes.filter((c) => c.cartId === id).map((c) => c.version)).toEqual([1, 2]);
  });
});

describe('limits', () => {
  it('refuses a 251st line with TOO_MANY_LINES and keeps the 250', async () => {
    const ids = Array.from({ length: 251 }, () => randomUUID());
    for (const pid of ids) h.catalog.set(pid, product(pid));
    const id = await newGuestCart();
    const full = await h.run(ADD, GUEST, { id, lines: ids.slice(0, 250).map((productId) => ({ productId, quantity: 1 })) });
    expect(full.data.cartLinesAdd.userErrors).toEqual([]);
    const over = await h.run(ADD, GUEST, { id, lines: [{ productId: ids[250], quantity: 1 }] });
    expect(over.data.cartLinesAdd.userErrors).toEqual([expect.objectContaining({ code: 'TOO_MANY_LINES' })]);
    expect(over.data.cartLinesAdd.cart.lines.totalCount).toBe(250);
  });
});

describe('updating and removing lines', () => {
  it('sets quantities, removes at 0, and refuses unknown lines', async () => {
    const created = await h.run(CREATE, GUEST, {
      input: {
        lines: [
          { productId: A, quantity: 1 },
          { productId: B, quantity: 1 },
        ],
      },
    });
    const cart = created.data.cartCreate.cart;
    const [lineA, lineB] = cart.lines.edges.map((e: { node: { id: string } }) => e.node.id);
    const UPDATE = `mutation ($id: ID!, $lines: [CartLineUpdateInput!]!) { cartLinesUpdate(cartId: $id, lines: $lines) { cart { totalQuantity lines { totalCount } } userErrors { code field } } }`;
    const res = await h.run(UPDATE, GUEST, {
      id: cart.id,
      lines: [
        { id: lineA, quantity: 4 },
        { id: lineB, quantity: 0 },
      ],
    });
    expect(res.data.cartLinesUpdate).toEqual({ cart: { totalQuantity: 4, lines: { totalCount: 1 } }, userErrors: [] });
    const unknown = await h.run(UPDATE, GUEST, { id: cart.id, lines: [{ id: randomUUID(), quantity: 1 }] });
    expect(unknown.data.cartLinesUpdate.userErrors).toEqual([{ code: 'NOT_FOUND', field: ['lines', '0', 'id'] }]);
    const removed = await h.run(
      `mutation ($id: ID!, $ids: [ID!]!) { cartLinesRemove(cartId: $id, lineIds: $ids) { cart { totalQuantity } userErrors { code } } }`,
      GUEST,
      {
        id: cart.id,
        ids: [lineA],
      },
    );
    expect(removed.data.cartLinesRemove).toEqual({ cart: { totalQuantity: 0 }, userErrors: [] });
  });
});

describe('empty lists', () => {
  it('change nothing: no version bump, no cart-changed message, the cart as it is', async () => {
    const created = await h.run(CREATE, GUEST, { input: { lines: [{ productId: A, quantity: 2 }] } });
    const cart = created.data.cartCreate.cart;
    const lineId = cart.lines.edges[0].node.id;
    h.changes.length = 0;
    h.lookups.length = 0;
    const EMPTY = `mutation ($id: ID!) {
      add: cartLinesAdd(cartId: $id, lines: []) { cart { version totalQuantity } userErrors { code } warnings { code } }
      update: cartLinesUpdate(cartId: $id, lines: []) { cart { version totalQuantity } userErrors { code } warnings { code } }
      remove: cartLinesRemove(cartId: $id, lineIds: []) { cart { version totalQuantity } userErrors { code } warnings { code } }
    }`;
    const res = await h.run(EMPTY, GUEST, { id: cart.id });
    expect(res.errors).toBeUndefined();
    const same = { cart: { version: 2, totalQuantity: 2 }, userErrors: [], warnings: [] };
    expect(res.data).toEqual({ add: same, update: same, remove: same });
    expect(h.changes.filter((c) => c.cartId === cart.id)).toEqual([]);
    expect(h.lookups).toEqual([]);
    const [row] = await h.orm.em.fork().execute<Array<{ version: number }>>('select version from cart where id = ?', [cart.id]);
    expect(row!.version).toBe(2);
    // Still someone else's cart for someone else, and a real change still counts.
    const alice = customer(`alice-${randomUUID()}`);
    const hers = (await h.run(CREATE, alice)).data.cartCreate.cart.id;
    const foreign = await h.run(`mutation ($id: ID!) { cartLinesAdd(cartId: $id, lines: []) { cart { id } } }`, customer('bob'), { id: hers });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const real = await h.run(
      `mutation ($id: ID!, $ids: [ID!]!) { cartLinesRemove(cartId: $id, lineIds: $ids) { cart { version totalQuantity } } }`,
      GUEST,
      { id: cart.id, ids: [lineId] },
    );
    expect(real.data.cartLinesRemove.cart).toEqual({ version: 3, totalQuantity: 0 });
  });
});

describe('ids that are not UUIDs', () => {
  it('are answered like unknown ones (null, NOT_FOUND, UNKNOWN_PRODUCT, FORBIDDEN), never with a database error', async () => {
    const created = await h.run(CREATE, GUEST, { input: { lines: [{ productId: A, quantity: 1 }] } });
    const cartId = created.data.cartCreate.cart.id;
    for (const bad of ['-'.repeat(36), 'abc', `${randomUUID()}0`, 'x'.repeat(200)]) {
      const checkout = await h.run(`query ($id: ID!) { checkout(id: $id) { id } }`, ADMIN, { id: bad });
      expect(checkout.errors, bad).toBeUndefined();
      expect(checkout.data.checkout).toBeNull();
      const cart = await h.run(`query ($id: ID!) { cart(id: $id) { id } }`, GUEST, { id: bad });
      expect(cart.errors, bad).toBeUndefined();
      expect(cart.data.cart).toBeNull();
      const add = await h.run(ADD, GUEST, { id: cartId, lines: [{ productId: bad, quantity: 1 }] });
      expect(add.data.cartLinesAdd.userErrors, bad).toEqual([
        expect.objectContaining({ code: 'UNKNOWN_PRODUCT', field: ['lines', '0', 'productId'] }),
      ]);
      const update = await h.run(
        `mutation ($id: ID!, $lines: [CartLineUpdateInput!]!) { cartLinesUpdate(cartId: $id, lines: $lines) { userErrors { code field } } }`,
        GUEST,
        { id: cartId, lines: [{ id: bad, quantity: 1 }] },
      );
      expect(update.data.cartLinesUpdate.userErrors, bad).toEqual([{ code: 'NOT_FOUND', field: ['lines', '0', 'id'] }]);
      const remove = await h.run(
        `mutation ($id: ID!, $ids: [ID!]!) { cartLinesRemove(cartId: $id, lineIds: $ids) { userErrors { code field } } }`,
        GUEST,
        { id: cartId, ids: [bad] },
      );
      expect(remove.data.cartLinesRemove.userErrors, bad).toEqual([{ code: 'NOT_FOUND', field: ['lineIds', '0'] }]);
      const foreign = await h.run(ADD, GUEST, { id: bad, lines: [{ productId: A, quantity: 1 }] });
      expect(foreign.errors?.[0]?.extensions?.code, bad).toBe('FORBIDDEN');
    }
    const after = await h.run(`query ($id: ID!) { cart(id: $id) { version totalQuantity } }`, GUEST, { id: cartId });
    expect(after.data.cart).toEqual({ version: 2, totalQuantity: 1 });
  });
});

describe('ownership', () => {
  it("keeps a customer's cart to that customer (and admins), with no hint to others", async () => {
    const alice = customer(`alice-${randomUUID()}`);
    const created = await h.run(CREATE, alice);
    const id = created.data.cartCreate.cart.id;
    const bobsRead = await h.run(`query ($id: ID!) { cart(id: $id) { id } }`, customer('bob'), { id });
    expect(bobsRead.data.cart).toBeNull();
    const bobsWrite = await h.run(ADD, customer('bob'), { id, lines: [{ productId: A, quantity: 1 }] });
    expect(bobsWrite.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const missing = await h.run(ADD, customer('bob'), { id: 'no-such-cart', lines: [{ productId: A, quantity: 1 }] });
    expect(missing.errors?.[0]?.message).toBe(bobsWrite.errors?.[0]?.message);
    expect((await h.run(`query ($id: ID!) { cart(id: $id) { id } }`, ADMIN, { id })).data.cart).toEqual({ id });
    const me = await h.run('{ me { cart { id } } }', alice);
    expect(me.data.me.cart.id).toBe(id);
  });

  it('lets anyone holding a guest cart id use it', async () => {
    const id = await newGuestCart();
    const res = await h.run(ADD, customer('anyone'), { id, lines: [{ productId: A, quantity: 1 }] });
    expect(res.data.cartLinesAdd.userErrors).toEqual([]);
  });
});
