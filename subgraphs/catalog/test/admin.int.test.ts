import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUEST } from '@shop/platform';
import { ADMIN, CUSTOMER, insertProducts, startCatalogHarness, stockOf, type CatalogHarness } from './catalog-harness.ts';

let h: CatalogHarness;
let categoryId: string;

beforeAll(async () => {
  h = await startCatalogHarness();
  categoryId = randomUUID();
  await h.orm.em
    .fork()
    .execute(`insert into category (id, slug, name, path, created_at) values (?, 'audio', 'Audio', '/' || ? || '/', now())`, [
      categoryId,
      categoryId,
    ]);
});
afterAll(async () => h?.orm.close());

const CREATE = `mutation ($input: ProductCreateInput!) {
  productCreate(input: $input) { product { id sku slug name price { amount currencyCode } availableQuantity category { slug } } userErrors { field message code } }
}`;
const events = async (subject = 'product.changed') =>
  h.orm.em
    .fork()
    .execute<Array<{ payload: { data: Record<string, unknown> } }>>('select payload from outbox_event where subject = ? order by seq', [subject]);

describe('productCreate', () => {
  it('creates a product for an admin and writes a product.changed event in the same transaction', async () => {
    const before = (await events()).length;
    const res = await h.run(CREATE, ADMIN, { input: { sku: 'HP-100', name: 'Studio Headphones', price: '129.90', categoryId, stock: 7 } });
    expect(res.errors).toBeUndefined();
    expect(res.data.productCreate.userErrors).toEqual([]);
    expect(res.data.productCreate.product).toMatchObject({
      sku: 'HP-100',
      slug: 'studio-headphones',
      price: { amount: '129.90', currencyCode: 'USD' },
      availableQuantity: 7,
      category: { slug: 'audio' },
    });
    const after = await events();
    expect(after).toHaveLength(before + 1);
    expect(after.at(-1)!.payload.data).toMatchObject({ sku: 'HP-100', priceAmount: 12990, availableQuantity: 7, change: 'CREATED' });
  });

  it('reports every bad field at once as userErrors and creates nothing', async () => {
    const res = await h.run(CREATE, ADMIN, { input: { sku: 'X'.repeat(65), name: '   ', price: '-1.00', categoryId } });
    const errors = res.data.productCreate.userErrors;
    expect(res.data.productCreate.product).toBeNull();
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: ['input', 'sku'], code: 'TOO_LONG' }),
        expect.objectContaining({ field: ['input', 'name'], code: 'REQUIRED' }),
        expect.objectContaining({ field: ['input', 'price'], code: 'NEGATIVE' }),
      ]),
    );
    const precision = await h.run(CREATE, ADMIN, { input: { sku: 'P-1', name: 'Precise', price: '1.999' } });
    expect(precision.data.productCreate.userErrors).toEqual([expect.objectContaining({ field: ['input', 'price'], code: 'PRECISION' })]);
    const tooLong = await h.run(CREATE, ADMIN, { input: { sku: 'P-2', name: 'n'.repeat(201), price: '1.00' } });
    expect(tooLong.data.productCreate.userErrors).toEqual([expect.objectContaining({ field: ['input', 'name'], code: 'TOO_LONG' })]);
    const [row] = await h.orm.em.fork().execute<Array<{ n: number }>>(`select count(*)::int as n from product where sku in ('P-1', 'P-2')`);
    expect(row!.n).toBe(0);
  });

  it('refuses a duplicate sku or slug and an unknown category', async () => {
    const sku = await h.run(CREATE, ADMIN, { input: { sku: 'HP-100', name: 'Other', price: '1.00' } });
    expect(sku.data.productCreate.userErrors).toEqual([expect.objectContaining({ field: ['input', 'sku'], code: 'TAKEN' })]);
    const slug = await h.run(CREATE, ADMIN, { input: { sku: 'HP-101', slug: 'studio-headphones', name: 'Other', price: '1.00' } });
    expect(slug.data.productCreate.userErrors).toEqual([expect.objectContaining({ field: ['input', 'slug'], code: 'TAKEN' })]);
    const category = await h.run(CREATE, ADMIN, { input: { sku: 'HP-102', name: 'Other', price: '1.00', categoryId: randomUUID() } });
    expect(category.data.productCreate.userErrors).toEqual([expect.objectContaining({ field: ['input', 'categoryId'], code: 'NOT_FOUND' })]);
  });

  it('derives a unique slug for namesakes, and keeps TAKEN for a slug the client sent', async () => {
    const create = (sku: string, extra: Record<string, unknown> = {}) =>
      h.run(CREATE, ADMIN, { input: { sku, name: 'Desk Lamp Pro', price: '10.00', ...extra } });
    const slugs = [];
    for (const sku of ['LAMP-1', 'LAMP-2', 'LAMP-3']) {
      const res = await create(sku);
      expect(res.data.productCreate.userErrors).toEqual([]);
      slugs.push(res.data.productCreate.product.slug);
    }
    expect(slugs).toEqual(['desk-lamp-pro', 'desk-lamp-pro-2', 'desk-lamp-pro-3']);
    const sent = await create('LAMP-4', { slug: 'desk-lamp-pro-2' });
    expect(sent.data.productCreate.userErrors).toEqual([expect.objectContaining({ field: ['input', 'slug'], code: 'TAKEN' })]);
    // Namesakes created at the same moment each get their own slug (a lost race is retried, not TAKEN).
    const racing = await Promise.all(['LAMP-5', 'LAMP-6', 'LAMP-7', 'LAMP-8', 'LAMP-9'].map((sku) => create(sku)));
    expect(racing.flatMap((r) => r.data.productCreate.userErrors)).toEqual([]);
    const raced = racing.map((r) => r.data.productCreate.product.slug as string);
    expect(new Set(raced).size).toBe(5);
    expect(raced.every((slug) => /^desk-lamp-pro-\d+$/.test(slug))).toBe(true);
    const symbols = await h.run(CREATE, ADMIN, { input: { sku: 'SYM-1', name: '★★★', price: '1.00' } });
    const symbols2 = await h.run(CREATE, ADMIN, { input: { sku: 'SYM-2', name: '☆☆☆', price: '1.00' } });
    expect([symbols.data.productCreate.product.slug, symbols2.data.productCreate.product.slug]).toEqual(['product', 'product-2']);
  });

  it('refuses a price or stock over what its column holds as TOO_LARGE, and takes the largest price', async () => {
    for (const price of ['21474836.48', '999999999999.99']) {
      const res = await h.run(CREATE, ADMIN, { input: { sku: 'BIG-1', name: 'Big', price } });
      expect(res.errors, price).toBeUndefined();
      expect(res.data.productCreate.userErrors).toEqual([expect.objectContaining({ field: ['input', 'price'], code: 'TOO_LARGE' })]);
    }
    const stock = await h.run(CREATE, ADMIN, { input: { sku: 'BIG-1', name: 'Big', price: '1.00', stock: 2_000_000_000 } });
    expect(stock.data.productCreate.userErrors).toEqual([expect.objectContaining({ field: ['input', 'stock'], code: 'TOO_LARGE' })]);
    const largest = await h.run(CREATE, ADMIN, { input: { sku: 'BIG-1', name: 'Big', price: '21474836.47', stock: 1_000_000_000 } });
    expect(largest.data.productCreate.product).toMatchObject({ sku: 'BIG-1', price: { amount: '21474836.47' } });
    const id = largest.data.productCreate.product.id;
    const update = await h.run(
      `mutation ($id: ID!) { productUpdate(id: $id, input: { price: "21474836.48" }) { product { id } userErrors { field code } } }`,
      ADMIN,
      { id },
    );
    expect(update.errors).toBeUndefined();
    expect(update.data.productUpdate).toEqual({ product: null, userErrors: [{ field: ['input', 'price'], code: 'TOO_LARGE' }] });
    // Stock on hand cannot be pushed past its maximum either (the sum is checked before it is stored).
    const adjust = await h.run(
      `mutation ($id: ID!) { inventoryAdjust(productId: $id, delta: 1000000000, reason: "delivery") { product { id } userErrors { field code } } }`,
      ADMIN,
      { id },
    );
    expect(adjust.errors).toBeUndefined();
    expect(adjust.data.inventoryAdjust).toEqual({ product: null, userErrors: [{ field: ['delta'], code: 'TOO_LARGE' }] });
  });

  it('is FORBIDDEN for a customer and UNAUTHENTICATED for a guest', async () => {
    const input = { sku: 'NOPE-1', name: 'Nope', price: '1.00' };
    const customer = await h.run(CREATE, CUSTOMER, { input });
    expect(customer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const guest = await h.run(CREATE, GUEST, { input });
    expect(guest.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const low = await h.run('{ lowStockProducts { totalCount } }', CUSTOMER);
    expect(low.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('productUpdate and productDelete', () => {
  const id = randomUUID();
  beforeAll(() => insertProducts(h.orm, [{ id, sku: 'UPD-1', name: 'Desk Lamp', price: 2500, onHand: 4 }]));

  it('changes only the given fields and marks a price change in its event', async () => {
    const res = await h.run(
      `mutation ($id: ID!) { productUpdate(id: $id, input: { price: "19.99" }) { product { name price { amount } } userErrors { code } } }`,
      ADMIN,
      { id },
    );
    expect(res.data.productUpdate).toEqual({ product: { name: 'Desk Lamp', price: { amount: '19.99' } }, userErrors: [] });
    expect((await events()).at(-1)!.payload.data).toMatchObject({ productId: id, priceAmount: 1999, change: 'PRICE' });
    const missing = await h.run(
      `mutation { productUpdate(id: "${randomUUID()}", input: { name: "X" }) { product { id } userErrors { field code } } }`,
      ADMIN,
    );
    expect(missing.data.productUpdate.userErrors).toEqual([{ field: ['id'], code: 'NOT_FOUND' }]);
  });

  it('soft-deletes: gone from product(id), still resolvable as a reference, shown unavailable', async () => {
    const res = await h.run(`mutation ($id: ID!) { productDelete(id: $id) { deletedProductId userErrors { code } } }`, ADMIN, { id });
    expect(res.data.productDelete).toEqual({ deletedProductId: id, userErrors: [] });
    expect((await h.run(`query ($id: ID!) { product(id: $id) { id } }`, GUEST, { id })).data.product).toBeNull();
    const ref = await h.run(
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Product { name available inStock availableQuantity } } }`,
      GUEST,
      { r: [{ __typename: 'Product', id }] },
    );
    expect(ref.data._entities).toEqual([{ name: 'Desk Lamp', available: false, inStock: false, availableQuantity: 0 }]);
    const again = await h.run(`mutation ($id: ID!) { productDelete(id: $id) { deletedProductId userErrors { code } } }`, ADMIN, { id });
    expect(again.data.productDelete).toEqual({ deletedProductId: null, userErrors: [{ code: 'NOT_FOUND' }] });
  });
});

describe('ids that are not UUIDs', () => {
  it('are NOT_FOUND for productUpdate, productDelete and inventoryAdjust (no database error)', async () => {
    for (const id of ['abc', '-'.repeat(36), `${randomUUID()}0`]) {
      const update = await h.run(
        `mutation ($id: ID!) { productUpdate(id: $id, input: { name: "X" }) { product { id } userErrors { field code } } }`,
        ADMIN,
        { id },
      );
      expect(update.errors, id).toBeUndefined();
      expect(update.data.productUpdate).toEqual({ product: null, userErrors: [{ field: ['id'], code: 'NOT_FOUND' }] });
      const remove = await h.run(`mutation ($id: ID!) { productDelete(id: $id) { deletedProductId userErrors { field code } } }`, ADMIN, { id });
      expect(remove.errors, id).toBeUndefined();
      expect(remove.data.productDelete).toEqual({ deletedProductId: null, userErrors: [{ field: ['id'], code: 'NOT_FOUND' }] });
      const adjust = await h.run(
        `mutation ($id: ID!) { inventoryAdjust(productId: $id, delta: 1, reason: "count") { product { id } userErrors { field code } } }`,
        ADMIN,
        { id },
      );
      expect(adjust.errors, id).toBeUndefined();
      expect(adjust.data.inventoryAdjust).toEqual({ product: null, userErrors: [{ field: ['productId'], code: 'NOT_FOUND' }] });
    }
  });
});

describe('inventoryAdjust', () => {
  const id = randomUUID();
  beforeAll(() => insertProducts(h.orm, [{ id, sku: 'INV-1', name: 'Cable', price: 500, onHand: 5, reserved: 3 }]));
  const ADJUST = `mutation ($id: ID!, $delta: Int!, $reason: String!) {
    inventoryAdjust(productId: $id, delta: $delta, reason: $reason) { product { availableQuantity } userErrors { field code message } }
  }`;

  it('adds stock, records who and why, and publishes the change', async () => {
    const res = await h.run(ADJUST, ADMIN, { id, delta: 10, reason: 'delivery' });
    expect(res.data.inventoryAdjust).toEqual({ product: { availableQuantity: 12 }, userErrors: [] });
    const [audit] = await h.orm.em
      .fork()
      .execute<Array<{ delta: number; reason: string; actor: string }>>(
        'select delta, reason, actor from inventory_adjustment where variant_id = ?',
        [id],
      );
    expect(audit).toEqual({ delta: 10, reason: 'delivery', actor: 'admin-1' });
    expect((await events()).at(-1)!.payload.data).toMatchObject({ productId: id, variantId: id, availableQuantity: 12, change: 'STOCK' });
  });

  it('never takes stock below what is reserved, and changes nothing when it refuses', async () => {
    const refused = await h.run(ADJUST, ADMIN, { id, delta: -13, reason: 'shrinkage' });
    expect(refused.data.inventoryAdjust.product).toBeNull();
    expect(refused.data.inventoryAdjust.userErrors).toEqual([expect.objectContaining({ field: ['delta'], code: 'INSUFFICIENT_STOCK' })]);
    expect(await stockOf(h.orm, id)).toEqual({ onHand: 15, reserved: 3 });
    const allowed = await h.run(ADJUST, ADMIN, { id, delta: -12, reason: 'shrinkage' });
    expect(allowed.data.inventoryAdjust).toEqual({ product: { availableQuantity: 0 }, userErrors: [] });
  });

  it("takes the variant by variantId (a one-variant product's variant has its id), and exactly one of the two ids", async () => {
    const BY_VARIANT = `mutation ($variantId: ID, $productId: ID) {
      inventoryAdjust(variantId: $variantId, productId: $productId, delta: 2, reason: "recount") { product { id availableQuantity } userErrors { field code } }
    }`;
    const res = await h.run(BY_VARIANT, ADMIN, { variantId: id });
    expect(res.data.inventoryAdjust).toEqual({ product: { id, availableQuantity: 2 }, userErrors: [] });
    const missing = await h.run(BY_VARIANT, ADMIN, { variantId: randomUUID() });
    expect(missing.data.inventoryAdjust.userErrors).toEqual([{ field: ['variantId'], code: 'NOT_FOUND' }]);
    for (const both of [{}, { variantId: id, productId: id }]) {
      const refused = await h.run(BY_VARIANT, ADMIN, both);
      expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('validates delta and reason', async () => {
    const res = await h.run(ADJUST, ADMIN, { id, delta: 0, reason: ' ' });
    expect(res.data.inventoryAdjust.userErrors.map((e: { field: string[] }) => e.field)).toEqual([['delta'], ['reason']]);
  });
});
