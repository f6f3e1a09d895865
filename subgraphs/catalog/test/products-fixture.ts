// The fixture the product listing tests share: one catalog database per test file.
import { afterAll, beforeAll, expect } from 'vitest';
import { GUEST, type MikroORM } from '@shop/platform';
import { insertProducts, startCatalogHarness, type CatalogHarness } from './catalog-harness.ts';
import { seedCatalog } from '../src/data/seed-data.ts';

let orm: MikroORM;
let run: CatalogHarness['run'];
let computers: { id: string; slug: string };
/** Slugs of Computers and the categories under it (the seed puts products in subcategories: Mice, Keyboards …). */
let computerSlugs: string[];

/** What the listing tests share, set up once per test file by useProductsFixture. */
export const fx = {
  get orm() {
    return orm;
  },
  get run() {
    return run;
  },
  get computers() {
    return computers;
  },
  get computerSlugs() {
    return computerSlugs;
  },
};
/** The products of a category's subtree (its id the parameter), as the listing should find them. */
export const IN_SUBTREE = "and category_id in (select id from category where path like (select path from category where id = ?) || '%')";

export const MOUSE_ID = '00000000-0000-4000-8000-00000000f001';
export const DELETED_ID = '00000000-0000-4000-8000-00000000f002';
export const RESERVED_ID = '00000000-0000-4000-8000-00000000f003';
export const FAN_ID = '00000000-0000-4000-8000-00000000f004';
// Same name, price and creation instant (to the microsecond): only the id orders them.
export const TIE_IDS = ['00000000-0000-4000-8000-00000000f0a1', '00000000-0000-4000-8000-00000000f0a2', '00000000-0000-4000-8000-00000000f0a3'];

export async function addProduct(p: {
  id: string;
  name: string;
  description?: string;
  price: number;
  onHand?: number;
  reserved?: number;
  createdAt?: string;
  deleted?: boolean;
  categoryId?: string | null;
}) {
  const suffix = p.id.slice(-4);
  await insertProducts(orm, [{ ...p, sku: `T-${suffix}`, slug: `t-${suffix}`, createdAt: p.createdAt ?? '2026-06-01T00:00:00.000000Z' }]);
}

/** The expected order, straight from SQL without keysets. */
export async function expectedIds(where: string, orderBy: string, params: unknown[] = []): Promise<string[]> {
  const rows = await orm.em
    .fork()
    .execute<Array<{ id: string }>>(`select id from product where deleted_at is null ${where} order by ${orderBy}`, params);
  return rows.map((r) => r.id);
}

export const LIST = `query ($first: Int, $after: String, $filter: ProductFilter, $sort: ProductSort) {
  products(first: $first, after: $after, filter: $filter, sort: $sort) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id name price { amount } inStock availableQuantity category { slug } } }
  }
}`;

export interface Node {
  id: string;
  name: string;
  price: { amount: string };
  inStock: boolean;
  availableQuantity: number;
  category: { slug: string } | null;
}

/** Follow endCursor until hasNextPage is false; checks every page's connection invariants. */
export async function pageAll(variables: Record<string, unknown>, first = 7): Promise<{ nodes: Node[]; totalCount: number; pages: number }> {
  const nodes: Node[] = [];
  let after: string | null = null;
  let totalCount = -1;
  for (let pages = 1; pages < 200; pages++) {
    const { data, errors } = await run(LIST, GUEST, { ...variables, first, after });
    expect(errors).toBeUndefined();
    const c = data.products;
    if (totalCount >= 0) expect(c.totalCount).toBe(totalCount);
    totalCount = c.totalCount;
    expect(c.pageInfo.hasPreviousPage).toBe(after !== null);
    expect(c.pageInfo.endCursor).toBe(c.edges.at(-1)?.cursor ?? null);
    nodes.push(...c.edges.map((e: { node: Node }) => e.node));
    if (!c.pageInfo.hasNextPage) return { nodes, totalCount, pages };
    expect(c.edges).toHaveLength(first);
    after = c.pageInfo.endCursor;
  }
  throw new Error('did not reach the last page');
}

interface SimpleConnection {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{ node: { id: string; availableQuantity?: number } }>;
}

/** Every page of a connection `fetch` returns for a cursor: the ids in order and the last totalCount. */
export async function follow(
  fetch: (after: string | null) => Promise<SimpleConnection>,
): Promise<{ ids: string[]; total: number; nodes: SimpleConnection['edges'][number]['node'][] }> {
  const nodes: SimpleConnection['edges'][number]['node'][] = [];
  let after: string | null = null;
  for (;;) {
    const c = await fetch(after);
    nodes.push(...c.edges.map((e) => e.node));
    if (!c.pageInfo.hasNextPage) return { ids: nodes.map((n) => n.id), total: c.totalCount, nodes };
    after = c.pageInfo.endCursor;
  }
}

export async function errorCode(query: string, variables: Record<string, unknown>, identity = GUEST) {
  const { data, errors } = await run(query, identity, variables);
  return { code: errors?.[0]?.extensions?.code, field: errors?.[0]?.extensions?.field, data };
}

/** A catalog database with the 120-product seed and the products these tests name, for this test file. */
export function useProductsFixture(): void {
  beforeAll(async () => {
    ({ orm, run } = await startCatalogHarness());
    expect(await seedCatalog(orm.em.fork(), 120)).toBe(120);
    computers = (await orm.em.fork().execute<Array<{ id: string; slug: string }>>("select id, slug from category where slug = 'computers'"))[0]!;
    computerSlugs = (
      await orm.em
        .fork()
        .execute<Array<{ slug: string }>>("select slug from category where path like (select path from category where slug = 'computers') || '%'")
    ).map((r) => r.slug);
    await addProduct({
      id: MOUSE_ID,
      name: 'Ergonomic Wireless Mouse',
      description: 'Quiet clicks, two-year battery.',
      price: 3990,
      onHand: 25,
      categoryId: computers.id,
    });
    await addProduct({ id: DELETED_ID, name: 'Retired Wireless Mouse', price: 1990, deleted: true, categoryId: computers.id });
    await addProduct({ id: RESERVED_ID, name: 'Fully Reserved Lamp', price: 4500, onHand: 4, reserved: 4 });
    await addProduct({ id: FAN_ID, name: 'Quiet Desk Fan', description: 'Three speeds.', price: 2900 });
    for (const id of TIE_IDS) await addProduct({ id, name: 'Tie Lamp', price: 5000, createdAt: '2026-06-01T00:00:00.123456Z' });
    // Units sold for BEST_SELLING: spread with many equal counts, the tie lamps all equal.
    await orm.em
      .fork()
      .execute('update product set units_sold = case when id = any(?::uuid[]) then 50 else (price_amount / 100) % 7 end', [`{${TIE_IDS.join(',')}}`]);
  });

  afterAll(async () => {
    await orm?.close();
  });
}

/** Live products: the seed's 120 and six of the named (one is deleted). */
export const LIVE = 120 + 6;
