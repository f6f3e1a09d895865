import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { connectNats, createProductLookupClient, GUEST, ServiceUnavailableError, type NatsConnection } from '@shop/platform';
import { startProductLookupResponder } from '../src/events/product-lookup.responder.ts';
import { insertProducts, insertProductWithVariants, log, startCatalogHarness, type CatalogHarness } from './catalog-harness.ts';

let h: CatalogHarness;
const ids = Array.from({ length: 100 }, () => randomUUID());

beforeAll(async () => {
  h = await startCatalogHarness();
  await insertProducts(
    h.orm,
    ids.map((id, i) => ({ id, sku: `ENT-${i}`, name: `Product ${i}`, price: 100 + i, onHand: i % 7, reserved: 0, deleted: i === 99 })),
  );
});
afterAll(async () => h?.orm.close());

const ENTITIES = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id name price { amount } availableQuantity } } }`;

/** Statements the ORM sent that read products. */
const productReads = () => h.queries.filter((q) => /select[\s\S]*from "?product"?[\s`]/i.test(q));
/** Statements the ORM sent that read variants (a lookup reads them with their product joined). */
const variantReads = () => h.queries.filter((q) => /select[\s\S]*from "?product_variant"?[\s`]/i.test(q));

describe('Product entity resolution through the per-request DataLoader', () => {
  it.each([1, 100])('answers _entities with %i representation(s) using one SQL statement', async (n) => {
    const res = await h.run(ENTITIES, GUEST, { r: ids.slice(0, n).map((id) => ({ __typename: 'Product', id })) });
    expect(res.errors).toBeUndefined();
    expect(res.data._entities).toHaveLength(n);
    expect(res.data._entities.map((p: { id: string }) => p.id)).toEqual(ids.slice(0, n));
    expect(productReads()).toHaveLength(1);
  });

  it('resolves by sku too, and gives null for an unknown id', async () => {
    const res = await h.run(ENTITIES, GUEST, {
      r: [
        { __typename: 'Product', sku: 'ENT-3' },
        { __typename: 'Product', id: randomUUID() },
      ],
    });
    expect(res.data._entities).toEqual([expect.objectContaining({ id: ids[3] }), null]);
  });

  it('answers null for a malformed id without failing the other keys of its batch', async () => {
    const res = await h.run(ENTITIES, GUEST, {
      r: [
        { __typename: 'Product', id: ids[4] },
        { __typename: 'Product', id: 'abc' },
        { __typename: 'Product', id: `${ids[5]}x` },
      ],
    });
    expect(res.errors).toBeUndefined();
    expect(res.data._entities).toEqual([expect.objectContaining({ id: ids[4] }), null, null]);
    const categories = await h.run(`query ($r: [_Any!]!) { _entities(representations: $r) { ... on Category { id } } }`, GUEST, {
      r: [{ __typename: 'Category', id: 'nope' }],
    });
    expect(categories.errors).toBeUndefined();
    expect(categories.data._entities).toEqual([null]);
  });

  it('answers product(id) with null for an id that is not a UUID, never a database error', async () => {
    for (const id of ['abc', '', ' ', "1' or '1'='1", `${ids[6]}0`, '-'.repeat(36)]) {
      const res = await h.run(`query ($id: ID!) { product(id: $id) { id } }`, GUEST, { id });
      expect(res.errors, id).toBeUndefined();
      expect(res.data.product, id).toBeNull();
    }
    expect(productReads()).toHaveLength(0);
    const upper = await h.run(`query ($id: ID!) { product(id: $id) { id } }`, GUEST, { id: ids[6]!.toUpperCase() });
    expect(upper.data.product).toEqual({ id: ids[6] });
  });
});

describe('batched product lookup over NATS request-reply', () => {
  let nc: NatsConnection;
  let stop: () => Promise<void>;
  // Own subject: other test files answer lookups on the shared NATS server too.
  const subject = `test.${randomBytes(4).toString('hex')}.products.lookup`;
  beforeAll(async () => {
    nc = await connectNats(inject('natsUrl'), 'catalog-lookup-test', log);
    stop = startProductLookupResponder(nc, h.orm.em, log, subject);
  });
  afterAll(async () => {
    await stop?.();
    await nc?.drain();
  });

  it('answers a whole batch of variant ids with one query, marking deleted ones unavailable', async () => {
    const lookup = createProductLookupClient(nc, { subject });
    h.queries.length = 0;
    const found = await lookup([ids[1]!, ids[99]!, ids[1]!]);
    expect(variantReads()).toHaveLength(1);
    expect(productReads()).toHaveLength(0);
    // A product without options: its one variant, with the product's id.
    expect(found.get(ids[1]!)).toEqual({
      id: ids[1],
      productId: ids[1],
      sku: 'ENT-1',
      name: 'Product 1',
      title: 'Default Title',
      selectedOptions: [],
      priceAmount: 101,
      currency: 'USD',
      availableQuantity: 1,
      available: true,
      categoryIds: [],
    });
    expect(found.get(ids[99]!)).toMatchObject({ available: false, availableQuantity: 0 });
  });

  it("answers each variant's categories, its product's category and that one's ancestors, root first, in the same query", async () => {
    const [apparel, shirts, tee] = [randomUUID(), randomUUID(), randomUUID()];
    const em = h.orm.em.fork();
    const suffix = randomBytes(3).toString('hex');
    await em.execute(`insert into category (id, slug, name, path, created_at) values (?, ?, 'Apparel', ?, now())`, [
      apparel,
      `apparel-${suffix}`,
      `/${apparel}/`,
    ]);
    await em.execute(`insert into category (id, slug, name, parent_id, path, created_at) values (?, ?, 'Shirts', ?, ?, now())`, [
      shirts,
      `shirts-${suffix}`,
      apparel,
      `/${apparel}/${shirts}/`,
    ]);
    await insertProducts(h.orm, [{ id: tee, sku: `CAT-TEE-${suffix}`, name: 'Category Tee', price: 1200, categoryId: shirts }]);
    const lookup = createProductLookupClient(nc, { subject });
    h.queries.length = 0;
    const found = await lookup([tee, ids[2]!]);
    expect(variantReads()).toHaveLength(1);
    expect(h.queries.filter((q) => /from "?category"?[\s`]/i.test(q))).toHaveLength(0);
    expect(found.get(tee)?.categoryIds).toEqual([apparel, shirts]);
    expect(found.get(ids[2]!)?.categoryIds).toEqual([]);
  });

  it('answers a product sold in several variants as variantRequired, and leaves out ids that name nothing', async () => {
    const shirt = randomUUID();
    const medium = randomUUID();
    await insertProductWithVariants(h.orm, { id: shirt, sku: 'LK-TEE', name: 'Lookup Tee', options: [{ name: 'Size', values: ['M'] }] }, [
      { id: medium, sku: 'LK-TEE-M', options: [{ name: 'Size', value: 'M' }], price: 1500, onHand: 4 },
    ]);
    const lookup = createProductLookupClient(nc, { subject });
    const unknown = randomUUID();
    h.queries.length = 0;
    const found = await lookup([shirt, medium, unknown]);
    // Ids not found as variants take one more statement, on products.
    expect(variantReads()).toHaveLength(1);
    expect(productReads()).toHaveLength(1);
    expect(found.get(shirt)).toMatchObject({ id: shirt, productId: shirt, name: 'Lookup Tee', variantRequired: true, availableQuantity: 0 });
    expect(found.get(medium)).toMatchObject({
      productId: shirt,
      sku: 'LK-TEE-M',
      title: 'M',
      selectedOptions: [{ name: 'Size', value: 'M' }],
      availableQuantity: 4,
    });
    expect(found.get(medium)?.variantRequired).toBeUndefined();
    expect(found.has(unknown)).toBe(false);
  });

  it('reports a catalog nobody answers for as unavailable (retryable), at once', async () => {
    // A timeout far beyond the test's own: only NATS's "no responders" answer can end this lookup.
    const lookup = createProductLookupClient(nc, { subject: `${subject}.nobody`, timeoutMs: 600_000 });
    await expect(lookup([ids[0]!])).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  it('asks once more when a request goes unanswered (the process it reached died with it), and gives up after the second', async () => {
    const flaky = `${subject}.flaky`;
    let asked = 0;
    const responder = nc.subscribe(flaky, {
      // The first request is swallowed, as by a catalog process killed while holding it.
      callback: (_error, msg) => void (++asked > 1 && msg.respond(JSON.stringify({ products: [] }))),
    });
    try {
      const found = await createProductLookupClient(nc, { subject: flaky, timeoutMs: 300 })([ids[0]!]);
      expect(found.size).toBe(0);
      expect(asked).toBe(2);
    } finally {
      responder.unsubscribe();
    }
    const silent = nc.subscribe(`${subject}.silent`, { callback: () => undefined });
    try {
      await expect(createProductLookupClient(nc, { subject: `${subject}.silent`, timeoutMs: 300 })([ids[0]!])).rejects.toBeInstanceOf(
        ServiceUnavailableError,
      );
    } finally {
      silent.unsubscribe();
    }
  });

  it('refuses a malformed request with a clear answer', async () => {
    const lookup = createProductLookupClient(nc, { subject });
    await expect(lookup(['not-a-uuid'])).rejects.toThrow(/at most 1000 product ids/);
  });
});
