import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../scripts/schema/subgraphs.ts';
import { assertSignedIn, DEMO_LOGIN, LOGIN } from './accounts.ts';

/** Benchmark entries: one GraphQL request each, as a client (or the gateway) sends it. */
export interface BenchContext {
  gatewayUrl: string;
  catalogUrl: string;
  cartUrl: string;
  accountUrl: string;
  /** A second cart process with the Redis cache switched off (started by the runner). */
  cartNoCacheUrl: () => Promise<string>;
  customerToken: string;
  /** POST a query once (setup, not measured). */
  query: <T>(url: string, query: string, variables?: Record<string, unknown>) => Promise<T>;
}

export interface BenchEntry {
  name: string;
  /** Where the load goes: the gateway unless the entry measures one subgraph. */
  target: 'gateway' | 'catalog' | 'cart' | 'account' | 'cart-no-cache' | 'gateway-protected' | 'gateway-open';
  query: string;
  headers: (ctx: BenchContext) => Record<string, string>;
  /** Variables for the measured request, found once before the run. */
  prepare?: (ctx: BenchContext) => Promise<Record<string, unknown>>;
  /** Throws when the checked answer (`data`) is not the one to measure, e.g. a mutation's userErrors. */
  check?: (data: unknown) => void;
}

const json = { 'content-type': 'application/json' };
const asCustomer = (ctx: BenchContext) => ({ ...json, authorization: `Bearer ${ctx.customerToken}` });

const PRODUCT_LIST = `query ProductList($first: Int!) {
  products(first: $first, sort: NEWEST) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id name slug price { amount currencyCode } images { url altText } inStock category { name slug } } }
  }
}`;

const CART_PAGE = `query CartPage($id: ID!) {
  cart(id: $id) {
    id status version totalQuantity
    lines(first: 100) { totalCount edges { node { id quantity available unitPrice { amount currencyCode }
      product { id slug name price { amount currencyCode } images { url altText } inStock } } } }
    cost { subtotalAmount { amount } discountAmount { amount } shippingAmount { amount } taxAmount { amount } totalAmount { amount currencyCode } }
  }
}`;

/** The web client's CartPage exactly as listed in the trusted-documents manifest. */
const TRUSTED_CART_PAGE = Object.values(
  JSON.parse(readFileSync(join(repoRoot, 'schema/trusted-documents.json'), 'utf8')) as Record<string, { name: string; document: string }>,
).find((d) => d.name === 'CartPage')!.document;

const CART_READ = `query CartRead($id: ID!) { cart(id: $id) { id version totalQuantity lines { edges { node { id quantity unitPrice { amount } } } } cost { totalAmount { amount } } } }`;

const PRODUCT_LIST_FACETS = `query ProductFacets($slug: String!) {
  products(first: 20, filter: { categorySlug: $slug }) {
    totalCount edges { node { id name priceRange { minVariantPrice { amount } } inStock } }
    facets { categories { category { slug } count } options { name values { value count } } priceBuckets { minPrice { amount } count } inStockCount }
  }
}`;

/** The top-level category with the most products (its facets count a large share of the catalog). */
async function topCategory(ctx: BenchContext): Promise<string> {
  const data = await ctx.query<{ products: { facets: { categories: Array<{ category: { slug: string }; count: number }> } } }>(
    ctx.gatewayUrl,
    '{ products(first: 0) { facets { categories { category { slug } count } } } }',
    {},
  );
  const [top] = [...data.products.facets.categories].sort((a, b) => b.count - a.count);
  if (!top) throw new Error('the catalog has no categories with products');
  return top.category.slug;
}

/** A guest cart with `n` different in-stock products (made once, before the run). */
export async function cartWithLines(ctx: BenchContext, n: number): Promise<string> {
  const data = await ctx.query<{ products: { edges: Array<{ node: { variants: { edges: Array<{ node: { id: string; inStock: boolean } }> } } }> } }>(
    ctx.gatewayUrl,
    `query ($n: Int!) { products(first: $n, filter: { inStock: true }, sort: NEWEST) { edges { node { variants(first: 10) { edges { node { id inStock } } } } } } }`,
    { n },
  );
  // One in-stock variant of each product (what a cart line buys).
  const lines = data.products.edges.map((e) => ({ merchandiseId: e.node.variants.edges.find((v) => v.node.inStock)!.node.id, quantity: 1 }));
  const created = await ctx.query<{ cartCreate: { cart: { id: string } } }>(
    ctx.gatewayUrl,
    `mutation ($lines: [CartLineInput!]) { cartCreate(input: { lines: $lines }) { cart { id } } }`,
    {
      lines,
    },
  );
  return created.cartCreate.cart.id;
}

const PRODUCT_PAGE = `query ProductPage($slug: String!) {
  product(slug: $slug) {
    id sku name description price { amount currencyCode } images { url altText } inStock availableQuantity
    category { id name slug }
  }
}`;

export async function firstProducts(ctx: BenchContext, n: number): Promise<Array<{ id: string; slug: string }>> {
  const data = await ctx.query<{ products: { edges: Array<{ node: { id: string; slug: string } }> } }>(
    ctx.gatewayUrl,
    `query ($n: Int!) { products(first: $n, sort: NEWEST) { edges { node { id slug } } } }`,
    { n },
  );
  return data.products.edges.map((e) => e.node);
}

/** One line's quantity set again: a whole cart mutation (row lock, write, version, the fresh copy priced with promotions into Redis, cart-changed). */
const CART_LINES_UPDATE = `mutation CartLinesUpdate($id: ID!, $lines: [CartLineUpdateInput!]!) {
  cartLinesUpdate(cartId: $id, lines: $lines) { cart { id version cost { totalAmount { amount } } } userErrors { code message } }
}`;

export const entries: BenchEntry[] = [
  { name: 'typename', target: 'gateway', query: '{ __typename }', headers: () => json },
  { name: 'product-list', target: 'gateway', query: PRODUCT_LIST, headers: () => json, prepare: async () => ({ first: 20 }) },
  {
    // A category page with its facets (4 more statements in the catalog): the cost of narrowing.
    name: 'product-list-facets',
    target: 'gateway',
    query: PRODUCT_LIST_FACETS,
    headers: () => json,
    prepare: async (ctx) => ({ slug: await topCategory(ctx) }),
  },
  {
    name: 'product-search',
    target: 'gateway',
    query: `query Search($text: String!) { products(first: 20, filter: { search: $text }) { totalCount edges { node { id name price { amount currencyCode } inStock } } } }`,
    headers: () => json,
    prepare: async () => ({ text: 'wireless mouse' }),
  },
  {
    name: 'product-page',
    target: 'gateway',
    query: PRODUCT_PAGE,
    headers: () => json,
    prepare: async (ctx) => ({ slug: (await firstProducts(ctx, 1))[0]!.slug }),
  },
  {
    name: 'entities-100',
    target: 'catalog',
    query: `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id name price { amount currencyCode } availableQuantity } } }`,
    headers: () => json,
    prepare: async (ctx) => ({ r: (await firstProducts(ctx, 100)).map((p) => ({ __typename: 'Product', id: p.id })) }),
  },
  { name: 'cart-page-20', target: 'gateway', query: CART_PAGE, headers: () => json, prepare: async (ctx) => ({ id: await cartWithLines(ctx, 20) }) },
  {
    name: 'cart-page-protections-on',
    target: 'gateway-protected',
    query: TRUSTED_CART_PAGE,
    headers: () => json,
    prepare: async (ctx) => ({ id: await cartWithLines(ctx, 20) }),
  },
  {
    name: 'cart-page-protections-off',
    target: 'gateway-open',
    query: TRUSTED_CART_PAGE,
    headers: () => json,
    prepare: async (ctx) => ({ id: await cartWithLines(ctx, 20) }),
  },
  {
    // Every connection updates the same 20-line cart (over 100.00: the seeded automatic promotion applies), so the
    // mutations queue on its row lock: the figure is one cart's mutation throughput, priced as a shopper's would be.
    name: 'cart-lines-update',
    target: 'gateway',
    query: CART_LINES_UPDATE,
    headers: () => json,
    prepare: async (ctx) => {
      const id = await cartWithLines(ctx, 20);
      const cart = await ctx.query<{ cart: { lines: { edges: Array<{ node: { id: string } }> } } }>(
        ctx.gatewayUrl,
        'query ($id: ID!) { cart(id: $id) { lines(first: 1) { edges { node { id } } } } }',
        { id },
      );
      return { id, lines: [{ id: cart.cart.lines.edges[0]!.node.id, quantity: 1 }] };
    },
    check: (data) => {
      const errors = (data as { cartLinesUpdate: { userErrors: unknown[] } }).cartLinesUpdate.userErrors;
      if (errors.length) throw new Error(`cartLinesUpdate refused: ${JSON.stringify(errors)}`);
    },
  },
  { name: 'cart-read-cached', target: 'cart', query: CART_READ, headers: () => json, prepare: async (ctx) => ({ id: await cartWithLines(ctx, 20) }) },
  {
    name: 'cart-read-uncached',
    target: 'cart-no-cache',
    query: CART_READ,
    headers: () => json,
    prepare: async (ctx) => ({ id: await cartWithLines(ctx, 20) }),
  },
  {
    name: 'account-3-subgraphs',
    target: 'gateway',
    query: '{ me { id cart { id totalQuantity } orders(first: 10) { totalCount edges { node { number status payment { status } } } } } }',
    headers: asCustomer,
  },
  {
    // One argon2id verification, a refresh token written and an ES256 signature per request.
    name: 'login',
    target: 'gateway',
    query: LOGIN,
    headers: () => json,
    prepare: async () => DEMO_LOGIN,
    check: (data) => void assertSignedIn((data as { customerLogin?: Parameters<typeof assertSignedIn>[0] }).customerLogin, 'customerLogin'),
  },
  {
    name: 'login-subgraph',
    target: 'account',
    query: LOGIN,
    headers: () => json,
    prepare: async () => DEMO_LOGIN,
    check: (data) => void assertSignedIn((data as { customerLogin?: Parameters<typeof assertSignedIn>[0] }).customerLogin, 'customerLogin'),
  },
];
