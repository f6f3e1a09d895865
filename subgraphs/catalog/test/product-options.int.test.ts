import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUEST } from '@shop/platform';
import { ADMIN, CUSTOMER, startCatalogHarness, type CatalogHarness } from './catalog-harness.ts';

/** productCreate with options and variants: what it stores, what it emits, every input problem at once. */
let h: CatalogHarness;
beforeAll(async () => {
  h = await startCatalogHarness();
});
afterAll(async () => h?.orm.close());

const CREATE = `mutation ($input: ProductCreateInput!) {
  productCreate(input: $input) {
    product {
      id sku price { amount } availableQuantity inStock options { name values }
      priceRange { minVariantPrice { amount } maxVariantPrice { amount } }
      variants { totalCount edges { node { id sku title selectedOptions { name value } price { amount } compareAtPrice { amount } image { url } availableQuantity } } }
    }
    userErrors { field message code }
  }
}`;
const variant = (sku: string, size: string, color: string, price: string, extra: Record<string, unknown> = {}) => ({
  sku,
  // Given in another order than the product's options: stored and titled in the product's order.
  selectedOptions: [
    { name: 'Color', value: color },
    { name: 'Size', value: size },
  ],
  price,
  ...extra,
});
const SHIRT = {
  sku: 'TEE',
  name: 'Organic Tee',
  options: [
    { name: 'Size', values: ['S', 'M', 'L'] },
    { name: 'Color', values: ['Blue', 'Red'] },
  ],
  variants: [
    variant('TEE-S-BLU', 'S', 'Blue', '19.00', { stock: 5 }),
    variant('TEE-M-BLU', 'M', 'Blue', '17.50', { stock: 0, compareAtPrice: '25.00' }),
    variant('TEE-L-RED', 'L', 'Red', '21.00', { stock: 2, image: { url: 'https://img.example/red.jpg' } }),
  ],
};

type Edge = { node: { id: string; sku: string; title: string } };
const outbox = (sql: string, params: unknown[] = []) =>
  h.orm.em
    .fork()
    .execute<Array<{ payload: { data: Record<string, unknown> } }>>(`select payload from outbox_event where ${sql} order by seq`, params);
const errorsOf = (res: { data?: { productCreate: { userErrors: unknown[] } } | null }) => res.data!.productCreate.userErrors;

describe('productCreate with options and variants', () => {
  it('stores the options and variants (titles in option order), prices the product at its lowest variant and emits one event per variant', async () => {
    const res = await h.run(CREATE, ADMIN, { input: SHIRT });
    expect(res.errors).toBeUndefined();
    expect(errorsOf(res)).toEqual([]);
    const product = res.data!.productCreate.product;
    expect(product).toMatchObject({
      sku: 'TEE',
      price: { amount: '17.50' },
      availableQuantity: 7,
      inStock: true,
      options: SHIRT.options,
      priceRange: { minVariantPrice: { amount: '17.50' }, maxVariantPrice: { amount: '21.00' } },
    });
    const nodes = product.variants.edges.map((e: Edge) => e.node);
    expect(nodes.map((n: Edge['node']) => [n.sku, n.title])).toEqual([
      ['TEE-S-BLU', 'S / Blue'],
      ['TEE-M-BLU', 'M / Blue'],
      ['TEE-L-RED', 'L / Red'],
    ]);
    expect(nodes[1]).toMatchObject({
      selectedOptions: [
        { name: 'Size', value: 'M' },
        { name: 'Color', value: 'Blue' },
      ],
      price: { amount: '17.50' },
      compareAtPrice: { amount: '25.00' },
      availableQuantity: 0,
    });
    expect(nodes[2]).toMatchObject({ image: { url: 'https://img.example/red.jpg' }, availableQuantity: 2 });
    // A product with options has no variant with its own id (that id means "the only variant").
    expect(nodes.some((n: Edge['node']) => n.id === product.id)).toBe(false);
    const [row] = await h.orm.em.fork().execute<Array<{ price: number }>>('select price_amount as price from product where id = ?', [product.id]);
    expect(row!.price).toBe(1750);
    const events = await outbox(`payload->'data'->>'productId' = ?`, [product.id]);
    expect(events.map((e) => e.payload.data).sort((a, b) => String(a.sku).localeCompare(String(b.sku)))).toEqual(
      [
        { sku: 'TEE-L-RED', priceAmount: 2100, availableQuantity: 2 },
        { sku: 'TEE-M-BLU', priceAmount: 1750, availableQuantity: 0 },
        { sku: 'TEE-S-BLU', priceAmount: 1900, availableQuantity: 5 },
      ].map((e) => ({
        ...e,
        productId: product.id,
        variantId: nodes.find((n: Edge['node']) => n.sku === e.sku).id,
        currency: 'USD',
        available: true,
        change: 'CREATED',
      })),
    );
  });

  it('reports every problem with the options and variants at once, with its path, and creates nothing', async () => {
    const before = (await outbox('true')).length;
    const input = {
      sku: 'BAD-TEE',
      name: 'Bad Tee',
      price: '10.00',
      stock: 3,
      options: [
        { name: 'Size', values: ['S', 'M', 'm', 'x'.repeat(51)] },
        { name: 'size', values: ['One'] },
        { name: ' ', values: [] },
        { name: 'Fit=Slim', values: ['Yes'] },
      ],
      variants: [
        { sku: 'BAD-1', selectedOptions: [{ name: 'Size', value: 'XL' }], price: '-1.00' },
        { sku: 'BAD-2', selectedOptions: [{ name: 'Colour', value: 'Blue' }], price: '10.00' },
        { sku: 'BAD-3', selectedOptions: [{ name: 'Size', value: 'S' }], price: '10.00', compareAtPrice: '10.00' },
        { sku: 'BAD-4', selectedOptions: [{ name: 'Size', value: 'S' }], price: '10.00' },
        { sku: 'BAD-3', selectedOptions: [{ name: 'Size', value: 'M' }], price: '1.999' },
        { sku: 'TEE-S-BLU', selectedOptions: [{ name: 'Size', value: 'S' }], price: '10.00' },
      ],
    };
    const res = await h.run(CREATE, ADMIN, { input });
    expect(res.errors).toBeUndefined();
    expect(res.data!.productCreate.product).toBeNull();
    const got = errorsOf(res).map((e) => {
      const { field, code } = e as { field: string[]; code: string };
      return `${field.join('.')} ${code}`;
    });
    expect(got.sort()).toEqual(
      [
        'input.price INVALID', // with options each variant has its price
        'input.stock INVALID',
        'input.options TOO_LARGE', // 4 options
        'input.options.0.values.2 CONFLICT', // "m" and "M"
        'input.options.0.values.3 TOO_LONG',
        'input.options.1.name CONFLICT', // "size" and "Size"
        'input.options.2.name REQUIRED',
        'input.options.2.values REQUIRED',
        'input.options.3.name INVALID', // "=" separates name and value
        'input.variants.0.price NEGATIVE',
        'input.variants.0.selectedOptions INVALID', // Size has no XL (and names only one option)
        'input.variants.1.selectedOptions INVALID', // no option Colour
        'input.variants.2.compareAtPrice INVALID', // not more than the price
        'input.variants.2.selectedOptions INVALID',
        'input.variants.3.selectedOptions INVALID',
        'input.variants.4.price PRECISION',
        'input.variants.4.selectedOptions INVALID',
        'input.variants.4.sku TAKEN', // BAD-3 twice in the input
        'input.variants.5.selectedOptions INVALID',
        'input.variants.5.sku TAKEN', // another product's variant has it
      ].sort(),
    );
    const [row] = await h.orm.em.fork().execute<Array<{ n: number }>>(`select count(*)::int as n from product where sku = 'BAD-TEE'`);
    expect(row!.n).toBe(0);
    expect(await outbox('true')).toHaveLength(before);
  });

  it('refuses two variants with the same options (CONFLICT) and a taken product SKU (TAKEN)', async () => {
    const res = await h.run(CREATE, ADMIN, {
      input: {
        ...SHIRT,
        variants: [variant('DUP-1', 'S', 'Blue', '9.00'), variant('DUP-2', 'M', 'Red', '9.00'), variant('DUP-3', 'S', 'Blue', '9.00')],
      },
    });
    expect(errorsOf(res)).toEqual([
      expect.objectContaining({
        field: ['input', 'variants', '2', 'selectedOptions'],
        code: 'CONFLICT',
        message: 'Same options as variant 0 (S / Blue)',
      }),
      expect.objectContaining({ field: ['input', 'sku'], code: 'TAKEN' }),
    ]);
  });

  it('needs variants with options, options with variants, a price without options; at most 100 variants', async () => {
    const base = { sku: 'RULES', name: 'Rules' };
    const options = [{ name: 'Size', values: ['S'] }];
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [{ options }, ['input.variants REQUIRED']],
      [{ options, variants: [] }, ['input.variants REQUIRED']],
      [{ price: '1.00', variants: [{ sku: 'R-1', selectedOptions: [], price: '1.00' }] }, ['input.variants INVALID']],
      [{}, ['input.price REQUIRED']],
      [
        {
          options: [{ name: 'N', values: Array.from({ length: 101 }, (_, i) => `v${i}`) }],
          variants: Array.from({ length: 101 }, (_, i) => ({ sku: `R-${i}`, selectedOptions: [{ name: 'N', value: `v${i}` }], price: '1.00' })),
        },
        ['input.options.0.values TOO_LARGE', 'input.variants TOO_LARGE'],
      ],
    ];
    for (const [extra, expected] of cases) {
      const res = await h.run(CREATE, ADMIN, { input: { ...base, ...extra } });
      expect(res.errors, JSON.stringify(extra).slice(0, 80)).toBeUndefined();
      expect(errorsOf(res).map((e) => `${(e as { field: string[] }).field.join('.')} ${(e as { code: string }).code}`)).toEqual(expected);
    }
    // Exactly the maximum is fine.
    const hundred = await h.run(CREATE, ADMIN, {
      input: {
        ...base,
        options: [{ name: 'N', values: Array.from({ length: 100 }, (_, i) => `v${i}`) }],
        variants: Array.from({ length: 100 }, (_, i) => ({ sku: `R-${i}`, selectedOptions: [{ name: 'N', value: `v${i}` }], price: `${i + 1}.00` })),
      },
    });
    expect(errorsOf(hundred)).toEqual([]);
    expect(hundred.data!.productCreate.product).toMatchObject({ price: { amount: '1.00' }, variants: { totalCount: 100 } });
  });

  it('keeps option values with quotes, commas and braces intact, and finds the variant by them', async () => {
    const odd = ['12" Wide, {Big}', 'Back\\slash', 'Plain'];
    const res = await h.run(CREATE, ADMIN, {
      input: {
        sku: 'ODD',
        name: 'Odd Frame',
        options: [{ name: 'Format', values: odd }],
        variants: odd.map((value, i) => ({ sku: `ODD-${i}`, selectedOptions: [{ name: 'Format', value }], price: '5.00' })),
      },
    });
    expect(errorsOf(res)).toEqual([]);
    const found = await h.run(
      `query ($sku: String!, $s: [SelectedOptionInput!]!) { product(sku: $sku) { variantBySelectedOptions(selectedOptions: $s) { sku title } } }`,
      GUEST,
      { sku: 'ODD', s: [{ name: 'Format', value: odd[0] }] },
    );
    expect(found.data!.product.variantBySelectedOptions).toEqual({ sku: 'ODD-0', title: odd[0] });
    const [row] = await h.orm.em
      .fork()
      .execute<Array<{ values: string[] }>>(`select option_values as values from product_variant where sku = 'ODD-1'`);
    expect(row!.values).toEqual(['Format=Back\\slash']);
  });

  it('still sells a product without options as one "Default Title" variant with the product\'s id', async () => {
    const res = await h.run(CREATE, ADMIN, { input: { sku: 'MUG-1', name: 'Mug', price: '8.00', stock: 4 } });
    const product = res.data!.productCreate.product;
    expect(product).toMatchObject({ options: [], price: { amount: '8.00' }, availableQuantity: 4 });
    expect(product.variants.edges.map((e: Edge) => e.node)).toEqual([
      expect.objectContaining({ id: product.id, sku: 'MUG-1', title: 'Default Title', selectedOptions: [] }),
    ]);
  });

  it('is FORBIDDEN for a customer and UNAUTHENTICATED for a guest, for every variant mutation', async () => {
    const mutations = [
      `mutation { productVariantCreate(productId: "${randomUUID()}", input: { sku: "X", selectedOptions: [], price: "1.00" }) { userErrors { code } } }`,
      `mutation { productVariantUpdate(id: "${randomUUID()}", input: { price: "1.00" }) { userErrors { code } } }`,
      `mutation { productVariantDelete(id: "${randomUUID()}") { userErrors { code } } }`,
    ];
    for (const mutation of mutations) {
      expect((await h.run(mutation, CUSTOMER)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect((await h.run(mutation, GUEST)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });
});
