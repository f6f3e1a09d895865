import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUEST } from '@shop/platform';
import { insertProducts, insertProductWithVariants, startCatalogHarness, type CatalogHarness } from './catalog-harness.ts';

let h: CatalogHarness;
const shirt = randomUUID();
const [sBlue, mBlue, mRed, lBlue, xlBlue] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
const mug = randomUUID();

beforeAll(async () => {
  h = await startCatalogHarness();
  const option = (size: string, color: string) => [
    { name: 'Size', value: size },
    { name: 'Color', value: color },
  ];
  await insertProductWithVariants(
    h.orm,
    {
      id: shirt,
      sku: 'TEE',
      name: 'Cotton Tee',
      options: [
        { name: 'Size', values: ['S', 'M', 'L', 'XL'] },
        { name: 'Color', values: ['Blue', 'Red'] },
      ],
    },
    [
      { id: sBlue, sku: 'TEE-S-BLU', options: option('S', 'Blue'), price: 1900, onHand: 0 },
      { id: mBlue, sku: 'TEE-M-BLU', options: option('M', 'Blue'), price: 1900, onHand: 10, reserved: 4 },
      { id: mRed, sku: 'TEE-M-RED', options: option('M', 'Red'), price: 2100, onHand: 3 },
      { id: lBlue, sku: 'TEE-L-BLU', options: option('L', 'Blue'), price: 2400, onHand: 2, reserved: 2 },
      { id: xlBlue, sku: 'TEE-XL-BLU', options: option('XL', 'Blue'), price: 9900, onHand: 50, deleted: true },
    ],
  );
  await insertProducts(h.orm, [{ id: mug, sku: 'MUG', name: 'Mug', price: 800, onHand: 0 }]);
});
afterAll(async () => h?.orm.close());

const PRODUCT = `query ($id: ID!, $selected: [SelectedOptionInput!]!, $first: Int, $after: String) {
  product(id: $id) {
    price { amount } inStock availableQuantity
    options { name values }
    priceRange { minVariantPrice { amount } maxVariantPrice { amount } }
    variants(first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node { id sku title selectedOptions { name value } price { amount } availableQuantity inStock available product { id } } }
    }
    variantBySelectedOptions(selectedOptions: $selected) { id title }
  }
}`;

describe('Product options and variants', () => {
  it('lists the live variants in display order with their own SKU, price and stock', async () => {
    const res = await h.run(PRODUCT, GUEST, { id: shirt, selected: [], first: 50 });
    expect(res.errors).toBeUndefined();
    const product = res.data.product;
    expect(product.options).toEqual([
      { name: 'Size', values: ['S', 'M', 'L', 'XL'] },
      { name: 'Color', values: ['Blue', 'Red'] },
    ]);
    expect(product.variants.totalCount).toBe(4); // XL is deleted
    expect(product.variants.edges.map((e: { node: { sku: string } }) => e.node.sku)).toEqual(['TEE-S-BLU', 'TEE-M-BLU', 'TEE-M-RED', 'TEE-L-BLU']);
    expect(product.variants.edges[1].node).toEqual({
      id: mBlue,
      sku: 'TEE-M-BLU',
      title: 'M / Blue',
      selectedOptions: [
        { name: 'Size', value: 'M' },
        { name: 'Color', value: 'Blue' },
      ],
      price: { amount: '19.00' },
      availableQuantity: 6,
      inStock: true,
      available: true,
      product: { id: shirt },
    });
    // Any variant in stock; available summed over the live variants (0 + 6 + 3 + 0).
    expect(product).toMatchObject({ inStock: true, availableQuantity: 9, price: { amount: '19.00' } });
    expect(product.priceRange).toEqual({ minVariantPrice: { amount: '19.00' }, maxVariantPrice: { amount: '24.00' } });
  });

  it('pages the variants with a cursor', async () => {
    const first = await h.run(PRODUCT, GUEST, { id: shirt, selected: [], first: 3 });
    const page1 = first.data.product.variants;
    expect(page1.edges).toHaveLength(3);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const second = await h.run(PRODUCT, GUEST, { id: shirt, selected: [], first: 3, after: page1.pageInfo.endCursor });
    expect(second.data.product.variants.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([lBlue]);
    expect(second.data.product.variants.pageInfo.hasNextPage).toBe(false);
  });

  it('finds the variant by its option values in any order, and null for a combination not sold', async () => {
    const find = async (selected: Array<{ name: string; value: string }>) =>
      (await h.run(PRODUCT, GUEST, { id: shirt, selected, first: 1 })).data.product.variantBySelectedOptions;
    expect(
      await find([
        { name: 'Color', value: 'Red' },
        { name: 'Size', value: 'M' },
      ]),
    ).toEqual({ id: mRed, title: 'M / Red' });
    expect(
      await find([
        { name: 'Size', value: 'L' },
        { name: 'Color', value: 'Red' },
      ]),
    ).toBeNull();
    expect(await find([{ name: 'Size', value: 'M' }])).toBeNull();
  });

  it('sells a product without options as one "Default Title" variant with the product\'s id', async () => {
    const res = await h.run(PRODUCT, GUEST, { id: mug, selected: [], first: 5 });
    expect(res.data.product).toMatchObject({ options: [], inStock: false, availableQuantity: 0 });
    expect(res.data.product.variants.edges.map((e: { node: { id: string; title: string } }) => e.node)).toEqual([
      expect.objectContaining({ id: mug, title: 'Default Title', sku: 'MUG', inStock: false }),
    ]);
    expect(res.data.product.variantBySelectedOptions).toEqual({ id: mug, title: 'Default Title' });
  });
});

describe('ProductVariant entity resolution', () => {
  const ENTITIES = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on ProductVariant { id sku title price { amount } } } }`;
  const variantReads = () => h.queries.filter((q) => /select[\s\S]*from "?product_variant"?[\s`]/i.test(q));

  it('answers N variants by id with one SQL statement, deleted ones included', async () => {
    const ids = [sBlue, mBlue, mRed, lBlue, xlBlue, randomUUID(), 'not-a-uuid'];
    const res = await h.run(ENTITIES, GUEST, { r: ids.map((id) => ({ __typename: 'ProductVariant', id })) });
    expect(res.errors).toBeUndefined();
    expect(res.data._entities.map((v: { id: string } | null) => v?.id ?? null)).toEqual([sBlue, mBlue, mRed, lBlue, xlBlue, null, null]);
    expect(variantReads()).toHaveLength(1);
  });

  it('resolves by sku', async () => {
    const res = await h.run(ENTITIES, GUEST, { r: [{ __typename: 'ProductVariant', sku: 'TEE-M-RED' }] });
    expect(res.data._entities).toEqual([{ id: mRed, sku: 'TEE-M-RED', title: 'M / Red', price: { amount: '21.00' } }]);
  });
});
