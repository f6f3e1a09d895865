import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUEST } from '@shop/platform';
import { ADMIN, insertProducts, startCatalogHarness, type CatalogHarness } from './catalog-harness.ts';

/** productVariantCreate, productVariantUpdate, productVariantDelete: stored state, the product's price, events, userErrors. */
let h: CatalogHarness;
let shirtId: string;
const variantIds = new Map<string, string>();
const mugId = randomUUID();

const PAYLOAD = `productVariant { id sku title selectedOptions { name value } price { amount } compareAtPrice { amount } image { url } availableQuantity available }
  product { id sku price { amount } options { name values } variants { totalCount edges { node { sku } } } }
  userErrors { field message code }`;
const CREATE = `mutation ($productId: ID!, $input: ProductVariantInput!) { productVariantCreate(productId: $productId, input: $input) { ${PAYLOAD} } }`;
const UPDATE = `mutation ($id: ID!, $input: ProductVariantUpdateInput!) { productVariantUpdate(id: $id, input: $input) { ${PAYLOAD} } }`;
const DELETE = `mutation ($id: ID!) { productVariantDelete(id: $id) { deletedProductVariantId product { price { amount } variants { totalCount } } userErrors { field code message } } }`;

const selected = (size: string, color: string) => [
  { name: 'Size', value: size },
  { name: 'Color', value: color },
];
const lastEvent = async (variantId: string) => {
  const rows = await h.orm.em
    .fork()
    .execute<Array<{ payload: { data: Record<string, unknown> } }>>(
      `select payload from outbox_event where subject = 'product.changed' and payload->'data'->>'variantId' = ? order by seq desc limit 1`,
      [variantId],
    );
  return rows[0]?.payload.data;
};
const storedPrice = async (productId: string) =>
  (await h.orm.em.fork().execute<Array<{ p: number }>>('select price_amount as p from product where id = ?', [productId]))[0]!.p;
const codes = (errors: Array<{ field: string[]; code: string }>) => errors.map((e) => `${e.field.join('.')} ${e.code}`);

beforeAll(async () => {
  h = await startCatalogHarness();
  const res = await h.run(
    `mutation ($input: ProductCreateInput!) { productCreate(input: $input) { product { id variants { edges { node { id sku } } } } userErrors { code } } }`,
    ADMIN,
    {
      input: {
        sku: 'SHIRT',
        name: 'Linen Shirt',
        options: [
          { name: 'Size', values: ['S', 'M'] },
          { name: 'Color', values: ['Blue', 'Red'] },
        ],
        variants: [
          { sku: 'SHIRT-S-BLU', selectedOptions: selected('S', 'Blue'), price: '30.00', stock: 3 },
          { sku: 'SHIRT-M-BLU', selectedOptions: selected('M', 'Blue'), price: '32.00', stock: 5 },
        ],
      },
    },
  );
  expect(res.data!.productCreate.userErrors).toEqual([]);
  shirtId = res.data!.productCreate.product.id;
  for (const { node } of res.data!.productCreate.product.variants.edges) variantIds.set(node.sku, node.id);
  await insertProducts(h.orm, [{ id: mugId, sku: 'MUG', name: 'Mug', price: 900, onHand: 2 }]);
});
afterAll(async () => h?.orm.close());

describe('productVariantCreate', () => {
  it('adds a variant (a new option value goes at the end of its option), reprices the product and emits CREATED', async () => {
    const res = await h.run(CREATE, ADMIN, {
      productId: shirtId,
      input: { sku: 'SHIRT-XL-RED', selectedOptions: [...selected('XL', 'Red')].reverse(), price: '28.00', compareAtPrice: '35.00', stock: 4 },
    });
    expect(res.errors).toBeUndefined();
    const { productVariant, product, userErrors } = res.data!.productVariantCreate;
    expect(userErrors).toEqual([]);
    expect(productVariant).toMatchObject({
      sku: 'SHIRT-XL-RED',
      title: 'XL / Red',
      selectedOptions: selected('XL', 'Red'),
      price: { amount: '28.00' },
      compareAtPrice: { amount: '35.00' },
      availableQuantity: 4,
    });
    variantIds.set('SHIRT-XL-RED', productVariant.id);
    expect(product.options).toEqual([
      { name: 'Size', values: ['S', 'M', 'XL'] },
      { name: 'Color', values: ['Blue', 'Red'] },
    ]);
    expect(product.price).toEqual({ amount: '28.00' });
    expect(product.variants.edges.map((e: { node: { sku: string } }) => e.node.sku)).toEqual(['SHIRT-S-BLU', 'SHIRT-M-BLU', 'SHIRT-XL-RED']);
    expect(await storedPrice(shirtId)).toBe(2800);
    expect(await lastEvent(productVariant.id)).toEqual({
      productId: shirtId,
      variantId: productVariant.id,
      sku: 'SHIRT-XL-RED',
      priceAmount: 2800,
      currency: 'USD',
      availableQuantity: 4,
      available: true,
      change: 'CREATED',
    });
  });

  it('reports every problem at once: options already sold, a taken SKU, a bad price; creates nothing', async () => {
    const res = await h.run(CREATE, ADMIN, {
      productId: shirtId,
      input: { sku: 'SHIRT-S-BLU', selectedOptions: selected('S', 'Blue'), price: '-2.00', compareAtPrice: '1.999' },
    });
    expect(res.data!.productVariantCreate.productVariant).toBeNull();
    expect(codes(res.data!.productVariantCreate.userErrors).sort()).toEqual(
      ['input.price NEGATIVE', 'input.compareAtPrice PRECISION', 'input.selectedOptions CONFLICT', 'input.sku TAKEN'].sort(),
    );
    const cases: Array<[Array<{ name: string; value: string }>, string]> = [
      [[{ name: 'Size', value: 'S' }], 'input.selectedOptions INVALID'], // Color missing
      [[...selected('S', 'Blue'), { name: 'Fit', value: 'Slim' }], 'input.selectedOptions INVALID'],
      [selected('m', 'Blue'), 'input.selectedOptions CONFLICT'], // only differs from "M" in case
      [selected('x'.repeat(51), 'Blue'), 'input.selectedOptions TOO_LONG'],
    ];
    for (const [options, expected] of cases) {
      const one = await h.run(CREATE, ADMIN, { productId: shirtId, input: { sku: 'SHIRT-NEW', selectedOptions: options, price: '9.00' } });
      expect(codes(one.data!.productVariantCreate.userErrors), JSON.stringify(options)).toEqual([expected]);
    }
    const [row] = await h.orm.em.fork().execute<Array<{ n: number }>>(`select count(*)::int as n from product_variant where sku = 'SHIRT-NEW'`);
    expect(row!.n).toBe(0);
  });

  it('refuses a product without options (INVALID), an unknown or malformed product id (NOT_FOUND), past 100 variants (TOO_LARGE)', async () => {
    const input = { sku: 'MUG-RED', selectedOptions: [{ name: 'Color', value: 'Red' }], price: '9.00' };
    const plain = await h.run(CREATE, ADMIN, { productId: mugId, input });
    expect(codes(plain.data!.productVariantCreate.userErrors)).toEqual(['productId INVALID']);
    for (const productId of [randomUUID(), 'nope']) {
      const missing = await h.run(CREATE, ADMIN, { productId, input });
      expect(missing.errors).toBeUndefined();
      expect(codes(missing.data!.productVariantCreate.userErrors)).toEqual(['productId NOT_FOUND']);
    }
    const full = await h.run(
      `mutation ($input: ProductCreateInput!) { productCreate(input: $input) { product { id } userErrors { code } } }`,
      ADMIN,
      {
        input: {
          sku: 'FULL',
          name: 'Full',
          options: [{ name: 'N', values: Array.from({ length: 100 }, (_, i) => `v${i}`) }],
          variants: Array.from({ length: 100 }, (_, i) => ({ sku: `FULL-${i}`, selectedOptions: [{ name: 'N', value: `v${i}` }], price: '1.00' })),
        },
      },
    );
    const more = await h.run(CREATE, ADMIN, {
      productId: full.data!.productCreate.product.id,
      input: { sku: 'FULL-100', selectedOptions: [{ name: 'N', value: 'w' }], price: '1.00' },
    });
    expect(codes(more.data!.productVariantCreate.userErrors)).toEqual(['productId TOO_LARGE', 'input.selectedOptions TOO_LARGE']);
  });
});

describe('productVariantUpdate', () => {
  it('changes price, compare-at price, image and SKU; reprices the product; a price change is a PRICE event', async () => {
    const id = variantIds.get('SHIRT-XL-RED')!;
    const res = await h.run(UPDATE, ADMIN, { id, input: { price: '34.00', image: { url: 'https://img.example/xl.jpg' }, sku: 'SHIRT-XL-RD' } });
    const { productVariant, product, userErrors } = res.data!.productVariantUpdate;
    expect(userErrors).toEqual([]);
    expect(productVariant).toMatchObject({
      sku: 'SHIRT-XL-RD',
      price: { amount: '34.00' },
      compareAtPrice: { amount: '35.00' },
      image: { url: 'https://img.example/xl.jpg' },
    });
    // The lowest is S / Blue again.
    expect(product.price).toEqual({ amount: '30.00' });
    expect(await storedPrice(shirtId)).toBe(3000);
    expect(await lastEvent(id)).toMatchObject({ variantId: id, sku: 'SHIRT-XL-RD', priceAmount: 3400, change: 'PRICE' });
    const cleared = await h.run(UPDATE, ADMIN, { id, input: { compareAtPrice: null, image: null } });
    expect(cleared.data!.productVariantUpdate.productVariant).toMatchObject({ compareAtPrice: null, image: null, price: { amount: '34.00' } });
    expect(await lastEvent(id)).toMatchObject({ change: 'UPDATED' });
  });

  it("changes a product without options' SKU with its variant's (they are one)", async () => {
    const res = await h.run(UPDATE, ADMIN, { id: mugId, input: { sku: 'MUG-2', price: '7.00', compareAtPrice: '9.00' } });
    expect(res.data!.productVariantUpdate).toMatchObject({ userErrors: [], product: { sku: 'MUG-2', price: { amount: '7.00' } } });
    const found = await h.run(`{ product(sku: "MUG-2") { id variants { edges { node { id sku compareAtPrice { amount } } } } } }`, GUEST);
    expect(found.data!.product).toEqual({
      id: mugId,
      variants: { edges: [{ node: { id: mugId, sku: 'MUG-2', compareAtPrice: { amount: '9.00' } } }] },
    });
  });

  it('refuses a compare-at price not above the price, a taken SKU, an unknown variant', async () => {
    const id = variantIds.get('SHIRT-S-BLU')!;
    const below = await h.run(UPDATE, ADMIN, { id, input: { compareAtPrice: '30.00' } });
    expect(codes(below.data!.productVariantUpdate.userErrors)).toEqual(['input.compareAtPrice INVALID']);
    await h.run(UPDATE, ADMIN, { id, input: { compareAtPrice: '40.00' } });
    // A price raised to the compare-at price: the price is at fault.
    const raised = await h.run(UPDATE, ADMIN, { id, input: { price: '40.00' } });
    expect(codes(raised.data!.productVariantUpdate.userErrors)).toEqual(['input.price INVALID']);
    for (const sku of ['SHIRT-M-BLU', 'MUG-2']) {
      const taken = await h.run(UPDATE, ADMIN, { id, input: { sku } });
      expect(codes(taken.data!.productVariantUpdate.userErrors), sku).toEqual(['input.sku TAKEN']);
    }
    for (const missing of [randomUUID(), 'x']) {
      const res = await h.run(UPDATE, ADMIN, { id: missing, input: { price: '1.0000' } });
      expect(res.errors).toBeUndefined();
      expect(codes(res.data!.productVariantUpdate.userErrors)).toEqual(['id NOT_FOUND', 'input.price PRECISION']);
    }
  });
});

describe('productVariantDelete', () => {
  it('soft-deletes: reprices the product, emits DELETED, the variant still resolves as a reference, unavailable', async () => {
    const id = variantIds.get('SHIRT-S-BLU')!;
    const res = await h.run(DELETE, ADMIN, { id });
    expect(res.data!.productVariantDelete).toEqual({
      deletedProductVariantId: id,
      product: { price: { amount: '32.00' }, variants: { totalCount: 2 } },
      userErrors: [],
    });
    expect(await storedPrice(shirtId)).toBe(3200);
    expect(await lastEvent(id)).toMatchObject({ variantId: id, available: false, availableQuantity: 0, change: 'DELETED' });
    const ref = await h.run(`query ($r: [_Any!]!) { _entities(representations: $r) { ... on ProductVariant { sku available inStock } } }`, GUEST, {
      r: [{ __typename: 'ProductVariant', id }],
    });
    expect(ref.data!._entities).toEqual([{ sku: 'SHIRT-S-BLU', available: false, inStock: false }]);
    const again = await h.run(DELETE, ADMIN, { id });
    expect(codes(again.data!.productVariantDelete.userErrors)).toEqual(['id NOT_FOUND']);
    // Its options are free again; its SKU stays taken (references resolve by it).
    const back = await h.run(CREATE, ADMIN, {
      productId: shirtId,
      input: { sku: 'SHIRT-S-BLU-2', selectedOptions: selected('S', 'Blue'), price: '31.00' },
    });
    expect(back.data!.productVariantCreate.userErrors).toEqual([]);
  });

  it("keeps a product's last variant (a product without options always has its one); concurrent deletes leave exactly one", async () => {
    const plain = await h.run(DELETE, ADMIN, { id: mugId });
    expect(codes(plain.data!.productVariantDelete.userErrors)).toEqual(['id INVALID']);
    const live = [...variantIds.entries()].filter(([sku]) => sku !== 'SHIRT-S-BLU').map(([, id]) => id);
    const all = await h.run(`{ product(sku: "SHIRT") { variants { edges { node { id } } } } }`, GUEST);
    const ids = all.data!.product.variants.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(ids).toEqual(expect.arrayContaining(live));
    const results = await Promise.all(ids.map((id: string) => h.run(DELETE, ADMIN, { id })));
    const refused = results.filter((r) => r.data!.productVariantDelete.userErrors.length > 0);
    expect(refused.map((r) => codes(r.data!.productVariantDelete.userErrors))).toEqual([['id INVALID']]);
    const [row] = await h.orm.em
      .fork()
      .execute<Array<{ n: number; p: number }>>(
        'select count(*)::int as n, min(v.price_amount) as p from product_variant v where v.product_id = ? and v.deleted_at is null',
        [shirtId],
      );
    expect(row!.n).toBe(1);
    expect(await storedPrice(shirtId)).toBe(row!.p);
  });
});
