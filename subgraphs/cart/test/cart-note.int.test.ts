import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUEST } from '@shop/platform';
import { ADMIN, customer, product, startCartHarness, type CartHarness } from './cart-harness.ts';

let h: CartHarness;
const [MUG, TEE] = [randomUUID(), randomUUID()];

beforeAll(async () => {
  h = await startCartHarness();
  h.catalog.set(MUG, product(MUG, { priceAmount: 1200, name: 'Mug' }));
  h.catalog.set(TEE, product(TEE, { priceAmount: 2500, name: 'Tee' }));
});
afterAll(async () => h?.close());

const FIELDS = `cart { id version note attributes { key value } totalQuantity discountCodes { code } } userErrors { field code message }`;
const CREATE = `mutation ($input: CartCreateInput) { cartCreate(input: $input) { ${FIELDS} } }`;
const NOTE = `mutation ($id: ID!, $note: String!, $v: Int) { cartNoteUpdate(cartId: $id, note: $note, expectedVersion: $v) { ${FIELDS} } }`;
const ATTRIBUTES = `mutation ($id: ID!, $attributes: [AttributeInput!]!, $v: Int) {
  cartAttributesUpdate(cartId: $id, attributes: $attributes, expectedVersion: $v) { ${FIELDS} } }`;
const REMOVE_ALL = `mutation ($id: ID!, $v: Int) { cartLinesRemoveAll(cartId: $id, expectedVersion: $v) { ${FIELDS} } }`;
const READ = `query ($id: ID!) { cart(id: $id) { version note attributes { key value } totalQuantity } }`;

async function cartWithLines(identity = GUEST): Promise<{ id: string; version: number }> {
  const res = await h.run(CREATE, identity, { input: { lines: [{ merchandiseId: MUG, quantity: 2 }, { merchandiseId: TEE }] } });
  expect(res.data.cartCreate.userErrors).toEqual([]);
  return { id: res.data.cartCreate.cart.id, version: res.data.cartCreate.cart.version };
}

/** What subscribers were told about this cart (the harness records every cart-changed message). */
const publishedVersions = (cartId: string) => h.changes.filter((c) => c.cartId === cartId).map((c) => c.version);

describe('cartNoteUpdate', () => {
  it('sets a trimmed note, one version up, and tells live views; an empty note clears it', async () => {
    const { id, version } = await cartWithLines();
    const set = await h.run(NOTE, GUEST, { id, note: '  Happy birthday, Ada!\nLove, Charles  ', v: version });
    expect(set.errors).toBeUndefined();
    expect(set.data.cartNoteUpdate).toMatchObject({ userErrors: [], cart: { version: version + 1, note: 'Happy birthday, Ada!\nLove, Charles' } });
    expect(publishedVersions(id)).toContain(version + 1);
    expect((await h.run(READ, GUEST, { id })).data.cart).toMatchObject({ note: 'Happy birthday, Ada!\nLove, Charles', version: version + 1 });

    const cleared = await h.run(NOTE, GUEST, { id, note: '   ' });
    expect(cleared.data.cartNoteUpdate).toMatchObject({ userErrors: [], cart: { version: version + 2, note: null } });
  });

  it('refuses a note over 1000 characters and a stale expectedVersion, changing nothing', async () => {
    const { id, version } = await cartWithLines();
    await h.run(NOTE, GUEST, { id, note: 'Keep me' });
    const long = await h.run(NOTE, GUEST, { id, note: 'x'.repeat(1001) });
    expect(long.data.cartNoteUpdate).toMatchObject({
      cart: { version: version + 1, note: 'Keep me' },
      userErrors: [{ field: ['note'], code: 'TOO_LONG', message: 'A note has at most 1000 characters' }],
    });
    const stale = await h.run(NOTE, GUEST, { id, note: 'Too late', v: version });
    expect(stale.data.cartNoteUpdate).toMatchObject({ cart: { version: version + 1, note: 'Keep me' }, userErrors: [{ code: 'CONFLICT' }] });
    const exactly = await h.run(NOTE, GUEST, { id, note: 'y'.repeat(1000), v: version + 1 });
    expect(exactly.data.cartNoteUpdate).toMatchObject({ userErrors: [], cart: { version: version + 2 } });
    expect(exactly.data.cartNoteUpdate.cart.note).toHaveLength(1000);
  });

  it("works as CartCreateInput.note, whose problems come with the lines' problems", async () => {
    const created = await h.run(CREATE, GUEST, { input: { note: ' For Ada ', lines: [{ merchandiseId: MUG }] } });
    expect(created.data.cartCreate).toMatchObject({ userErrors: [], cart: { note: 'For Ada', totalQuantity: 1 } });
    const bad = await h.run(CREATE, GUEST, { input: { note: 'x'.repeat(1001), lines: [{ merchandiseId: MUG, quantity: 0 }] } });
    expect(bad.data.cartCreate.userErrors.map((e: { code: string; field: string[] }) => [e.code, e.field.join('.')])).toEqual([
      ['INVALID_QUANTITY', 'lines.0.quantity'],
      ['TOO_LONG', 'input.note'],
    ]);
    expect(bad.data.cartCreate.cart).toMatchObject({ note: null, totalQuantity: 0 });
  });
});

describe('cartAttributesUpdate', () => {
  it('replaces the whole set, keeping the order given; an empty list clears it', async () => {
    const { id, version } = await cartWithLines();
    const first = await h.run(ATTRIBUTES, GUEST, {
      id,
      attributes: [{ key: 'Gift wrap', value: 'yes' }, { key: ' Delivery window ', value: ' evening ' }, { key: 'Ref' }],
      v: version,
    });
    expect(first.data.cartAttributesUpdate).toMatchObject({
      userErrors: [],
      cart: {
        version: version + 1,
        attributes: [
          { key: 'Gift wrap', value: 'yes' },
          { key: 'Delivery window', value: 'evening' },
          { key: 'Ref', value: null },
        ],
      },
    });
    expect(publishedVersions(id)).toContain(version + 1);
    const replaced = await h.run(ATTRIBUTES, GUEST, { id, attributes: [{ key: 'Source', value: 'newsletter' }] });
    expect(replaced.data.cartAttributesUpdate.cart.attributes).toEqual([{ key: 'Source', value: 'newsletter' }]);
    expect((await h.run(READ, GUEST, { id })).data.cart.attributes).toEqual([{ key: 'Source', value: 'newsletter' }]);
    const cleared = await h.run(ATTRIBUTES, GUEST, { id, attributes: [] });
    expect(cleared.data.cartAttributesUpdate.cart).toMatchObject({ attributes: [], version: version + 3 });
  });

  it('reports every problem at once and changes nothing', async () => {
    const { id } = await cartWithLines();
    await h.run(ATTRIBUTES, GUEST, { id, attributes: [{ key: 'Kept', value: '1' }] });
    const before = (await h.run(READ, GUEST, { id })).data.cart;
    const attributes = [
      { key: 'Gift', value: '1' },
      { key: '', value: '2' },
      { key: 'k'.repeat(101), value: 'v'.repeat(501) },
      { key: 'Gift', value: '3' },
      ...Array.from({ length: 22 }, (_, i) => ({ key: `n${i}` })),
    ];
    const res = await h.run(ATTRIBUTES, GUEST, { id, attributes });
    expect(res.data.cartAttributesUpdate.userErrors.map((e: { code: string; field: string[] }) => [e.code, e.field.join('.')])).toEqual([
      ['TOO_LARGE', 'attributes'],
      ['REQUIRED', 'attributes.1.key'],
      ['TOO_LONG', 'attributes.2.key'],
      ['TOO_LONG', 'attributes.2.value'],
      ['INVALID', 'attributes.3.key'],
    ]);
    expect((await h.run(READ, GUEST, { id })).data.cart).toEqual(before);
    const most = Array.from({ length: 25 }, (_, i) => ({ key: `key-${i}`.padEnd(100, '.'), value: 'v'.repeat(500) }));
    const full = await h.run(ATTRIBUTES, GUEST, { id, attributes: most });
    expect(full.data.cartAttributesUpdate.userErrors).toEqual([]);
    expect(full.data.cartAttributesUpdate.cart.attributes).toHaveLength(25);
  });
});

describe('cartLinesRemoveAll', () => {
  it('empties the cart in one change; note, attributes and codes stay', async () => {
    const { id } = await cartWithLines();
    await h.run(NOTE, GUEST, { id, note: 'Gift' });
    await h.run(ATTRIBUTES, GUEST, { id, attributes: [{ key: 'Gift wrap', value: 'yes' }] });
    const codes = await h.run(
      `mutation ($id: ID!) { cartDiscountCodesUpdate(cartId: $id, discountCodes: ["WELCOME10"]) { userErrors { code } } }`,
      GUEST,
      {
        id,
      },
    );
    expect(codes.data.cartDiscountCodesUpdate.userErrors).toEqual([]);
    const { version } = (await h.run(READ, GUEST, { id })).data.cart;
    const stale = await h.run(REMOVE_ALL, GUEST, { id, v: version - 1 });
    expect(stale.data.cartLinesRemoveAll).toMatchObject({ userErrors: [{ code: 'CONFLICT' }], cart: { totalQuantity: 3, version } });
    const res = await h.run(REMOVE_ALL, GUEST, { id, v: version });
    expect(res.data.cartLinesRemoveAll).toEqual({
      userErrors: [],
      cart: {
        id,
        version: version + 1,
        note: 'Gift',
        attributes: [{ key: 'Gift wrap', value: 'yes' }],
        totalQuantity: 0,
        discountCodes: [{ code: 'WELCOME10' }],
      },
    });
    expect(publishedVersions(id)).toContain(version + 1);
    const [row] = await h.orm.em.fork().execute<Array<{ n: number }>>('select count(*)::int as n from cart_line where cart_id = ?', [id]);
    expect(row!.n).toBe(0);
    // Emptying an empty cart is still a change the client asked for.
    const again = await h.run(REMOVE_ALL, GUEST, { id });
    expect(again.data.cartLinesRemoveAll).toMatchObject({ userErrors: [], cart: { version: version + 2, totalQuantity: 0 } });
  });
});

describe('checkout', () => {
  it('carries the note and attributes in checkout.requested, for the order', async () => {
    const { id } = await cartWithLines();
    await h.run(NOTE, GUEST, { id, note: 'For Ada, with love' });
    await h.run(ATTRIBUTES, GUEST, { id, attributes: [{ key: 'Gift wrap', value: 'yes' }] });
    const res = await h.run(
      `mutation ($id: ID!, $input: CheckoutInput!) { cartCheckout(cartId: $id, input: $input) { checkout { id } userErrors { code } } }`,
      GUEST,
      {
        id,
        input: {
          email: 'ada@example.com',
          shippingAddress: { name: 'Ada', line1: '1 Way', city: 'Boston', postalCode: '02101', countryCode: 'US' },
          paymentToken: 'tok_visa',
          idempotencyKey: `note-${randomUUID()}`,
        },
      },
    );
    expect(res.data.cartCheckout.userErrors).toEqual([]);
    const [event] = await h.orm.em
      .fork()
      .execute<Array<{ payload: { data: Record<string, unknown> } }>>(
        `select payload from outbox_event where subject = 'checkout.requested' and id = ?`,
        [res.data.cartCheckout.checkout.id],
      );
    expect(event!.payload.data).toMatchObject({ note: 'For Ada, with love', attributes: [{ key: 'Gift wrap', value: 'yes' }] });
  });
});

describe('cartMerge', () => {
  const MERGE = `mutation ($guest: ID!, $strategy: CartMergeStrategy) { cartMerge(guestCartId: $guest, strategy: $strategy) { ${FIELDS} } }`;

  it("keeps the customer's note and adds the guest's, with the attribute keys the customer lacks", async () => {
    const guest = await cartWithLines();
    await h.run(NOTE, GUEST, { id: guest.id, note: 'From the guest cart' });
    await h.run(ATTRIBUTES, GUEST, {
      id: guest.id,
      attributes: [
        { key: 'Gift wrap', value: 'yes' },
        { key: 'Ref', value: 'ad' },
      ],
    });
    const alice = customer(`alice-${randomUUID()}`);
    const mine = await cartWithLines(alice);
    await h.run(ATTRIBUTES, alice, { id: mine.id, attributes: [{ key: 'Gift wrap', value: 'no' }] });
    const merged = await h.run(MERGE, alice, { guest: guest.id, strategy: 'MERGE' });
    expect(merged.data.cartMerge).toMatchObject({
      userErrors: [],
      cart: {
        id: mine.id,
        note: 'From the guest cart',
        attributes: [
          { key: 'Gift wrap', value: 'no' },
          { key: 'Ref', value: 'ad' },
        ],
      },
    });
  });

  it("USE_GUEST takes the guest cart's note and attributes, KEEP_CUSTOMER keeps the customer's", async () => {
    const bob = customer(`bob-${randomUUID()}`);
    const mine = await cartWithLines(bob);
    await h.run(NOTE, bob, { id: mine.id, note: 'Mine' });
    const kept = await cartWithLines();
    await h.run(NOTE, GUEST, { id: kept.id, note: 'Guest' });
    expect((await h.run(MERGE, bob, { guest: kept.id, strategy: 'KEEP_CUSTOMER' })).data.cartMerge.cart).toMatchObject({
      note: 'Mine',
      attributes: [],
    });
    const taken = await cartWithLines();
    await h.run(ATTRIBUTES, GUEST, { id: taken.id, attributes: [{ key: 'Ref', value: 'ad' }] });
    expect((await h.run(MERGE, bob, { guest: taken.id, strategy: 'USE_GUEST' })).data.cartMerge.cart).toMatchObject({
      note: null,
      attributes: [{ key: 'Ref', value: 'ad' }],
    });
  });
});

describe('who may change note, attributes and lines', () => {
  it("is the cart's owner (or an admin); others get FORBIDDEN, the same as for no cart", async () => {
    const alice = customer(`alice-${randomUUID()}`);
    const { id } = await cartWithLines(alice);
    const bob = customer(`bob-${randomUUID()}`);
    for (const [query, vars] of [
      [NOTE, { id, note: 'mine now' }],
      [ATTRIBUTES, { id, attributes: [{ key: 'a' }] }],
      [REMOVE_ALL, { id }],
    ] as const) {
      const other = await h.run(query, bob, vars);
      expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const guest = await h.run(query, GUEST, vars);
      expect(guest.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const missing = await h.run(query, bob, { ...vars, id: 'no-such-cart' });
      expect(missing.errors?.[0]?.message).toBe(other.errors?.[0]?.message);
    }
    expect((await h.run(NOTE, ADMIN, { id, note: 'admin' })).data.cartNoteUpdate.userErrors).toEqual([]);
    expect((await h.run(READ, alice, { id })).data.cart).toMatchObject({ note: 'admin', attributes: [], totalQuantity: 3 });
  });
});
