import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUEST } from '@shop/platform';
import { ADMIN, insertProducts, startCatalogHarness, type CatalogHarness, type TestProduct } from './catalog-harness.ts';

/**
 * A menu: every category with its first products (Category.products of many categories in one
 * request). Each category's page must be what it lists alone, and the request's statements must
 * not grow with the number of categories.
 */
let h: CatalogHarness;
const TOP = 12;
/** Per top-level category: its id, its two children's ids, and the names of the products in its subtree. */
const tops: Array<{ id: string; slug: string; children: string[]; names: string[] }> = [];
const productIds = new Map<string, string>();

const CREATE = `mutation ($input: CategoryCreateInput!) { categoryCreate(input: $input) { category { id slug } userErrors { code } } }`;
const MENU = `query ($after: String) { categories { id slug
  products(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id name } } }
  children { id products(first: 1) { totalCount edges { node { name } } } } } }`;
const PAGE = `query ($big: String!, $small: String!, $after: String) {
  big: category(slug: $big) { products(first: 2, after: $after) { edges { node { name } } } }
  small: category(slug: $small) { products(first: 2) { edges { node { name } } } } }`;

async function create(name: string, parentId: string | null): Promise<{ id: string; slug: string }> {
  const res = await h.run(CREATE, ADMIN, { input: { name, parentId } });
  expect(res.data.categoryCreate.userErrors).toEqual([]);
  return res.data.categoryCreate.category;
}

beforeAll(async () => {
  h = await startCatalogHarness();
  const products: TestProduct[] = [];
  for (let t = 0; t < TOP; t++) {
    const top = await create(`Menu ${String(t).padStart(2, '0')}`, null);
    const children = [await create(`Menu ${t} A`, top.id), await create(`Menu ${t} B`, top.id)];
    // t products in child A, one in child B, none in the top category itself: totals 1..12.
    const names: string[] = [];
    children.forEach((child, c) => {
      for (let n = 0; n < (c === 0 ? t : 1); n++) {
        const name = `Item ${String(t).padStart(2, '0')}-${c}-${String(n).padStart(2, '0')}`;
        productIds.set(name, randomUUID());
        products.push({ id: productIds.get(name)!, sku: `MENU-${t}-${c}-${n}`, name, price: 1000 + n, categoryId: child.id });
        names.push(name);
      }
    });
    tops.push({ id: top.id, slug: top.slug, children: children.map((child) => child.id), names: names.sort() });
  }
  await insertProducts(h.orm, products);
});
afterAll(async () => h?.orm.close());

const menuOf = async (after?: string) => {
  const res = await h.run(MENU, GUEST, after ? { after } : {});
  const byId = new Map<string, (typeof res.data.categories)[number]>(res.data.categories.map((c: { id: string }) => [c.id, c]));
  return { res, byId };
};

describe('a menu of categories with their products', () => {
  it("gives every category its own subtree's first products by name, its count and its next page", async () => {
    const { res, byId } = await menuOf();
    expect(res.errors).toBeUndefined();
    for (const top of tops) {
      const listed = byId.get(top.id).products;
      expect(listed.totalCount).toBe(top.names.length);
      expect(listed.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual(top.names.slice(0, 2));
      expect(listed.pageInfo.hasNextPage).toBe(top.names.length > 2);
      const [a, b] = top.children.map((id) => byId.get(id).products);
      expect(a.totalCount).toBe(top.names.length - 1);
      expect(b.totalCount).toBe(1);
    }
  });

  it('asks the database the same few statements for 12 categories as one listing would need per level', async () => {
    await menuOf();
    // Categories, then per level (top, children): their subtrees and their pages; plus the children.
    const pages = h.queries.filter((q) => q.includes('from product p'));
    expect(pages).toHaveLength(2);
    expect(h.queries.length).toBeLessThanOrEqual(6);
  });

  it("gives every category's listing in the menu the facets it has alone, the counts of all of them read together", async () => {
    const facets = `facets { categories { category { id } count } options { name values { value count } } priceBuckets { count } inStockCount }`;
    const menu = await h.run(`{ categories { slug products(first: 1) { ${facets} } } }`, GUEST);
    expect(menu.errors).toBeUndefined();
    // Five statements for every listing's facets (child categories, option values, prices, in stock, the child categories' rows).
    expect(h.queries.filter((q) => q.includes('union all')).length).toBe(4);
    for (const { slug, products } of menu.data.categories) {
      const alone = await h.run(`query ($slug: String!) { products(filter: { categorySlug: $slug }) { ${facets} } }`, GUEST, { slug });
      expect(products.facets).toEqual(alone.data.products.facets);
    }
    const top = menu.data.categories.find((c: { slug: string }) => c.slug === tops.at(-1)!.slug).products.facets;
    expect(top.categories.map((c: { count: number }) => c.count)).toEqual([TOP - 1, 1]);
  });

  it('continues a category from the cursor its menu page gave', async () => {
    const big = tops.at(-1)!;
    const first = (await menuOf()).byId.get(big.id).products;
    const next = await h.run(PAGE, GUEST, { big: big.slug, small: tops[0]!.slug, after: first.pageInfo.endCursor });
    expect(next.errors).toBeUndefined();
    expect(next.data.big.products.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual(big.names.slice(2, 4));
  });

  it('refuses a cursor of another listing for its category only, with a path', async () => {
    const other = (await menuOf()).byId.get(tops[1]!.id).products.pageInfo.endCursor;
    const res = await h.run(PAGE, GUEST, { big: tops.at(-1)!.slug, small: tops[0]!.slug, after: other });
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]).toMatchObject({ path: ['big', 'products'], extensions: { code: 'BAD_USER_INPUT' } });
    expect(res.data?.small.products.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual(tops[0]!.names.slice(0, 2));
  });

  it('refuses a cursor whose name holds a NUL (text Postgres cannot take) as BAD_USER_INPUT, with a path', async () => {
    const made = (await menuOf()).byId.get(tops.at(-1)!.id).products.pageInfo.endCursor as string;
    const [sort, fingerprint, , id] = JSON.parse(Buffer.from(made, 'base64url').toString()) as string[];
    const after = Buffer.from(JSON.stringify([sort, fingerprint, '\u0000', id])).toString('base64url');
    const res = await h.run(PAGE, GUEST, { big: tops.at(-1)!.slug, small: tops[0]!.slug, after });
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]).toMatchObject({ path: ['big', 'products'], extensions: { code: 'BAD_USER_INPUT', field: ['after'] } });
  });
});
