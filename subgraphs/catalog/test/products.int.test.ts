import { describe, expect, it } from 'vitest';
import { encodeCursor, GUEST } from '@shop/platform';
import {
  DELETED_ID,
  errorCode,
  expectedIds,
  FAN_ID,
  fx,
  IN_SUBTREE,
  LIST,
  LIVE,
  MOUSE_ID,
  pageAll,
  RESERVED_ID,
  TIE_IDS,
  useProductsFixture,
} from './products-fixture.ts';

useProductsFixture();

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
    const { data } = await fx.run(LIST, GUEST, { first: 0 });
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
    expect(nodes.map((n) => n.id)).toEqual(await expectedIds(IN_SUBTREE, 'name, id', [fx.computers.id]));
    expect(totalCount).toBeGreaterThan(1);
    expect(nodes.every((n) => fx.computerSlugs.includes(n.category!.slug))).toBe(true);
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
    const { errors } = await fx.run(LIST, GUEST, { filter: { minPrice: 'abc' } });
    expect(errors?.[0]?.message).toMatch(/Decimal must be a string like "19.99"/);
  });
});

describe('cursors and page size', () => {
  const firstPage = async (variables: Record<string, unknown>) =>
    (await fx.run(LIST, GUEST, { first: 3, ...variables })).data.products.pageInfo.endCursor as string;

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
      // Well-formed, but beyond what the SQL casts take (22003, 22008, 08P01 from Postgres otherwise).
      [fake(['PRICE_ASC', fingerprint, 2 ** 31, TIE_IDS[0]!]), { sort: 'PRICE_ASC' }],
      [fake(['BEST_SELLING', fingerprint, 2 ** 31, TIE_IDS[0]!]), { sort: 'BEST_SELLING' }],
      [fake(['NEWEST', fingerprint, '2026-13-45T25:61:61.000000Z', TIE_IDS[0]!]), { sort: 'NEWEST' }],
      [fake([sortName, fingerprint, '\u0000', TIE_IDS[0]!]), { sort: 'NAME_ASC' }],
    ] as Array<[string, Record<string, unknown>]>) {
      expect(await errorCode(LIST, { ...variables, after })).toMatchObject({ code: 'BAD_USER_INPUT', field: ['after'] });
    }
  });

  it('refuses first above 100 or below 0 as BAD_USER_INPUT', async () => {
    expect(await errorCode(LIST, { first: 101 })).toMatchObject({ code: 'BAD_USER_INPUT', field: ['first'] });
    expect(await errorCode(LIST, { first: -1 })).toMatchObject({ code: 'BAD_USER_INPUT' });
    const { data, errors } = await fx.run(LIST, GUEST, { first: 100 });
    expect(errors).toBeUndefined();
    expect(data.products.edges).toHaveLength(100);
  });
});
