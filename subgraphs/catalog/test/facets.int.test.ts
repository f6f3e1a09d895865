import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUEST } from '@shop/platform';
import { ADMIN, insertProducts, insertProductWithVariants, startCatalogHarness, type CatalogHarness } from './catalog-harness.ts';

let h: CatalogHarness;
const category: Record<string, string> = {};

type Filter = {
  categorySlug?: string;
  search?: string;
  minPrice?: string;
  maxPrice?: string;
  inStock?: boolean;
  options?: Array<{ name: string; values: string[] }>;
};
interface Facets {
  categories: Array<{ category: { slug: string }; count: number }>;
  options: Array<{ name: string; values: Array<{ value: string; count: number }> }>;
  priceBuckets: Array<{ minPrice: { amount: string }; maxPrice: { amount: string } | null; count: number }>;
  inStockCount: number;
}

const LIST = `query ($filter: ProductFilter) { products(first: 1, filter: $filter) { totalCount facets {
  categories { category { slug } count } options { name values { value count } }
  priceBuckets { minPrice { amount } maxPrice { amount } count } inStockCount } } }`;

async function listing(filter: Filter): Promise<{ totalCount: number; facets: Facets }> {
  const res = await h.run(LIST, GUEST, { filter });
  expect(res.errors).toBeUndefined();
  return res.data.products;
}

beforeAll(async () => {
  h = await startCatalogHarness();
  const create = async (name: string, parent?: string) => {
    const res = await h.run(`mutation ($i: CategoryCreateInput!) { categoryCreate(input: $i) { category { id slug } } }`, ADMIN, {
      i: { name, parentId: parent ? category[parent] : null },
    });
    category[res.data.categoryCreate.category.slug] = res.data.categoryCreate.category.id;
  };
  await create('Apparel');
  await create('Men', 'apparel');
  await create('Women', 'apparel');
  await create('Kitchen');
  const tee = (size: string, color: string, price: number, onHand: number) => ({
    id: randomUUID(),
    sku: `F-${randomUUID().slice(0, 8)}`,
    options: [
      { name: 'Size', value: size },
      { name: 'Color', value: color },
    ],
    price,
    onHand,
  });
  const products: Array<[string, string, Array<ReturnType<typeof tee>>]> = [
    ['men', 'Linen Shirt', [tee('M', 'Blue', 4900, 3), tee('L', 'Blue', 4900, 0), tee('M', 'White', 5200, 1)]],
    ['men', 'Oxford Shirt', [tee('S', 'White', 3900, 0), tee('M', 'White', 3900, 0)]],
    ['women', 'Wrap Dress', [tee('S', 'Red', 8900, 2), tee('M', 'Red', 8900, 5), tee('M', 'Blue', 9900, 1)]],
    ['women', 'Tank Top', [tee('S', 'Blue', 1500, 9), tee('L', 'White', 1500, 0)]],
  ];
  for (const [slug, name, variants] of products) {
    const id = randomUUID();
    await insertProductWithVariants(
      h.orm,
      {
        id,
        sku: `P-${id.slice(0, 8)}`,
        name,
        options: [
          { name: 'Size', values: ['S', 'M', 'L'] },
          { name: 'Color', values: ['Blue', 'White', 'Red'] },
        ],
      },
      variants,
    );
    await h.orm.em.fork().execute('update product set category_id = ? where id = ?', [category[slug], id]);
  }
  await insertProducts(h.orm, [
    { id: randomUUID(), sku: 'F-PAN', name: 'Cast Iron Pan', price: 6500, onHand: 4, categoryId: category.kitchen },
    { id: randomUUID(), sku: 'F-KNIFE', name: 'Chef Knife', price: 55000, onHand: 0, categoryId: category.kitchen },
    { id: randomUUID(), sku: 'F-GIFT', name: 'Gift Card', price: 2500, onHand: 100 },
  ]);
});
afterAll(async () => h?.orm.close());

/** Applies every facet of `filter`'s listing and checks each count against the resulting totalCount. */
async function everyFacetCountHolds(filter: Filter): Promise<Facets> {
  const { facets } = await listing(filter);
  const checks: Array<[string, Filter, number]> = [
    ...facets.categories.map((c): [string, Filter, number] => [`category ${c.category.slug}`, { ...filter, categorySlug: c.category.slug }, c.count]),
    ...facets.options.flatMap(({ name, values }) =>
      values.map((v): [string, Filter, number] => [
        `${name}=${v.value}`,
        { ...filter, options: [...(filter.options ?? []).filter((o) => o.name !== name), { name, values: [v.value] }] },
        v.count,
      ]),
    ),
    ...facets.priceBuckets.map((b): [string, Filter, number] => [
      `price ${b.minPrice.amount}–${b.maxPrice?.amount ?? ''}`,
      { ...filter, minPrice: b.minPrice.amount, ...(b.maxPrice ? { maxPrice: b.maxPrice.amount } : { maxPrice: undefined }) },
      b.count,
    ]),
    ['in stock', { ...filter, inStock: true }, facets.inStockCount],
  ];
  for (const [label, applied, count] of checks) expect((await listing(applied)).totalCount, label).toBe(count);
  return facets;
}

describe('listing facets', () => {
  it('counts what each facet of the whole catalog would list', async () => {
    const facets = await everyFacetCountHolds({});
    expect(facets.categories).toEqual([
      { category: { slug: 'apparel' }, count: 4 },
      { category: { slug: 'kitchen' }, count: 2 },
    ]);
    expect(facets.options.map((o) => o.name)).toEqual(['Color', 'Size']);
    expect(facets.options[1]!.values).toEqual([
      { value: 'M', count: 3 },
      { value: 'S', count: 3 },
      { value: 'L', count: 2 },
    ]);
    expect(facets.inStockCount).toBe(5); // of 7: the Oxford Shirt and the knife have nothing left
    expect(facets.priceBuckets.map((b) => [b.minPrice.amount, b.maxPrice?.amount ?? null, b.count])).toEqual([
      ['0.00', '24.99', 1],
      ['25.00', '49.99', 3],
      ['50.00', '99.99', 2],
      ['500.00', null, 1],
    ]);
  });

  it('drills into a category: its subcategories, counted with their descendants', async () => {
    const facets = await everyFacetCountHolds({ categorySlug: 'apparel' });
    expect(facets.categories).toEqual([
      { category: { slug: 'men' }, count: 2 },
      { category: { slug: 'women' }, count: 2 },
    ]);
  });

  it('counts an option value with the other option filters applied to the same variant', async () => {
    // Size M in Blue exists for the Linen Shirt and the Wrap Dress only.
    const facets = await everyFacetCountHolds({ options: [{ name: 'Color', values: ['Blue'] }] });
    expect(facets.options.find((o) => o.name === 'Size')!.values).toEqual([
      { value: 'M', count: 2 },
      { value: 'L', count: 1 },
      { value: 'S', count: 1 },
    ]);
    // Color's own values still list every colour (choosing another replaces Blue).
    expect(facets.options.find((o) => o.name === 'Color')!.values.map((v) => v.value)).toEqual(['Blue', 'White', 'Red']);
    expect(
      (
        await listing({
          options: [
            { name: 'Color', values: ['Blue'] },
            { name: 'Size', values: ['M'] },
          ],
        })
      ).totalCount,
    ).toBe(2);
  });

  it('holds for combined filters: search, price range, in stock, two options', async () => {
    await everyFacetCountHolds({ search: 'shirt', inStock: true });
    await everyFacetCountHolds({ minPrice: '20.00', maxPrice: '90.00', options: [{ name: 'Size', values: ['S', 'L'] }] });
    await everyFacetCountHolds({
      categorySlug: 'women',
      options: [
        { name: 'Size', values: ['M'] },
        { name: 'Color', values: ['Red', 'Blue'] },
      ],
    });
  });

  it('refuses malformed option filters with BAD_USER_INPUT and a path', async () => {
    const res = await h.run(LIST, GUEST, { filter: { options: [{ name: 'Size=M', values: ['M'] }] } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['filter', 'options', '0', 'name'] });
  });
});
