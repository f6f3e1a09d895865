import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CUSTOMER, DEMO_ORDER, devToken, gql, startTestSupergraph, type TestSupergraph } from '../support/stack.ts';

let stack: TestSupergraph;
let adminToken: string;

beforeAll(async () => {
  stack = await startTestSupergraph();
  adminToken = await devToken('admin-e2e', ['admin']);
});
afterAll(async () => stack?.stop());

interface ProductNode {
  id: string;
  name: string;
  price: { amount: string };
  inStock: boolean;
  category: { slug: string } | null;
}
interface ProductPage {
  products: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ node: ProductNode }> };
}

const LIST = `query ($first: Int, $after: String, $filter: ProductFilter, $sort: ProductSort) {
  products(first: $first, after: $after, filter: $filter, sort: $sort) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id name price { amount } inStock category { slug } } }
  }
}`;

async function list(variables: Record<string, unknown>): Promise<ProductPage['products']> {
  const res = await gql<ProductPage>(stack.gatewayUrl, LIST, { variables });
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.products;
}

describe('catalog through the gateway', () => {
  it('pages through every product exactly once', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let total = 0;
    for (let page = 0; page < 50; page++) {
      const result = await list({ first: 7, after, sort: 'NAME_ASC' });
      total = result.totalCount;
      seen.push(...result.edges.map((e) => e.node.id));
      if (!result.pageInfo.hasNextPage) break;
      after = result.pageInfo.endCursor;
    }
    expect(total).toBe(60);
    expect(seen).toHaveLength(60);
    expect(new Set(seen).size).toBe(60);
  });

  it('lets an admin create a product that a shopper then finds by search', async () => {
    const create = await gql<{ productCreate: { product: { id: string } | null; userErrors: unknown[] } }>(
      stack.gatewayUrl,
      `mutation { productCreate(input: { sku: "E2E-MOUSE", name: "Ergonomic Wireless Mouse", description: "Quiet clicks, two-year battery.", price: "39.90", stock: 25 }) { product { id } userErrors { field code } } }`,
      { token: adminToken },
    );
    expect(create.body.data!.productCreate.userErrors).toEqual([]);
    const found = await list({ first: 5, filter: { search: 'wireless mouse' }, sort: 'RELEVANCE' });
    expect(found.edges[0]?.node.name).toBe('Ergonomic Wireless Mouse');
  });

  it('refuses catalog mutations to customers (FORBIDDEN) and guests (UNAUTHENTICATED)', async () => {
    const mutation = `mutation { productCreate(input: { sku: "NOPE", name: "Nope", price: "1.00" }) { product { id } } }`;
    const customer = await gql(stack.gatewayUrl, mutation, { token: await devToken(DEMO_CUSTOMER, ['customer']) });
    expect(customer.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const guest = await gql(stack.gatewayUrl, mutation);
    expect(guest.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('filters by category (its subtree), price range and stock, and sorts by price', async () => {
    type Row = { slug: string; parent: { slug: string } | null };
    const categories = await gql<{ categories: Row[] }>(stack.gatewayUrl, '{ categories { slug parent { slug } } }');
    const all = categories.body.data!.categories;
    // A top-level category (the seed's departments hold no products themselves) and every slug below it.
    const slug = all.find((c) => c.parent === null)!.slug;
    const subtree = new Set([slug]);
    for (let depth = 0; depth < 5; depth++) for (const c of all) if (c.parent && subtree.has(c.parent.slug)) subtree.add(c.slug);
    const inCategory = await list({ first: 100, filter: { categorySlug: slug } });
    expect(inCategory.totalCount).toBeGreaterThan(0);
    expect(inCategory.edges.every((e) => subtree.has(e.node.category!.slug) && e.node.category!.slug !== slug)).toBe(true);

    const priced = await list({ first: 100, filter: { minPrice: '50.00', maxPrice: '300.00' } });
    expect(priced.edges.every((e) => Number(e.node.price.amount) >= 50 && Number(e.node.price.amount) <= 300)).toBe(true);

    const inStock = await list({ first: 100, filter: { inStock: true } });
    const outOfStock = await list({ first: 100, filter: { inStock: false } });
    expect(inStock.edges.every((e) => e.node.inStock)).toBe(true);
    expect(outOfStock.edges.every((e) => !e.node.inStock)).toBe(true);
    expect(inStock.totalCount + outOfStock.totalCount).toBe(61);

    const expensive = await list({ first: 10, sort: 'PRICE_DESC' });
    const prices = expensive.edges.map((e) => Number(e.node.price.amount));
    expect(prices).toEqual([...prices].sort((a, b) => b - a));
  });

  it("resolves products referenced by another subgraph's entities (order lines)", async () => {
    const res = await gql<{ order: { lines: Array<{ name: string; product: { id: string; name: string; price: { amount: string } } }> } }>(
      stack.gatewayUrl,
      `query ($id: ID!) { order(id: $id) { lines { name product { id name price { amount } } } } }`,
      { token: await devToken(DEMO_CUSTOMER, ['customer']), variables: { id: DEMO_ORDER } },
    );
    expect(res.body.errors).toBeUndefined();
    const lines = res.body.data!.order.lines;
    expect(lines.length).toBeGreaterThan(0);
    // The order froze the name at checkout; the catalog resolves the live product behind it.
    for (const line of lines) expect(line.product.name).toBe(line.name);
  });
});
