import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor, GUEST, type MikroORM } from '@shop/platform';
import { ADMIN, CUSTOMER, insertProducts, startCatalogHarness, type CatalogHarness } from './catalog-harness.ts';
import { seedCatalog } from '../src/data/seed-data.ts';
import { ProductSchema } from '../src/data/product.entity.ts';

let orm: MikroORM;
let run: CatalogHarness['run'];
let computers: { id: string; slug: string };
/** Slugs of Computers and the categories under it (the seed puts products in subcategories: Mice, Keyboards …). */
let computerSlugs: string[];
/** The products of a category's subtree (its id the parameter), as the listing should find them. */
const IN_SUBTREE = "and category_id in (select id from category where path like (select path from category where id = ?) || '%')";

const MOUSE_ID = '00000000-0000-4000-8000-00000000f001';
const DELETED_ID = '00000000-0000-4000-8000-00000000f002';
const RESERVED_ID = '00000000-0000-4000-8000-00000000f003';
const FAN_ID = '00000000-0000-4000-8000-00000000f004';
// Same name, price and creation instant (to the microsecond): only the id orders them.
const TIE_IDS = ['00000000-0000-4000-8000-00000000f0a1', '00000000-0000-4000-8000-00000000f0a2', '00000000-0000-4000-8000-00000000f0a3'];

async function addProduct(p: {
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
async function expectedIds(where: string, orderBy: string, params: unknown[] = []): Promise<string[]> {
  const rows = await orm.em
    .fork()
    .execute<Array<{ id: string }>>(`select id from product where deleted_at is null ${where} order by ${orderBy}`, params);
  return rows.map((r) => r.id);
}

const LIST = `query ($first: Int, $after: String, $filter: ProductFilter, $sort: ProductSort) {
  products(first: $first, after: $after, filter: $filter, sort: $sort) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id name price { amount } inStock availableQuantity category { slug } } }
  }
}`;

interface Node {
  id: string;
  name: string;
  price: { amount: string };
  inStock: boolean;
  availableQuantity: number;
  category: { slug: string } | null;
}

/** Follow endCursor until hasNextPage is false; checks every page's connection invariants. */
async function pageAll(variables: Record<string, unknown>, first = 7): Promise<{ nodes: Node[]; totalCount: number; pages: number }> {
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
async function follow(
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

async function errorCode(query: string, variables: Record<string, unknown>, identity = GUEST) {
  const { data, errors } = await run(query, identity, variables);
  return { code: errors?.[0]?.extensions?.code, field: errors?.[0]?.extensions?.field, data };
}

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

const LIVE = 120 + 6;

describe('Query.products pagination and sorts', () => {
  it('pages through every live product exactly once in name order (first: 7)', async () => {
    const { nodes, totalCount, pages } = await pageAll({ sort: 'NAME_ASC' });
    expect(totalCount).toBe(LIVE);
    expect(pages).toBe(Math.ceil(LIVE / 7));
    expect(nodes.map((n) => n.id)).toEqual(await expectedIds('', 'name, id'));
    expect(nodes.some((n) => n.id === DELETED_ID)).toBe(false);
  });

  it.each([
    ['NAME_ASC', 'name, id'],
    ['RELEVANCE', 'name, id'], // without search: name order
    ['PRICE_ASC', 'price_amount, id'],
    ['PRICE_DESC', 'price_amount desc, id desc'],
    ['NEWEST', 'created_at desc, id desc'],
    ['BEST_SELLING', 'units_sold desc, id desc'],
  ])('%s is ordered correctly across page boundaries, ties broken by id', async (sort, orderBy) => {
    const { nodes, totalCount } = await pageAll({ sort });
    expect(totalCount).toBe(LIVE);
    const ids = nodes.map((n) => n.id);
    expect(ids).toEqual(await expectedIds('', orderBy));
    const ties = ids.filter((id) => TIE_IDS.includes(id));
    expect(ties).toEqual(['PRICE_DESC', 'NEWEST', 'BEST_SELLING'].includes(sort) ? [...TIE_IDS].reverse() : TIE_IDS);
  });

  it('answers first: 0 with no edges but the count', async () => {
    const { data } = await run(LIST, GUEST, { first: 0 });
    expect(data.products).toMatchObject({ totalCount: LIVE, edges: [], pageInfo: { hasNextPage: true, endCursor: null } });
  });
});

describe('search', () => {
  it('finds "wireless mouse" in "Ergonomic Wireless Mouse", the closest match first, never a deleted one', async () => {
    const { nodes, totalCount } = await pageAll({ filter: { search: 'wireless mouse' }, sort: 'RELEVANCE' }, 2);
    expect(nodes[0]?.name).toBe('Ergonomic Wireless Mouse');
    expect(nodes).toHaveLength(totalCount);
    expect(new Set(nodes.map((n) => n.id)).size).toBe(totalCount);
    expect(nodes.every((n) => /wireless mouse/i.test(n.name))).toBe(true);
    expect(nodes.some((n) => n.id === DELETED_ID)).toBe(false);
  });

  it.each(['Wireless Mouse', 'wireless mo', 'wirless mouse', 'ergonomic  mouse!', 'MOUSE?!'])(
    'finds the mouse with %j (case, prefix, typo, punctuation)',
    async (search) => {
      const { nodes } = await pageAll({ filter: { search } }, 50);
      expect(nodes.map((n) => n.id)).toContain(MOUSE_ID);
    },
  );

  it('matches words of the description too, ranked after matches in the name', async () => {
    expect((await pageAll({ filter: { search: 'quiet clicks' } })).nodes.map((n) => n.id)).toEqual([MOUSE_ID]);
    expect((await pageAll({ filter: { search: 'quiet' } }, 1)).nodes.map((n) => n.id)).toEqual([FAN_ID, MOUSE_ID]);
  });

  it('combines search with a price sort and other filters', async () => {
    const { nodes } = await pageAll({ filter: { search: 'mouse', maxPrice: '39.90', inStock: true }, sort: 'PRICE_DESC' }, 3);
    expect(nodes[0]?.id).toBe(MOUSE_ID);
    const prices = nodes.map((n) => Number(n.price.amount));
    expect(prices).toEqual([...prices].sort((a, b) => b - a));
    expect(nodes.every((n) => n.inStock && Number(n.price.amount) <= 39.9)).toBe(true);
  });

  it('finds nothing for words no product has, and treats a blank search as no search', async () => {
    expect((await pageAll({ filter: { search: 'zeppelin' } })).totalCount).toBe(0);
    expect((await pageAll({ filter: { search: '   ' } }, 100)).totalCount).toBe(LIVE);
  });
});

describe('filters', () => {
  it('filters by category slug, its subcategories included (unknown slug: empty)', async () => {
    const { nodes, totalCount } = await pageAll({ filter: { categorySlug: 'computers' } });
    expect(nodes.map((n) => n.id)).toEqual(await expectedIds(IN_SUBTREE, 'name, id', [computers.id]));
    expect(totalCount).toBeGreaterThan(1);
    expect(nodes.every((n) => computerSlugs.includes(n.category!.slug))).toBe(true);
    // Its own product and those of at least two subcategories.
    expect(nodes.map((n) => n.id)).toContain(MOUSE_ID);
    expect(new Set(nodes.map((n) => n.category!.slug)).size).toBeGreaterThan(2);
    expect((await pageAll({ filter: { categorySlug: 'no-such-category' } })).totalCount).toBe(0);
  });

  it('filters by an inclusive price range', async () => {
    const { nodes } = await pageAll({ filter: { minPrice: '39.90', maxPrice: '100' }, sort: 'PRICE_ASC' }, 20);
    expect(nodes.map((n) => n.id)).toEqual(await expectedIds('and price_amount between 3990 and 10000', 'price_amount, id'));
    expect(nodes[0]?.id).toBe(MOUSE_ID);
  });

  it('filters by stock available (reserved units do not count)', async () => {
    const inStock = await pageAll({ filter: { inStock: true } }, 100);
    const out = await pageAll({ filter: { inStock: false } }, 100);
    expect(inStock.nodes.every((n) => n.inStock && n.availableQuantity > 0)).toBe(true);
    expect(out.nodes.every((n) => !n.inStock && n.availableQuantity === 0)).toBe(true);
    expect(out.nodes.map((n) => n.id)).toContain(RESERVED_ID);
    expect(inStock.totalCount + out.totalCount).toBe(LIVE);
    expect(out.totalCount).toBeGreaterThan(1); // the seed has products out of stock
  });

  it.each([
    [{ minPrice: '0.001' }, 'minPrice'],
    [{ maxPrice: '1.999' }, 'maxPrice'],
    [{ minPrice: '-1' }, 'minPrice'],
    [{ minPrice: '20', maxPrice: '10' }, 'maxPrice'],
    [{ search: 'x'.repeat(201) }, 'search'],
    [{ maxPrice: '21474836.48' }, 'maxPrice'],
    [{ minPrice: '999999999999.99' }, 'minPrice'],
  ])('refuses filter %j as BAD_USER_INPUT naming the field', async (filter, field) => {
    expect(await errorCode(LIST, { filter })).toMatchObject({ code: 'BAD_USER_INPUT', field: ['filter', field] });
  });

  it('leaves a price that is no decimal at all to the Decimal scalar (BAD_USER_INPUT through the server)', async () => {
    const { errors } = await run(LIST, GUEST, { filter: { minPrice: 'abc' } });
    expect(errors?.[0]?.message).toMatch(/Decimal must be a string like "19.99"/);
  });
});

describe('cursors and page size', () => {
  const firstPage = async (variables: Record<string, unknown>) =>
    (await run(LIST, GUEST, { first: 3, ...variables })).data.products.pageInfo.endCursor as string;

  it('refuses a malformed cursor, or one from another sort or filter, as BAD_USER_INPUT', async () => {
    const byName = await firstPage({ sort: 'NAME_ASC' });
    const fake = (values: Array<string | number>) => encodeCursor(values);
    const [sortName, fingerprint] = JSON.parse(Buffer.from(byName, 'base64url').toString()) as [string, string];
    for (const [after, variables] of [
      ['not-a-cursor', {}],
      [byName, { sort: 'PRICE_ASC' }],
      [byName, { sort: 'NAME_ASC', filter: { inStock: true } }],
      [await firstPage({ sort: 'PRICE_ASC' }), { sort: 'PRICE_DESC' }],
      [fake([sortName, fingerprint, 'Lamp', 'not-a-uuid']), { sort: 'NAME_ASC' }],
      [fake([sortName, fingerprint, 42, TIE_IDS[0]!]), { sort: 'NAME_ASC' }],
      [fake(['NEWEST', fingerprint, 'yesterday', TIE_IDS[0]!]), { sort: 'NEWEST' }],
    ] as Array<[string, Record<string, unknown>]>) {
      expect(await errorCode(LIST, { ...variables, after })).toMatchObject({ code: 'BAD_USER_INPUT', field: ['after'] });
    }
  });

  it('refuses first above 100 or below 0 as BAD_USER_INPUT', async () => {
    expect(await errorCode(LIST, { first: 101 })).toMatchObject({ code: 'BAD_USER_INPUT', field: ['first'] });
    expect(await errorCode(LIST, { first: -1 })).toMatchObject({ code: 'BAD_USER_INPUT' });
    const { data, errors } = await run(LIST, GUEST, { first: 100 });
    expect(errors).toBeUndefined();
    expect(data.products.edges).toHaveLength(100);
  });
});

describe('Category.products', () => {
  const CATEGORY = `query ($slug: String!, $first: Int, $after: String) {
    category(slug: $slug) { products(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }
  }`;

  it('pages through one category and its subcategories in name order', async () => {
    const { ids, total } = await follow(async (after) => {
      const { data, errors } = await run(CATEGORY, GUEST, { slug: 'computers', first: 7, after });
      expect(errors).toBeUndefined();
      return data.category.products;
    });
    expect(ids).toEqual(await expectedIds(IN_SUBTREE, 'name, id', [computers.id]));
    expect(total).toBe(ids.length);
  });

  it("stores the seed's tree: 5 departments, 10 categories, 54 subcategories, each path its parent's and its id", async () => {
    const { data } = await run('{ category(slug: "mice") { ancestors { slug } children { slug } } }', GUEST);
    expect(data.category).toEqual({ ancestors: [{ slug: 'electronics' }, { slug: 'computers' }], children: [] });
    const depths = await orm.em.fork().execute<Array<{ depth: number; n: number; consistent: boolean }>>(
      `select array_length(string_to_array(trim('/' from c.path), '/'), 1) as depth, count(*)::int as n,
         bool_and(c.path = coalesce(parent.path, '/') || c.id || '/') as consistent
       from category c left join category parent on parent.id = c.parent_id group by 1 order by 1`,
    );
    expect(depths).toEqual([1, 2, 3].map((depth, i) => ({ depth, n: [5, 10, 54][i], consistent: true })));
  });
});

describe('Query.lowStockProducts', () => {
  const LOW = `query ($threshold: Int, $first: Int, $after: String) {
    lowStockProducts(threshold: $threshold, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { id availableQuantity } }
    }
  }`;

  it('lists, for an admin, products below the threshold, fewest available first, across pages', async () => {
    const { ids, total, nodes } = await follow(async (after) => {
      const { data, errors } = await run(LOW, ADMIN, { first: 3, after });
      expect(errors).toBeUndefined();
      return data.lowStockProducts;
    });
    // One edge per low variant, showing its product (the seed sells some products in several variants).
    const low = await orm.em
      .fork()
      .execute<Array<{ productId: string }>>(
        'select product_id as "productId" from product_variant where deleted_at is null and on_hand - reserved < 5 order by on_hand - reserved, id',
      );
    expect(ids).toEqual(low.map((r) => r.productId));
    expect(nodes.filter((n) => n.id === RESERVED_ID).map((n) => n.availableQuantity)).toEqual([0]);
    expect(ids).toContain(RESERVED_ID);
    expect(total).toBe(ids.length);
    expect(total).toBeGreaterThan(3);
  });

  it('takes a threshold between 1 and 100000', async () => {
    const { data } = await run(LOW, ADMIN, { threshold: 100_000, first: 1 });
    const [live] = await orm.em.fork().execute<Array<{ n: number }>>('select count(*)::int as n from product_variant where deleted_at is null');
    expect(data.lowStockProducts.totalCount).toBe(live!.n);
    for (const threshold of [0, -5, 100_001]) {
      expect(await errorCode(LOW, { threshold }, ADMIN)).toMatchObject({ code: 'BAD_USER_INPUT', field: ['threshold'] });
    }
  });

  it('is FORBIDDEN to a customer and UNAUTHENTICATED for a guest', async () => {
    expect((await errorCode(LOW, {}, CUSTOMER)).code).toBe('FORBIDDEN');
    expect((await errorCode(LOW, {}, GUEST)).code).toBe('UNAUTHENTICATED');
  });
});

describe('search vector', () => {
  it('is kept by Postgres for rows the ORM inserts (the entity does not map it)', async () => {
    const em = orm.em.fork();
    em.create(ProductSchema, {
      id: '00000000-0000-4000-8000-00000000f0b1',
      sku: 'T-ORM',
      slug: 't-orm',
      name: 'Vertical Wireless Trackball',
      description: 'Thumb-operated.',
      priceAmount: 5900,
      currency: 'USD',
      images: [],
      category: null,
      options: [],
      deletedAt: null,
    });
    await em.flush();
    const { nodes } = await pageAll({ filter: { search: 'trackball thumb' } });
    expect(nodes.map((n) => n.name)).toEqual(['Vertical Wireless Trackball']);
    await orm.em.fork().execute("delete from product where sku = 'T-ORM'");
  });
});
