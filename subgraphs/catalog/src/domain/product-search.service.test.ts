import { describe, expect, it } from 'vitest';
import { encodeCursor } from '@shop/platform';
import { listingQueries, lowStockQueries, planListing, prefixTsQuery, searchTerms, type ProductListArgs } from './product-search.service.ts';

const ID = '00000000-0000-4000-8000-000000000001';
const plan = (args: Partial<ProductListArgs>) => planListing({ first: 20, ...args }, 'USD');
/** The code and field of the BadUserInputError `run` throws. */
function inputError(run: () => unknown): { code: unknown; field: unknown } {
  try {
    run();
  } catch (error) {
    const extensions = (error as { extensions?: Record<string, unknown> }).extensions ?? {};
    return { code: extensions.code, field: extensions.field };
  }
  throw new Error('expected an error');
}

describe('search words', () => {
  it('keeps letters and digits only, lowercased, at most 8 words', () => {
    expect(searchTerms('  Wireless MOUSE!  ')).toEqual(['wireless', 'mouse']);
    expect(searchTerms("27\" 4K monitor & <-> :* 'x' !y")).toEqual(['27', '4k', 'monitor', 'x', 'y']);
    expect(searchTerms('Crème brûlée')).toEqual(['crème', 'brûlée']);
    expect(searchTerms('a b c d e f g h i j')).toHaveLength(8);
    expect(searchTerms('!!! ---')).toEqual([]);
  });

  it('makes every word a prefix, all required', () => {
    expect(prefixTsQuery(['wireless', 'mo'])).toBe('wireless:* & mo:*');
  });
});

describe('planListing', () => {
  it('orders RELEVANCE by name when there are no words to rank by', () => {
    expect(plan({}).sort).toBe('NAME_ASC');
    expect(plan({ sort: 'RELEVANCE', filter: { search: ' ?! ' } }).sort).toBe('NAME_ASC');
    expect(plan({ filter: { search: 'mouse' } }).sort).toBe('RELEVANCE');
    expect(plan({ sort: 'PRICE_DESC', filter: { search: 'mouse' } }).sort).toBe('PRICE_DESC');
  });

  it('turns prices into minor units and refuses bad ones naming the field', () => {
    expect(plan({ filter: { minPrice: '19.99', maxPrice: '20' } }).filter).toMatchObject({ min: 1999, max: 2000 });
    expect(inputError(() => plan({ filter: { minPrice: '1.234' } }))).toEqual({ code: 'BAD_USER_INPUT', field: ['filter', 'minPrice'] });
    expect(inputError(() => plan({ filter: { maxPrice: '-3' } }))).toEqual({ code: 'BAD_USER_INPUT', field: ['filter', 'maxPrice'] });
    expect(inputError(() => plan({ filter: { minPrice: '5', maxPrice: '4.99' } }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: ['filter', 'maxPrice'],
    });
    expect(planListing({ first: 1, filter: { minPrice: '1500' } }, 'JPY').filter.min).toBe(1500);
  });

  it('fingerprints sort and filter into the cursor prefix', () => {
    const base = plan({ sort: 'NAME_ASC' }).cursorPrefix;
    expect(base[0]).toBe('NAME_ASC');
    expect(plan({ sort: 'NAME_ASC' }).cursorPrefix).toEqual(base);
    expect(plan({ sort: 'NAME_ASC', filter: { inStock: false } }).cursorPrefix[1]).not.toBe(base[1]);
    expect(plan({ sort: 'NAME_ASC', filter: { search: 'Mouse' } }).cursorPrefix[1]).toBe(
      plan({ sort: 'NAME_ASC', filter: { search: 'mouse!' } }).cursorPrefix[1],
    );
  });

  it('accepts its own cursors and refuses others as BAD_USER_INPUT on after', () => {
    const [sort, fingerprint] = plan({ sort: 'PRICE_ASC' }).cursorPrefix;
    expect(plan({ sort: 'PRICE_ASC', after: encodeCursor([sort, fingerprint, 1999, ID]) }).after).toEqual([1999, ID]);
    const bad = { code: 'BAD_USER_INPUT', field: ['after'] };
    for (const after of [
      'garbage',
      encodeCursor([sort, fingerprint, 1999]),
      encodeCursor(['PRICE_DESC', fingerprint, 1999, ID]),
      encodeCursor([sort, 'other', 1999, ID]),
      encodeCursor([sort, fingerprint, '1999', ID]),
      encodeCursor([sort, fingerprint, 1.5, ID]),
      encodeCursor([sort, fingerprint, 1999, 'x']),
      Buffer.from(`["${sort}","${fingerprint}",1e999,"${ID}"]`).toString('base64url'),
    ]) {
      expect(inputError(() => plan({ sort: 'PRICE_ASC', after }))).toEqual(bad);
    }
    const newest = plan({ sort: 'NEWEST' }).cursorPrefix;
    expect(plan({ sort: 'NEWEST', after: encodeCursor([...newest, '2026-01-01T00:00:00.123456Z', ID]) }).after?.[0]).toBe(
      '2026-01-01T00:00:00.123456Z',
    );
    expect(inputError(() => plan({ sort: 'NEWEST', after: encodeCursor([...newest, '2026-01-01', ID]) }))).toEqual(bad);
  });

  // Each key goes into SQL cast to its column's type: a value the cast refuses would be a database error, not bad input.
  it.each([
    ['PRICE_ASC', {}],
    ['PRICE_DESC', {}],
    ['BEST_SELLING', {}],
    ['RELEVANCE', { filter: { search: 'mouse' } }],
  ] as const)('%s: takes an integer key within Postgres integer range only', (sort, args) => {
    const prefix = plan({ sort, ...args }).cursorPrefix;
    const after = (key: number) => encodeCursor([...prefix, key, ID]);
    for (const key of [0, 2 ** 31 - 1, -(2 ** 31)]) expect(plan({ sort, ...args, after: after(key) }).after).toEqual([key, ID]);
    for (const key of [2 ** 31, -(2 ** 31) - 1, Number.MAX_SAFE_INTEGER]) {
      expect(inputError(() => plan({ sort, ...args, after: after(key) }))).toEqual({ code: 'BAD_USER_INPUT', field: ['after'] });
    }
  });

  it('NEWEST: takes a real instant, in Postgres timestamptz range, only', () => {
    const prefix = plan({ sort: 'NEWEST' }).cursorPrefix;
    const after = (key: string) => encodeCursor([...prefix, key, ID]);
    for (const key of ['2024-02-29T23:59:59.999999Z', '0001-01-01T00:00:00.000000Z', '9999-12-31T23:59:59.999999Z']) {
      expect(plan({ sort: 'NEWEST', after: after(key) }).after).toEqual([key, ID]);
    }
    for (const key of [
      '2026-13-45T25:61:61.000000Z',
      '2026-00-10T00:00:00.000000Z',
      '2026-02-29T00:00:00.000000Z', // not a leap year
      '2026-04-31T00:00:00.000000Z',
      '2026-01-01T24:00:00.000000Z',
      '2026-01-01T23:60:00.000000Z',
      '0000-01-01T00:00:00.000000Z', // Postgres has no year 0
    ]) {
      expect(inputError(() => plan({ sort: 'NEWEST', after: after(key) }))).toEqual({ code: 'BAD_USER_INPUT', field: ['after'] });
    }
  });

  it('NAME_ASC: refuses a key with a NUL or an unpaired surrogate (text Postgres cannot take), not other names', () => {
    const prefix = plan({ sort: 'NAME_ASC' }).cursorPrefix;
    const after = (key: string) => encodeCursor([...prefix, key, ID]);
    for (const key of ['Lamp', 'Desk\tlamp 👟', '']) expect(plan({ sort: 'NAME_ASC', after: after(key) }).after).toEqual([key, ID]);
    for (const key of ['\u0000', 'Lamp\u0000', '\uD800']) {
      expect(inputError(() => plan({ sort: 'NAME_ASC', after: after(key) }))).toEqual({ code: 'BAD_USER_INPUT', field: ['after'] });
    }
  });
});

describe('listingQueries', () => {
  it('puts user input only in parameters', () => {
    const { page, count } = listingQueries(plan({ filter: { search: "o'brien; drop table product", categorySlug: "x' or 1=1 --" } }));
    for (const q of [page, count]) {
      expect(q.sql).not.toMatch(/brien|drop table|1=1/);
      expect(q.sql.split('?').length - 1).toBe(q.params.length);
    }
    expect(page.params).toContain('o:* & brien:* & drop:* & table:* & product:*');
  });

  it.each([
    ['NAME_ASC', 'order by p.name, p.id', '(p.name, p.id) > (?, ?::uuid)', 'Lamp'],
    ['PRICE_ASC', 'order by p.price_amount, p.id', '(p.price_amount, p.id) > (?::int, ?::uuid)', 100],
    ['PRICE_DESC', 'order by p.price_amount desc, p.id desc', '(p.price_amount, p.id) < (?::int, ?::uuid)', 100],
    ['NEWEST', 'order by p.created_at desc, p.id desc', '(p.created_at, p.id) < (?::timestamptz, ?::uuid)', '2026-01-01T00:00:00.000000Z'],
  ] as const)('%s: index order with id last, keyset only after a cursor', (sort, orderBy, keyset, key) => {
    const first = listingQueries(plan({ sort })).page;
    expect(first.sql).toContain(orderBy);
    expect(first.sql).not.toContain(keyset);
    expect(first.params.at(-1)).toBe(21);
    const after = encodeCursor([...plan({ sort }).cursorPrefix, key, ID]);
    const next = listingQueries(plan({ sort, after })).page;
    expect(next.sql).toContain(keyset);
    expect(next.params.slice(-3)).toEqual([key, ID, 21]);
  });

  it('ranks once in a materialized CTE and resumes after (rank, id)', () => {
    const search = { filter: { search: 'wireless mouse' } };
    const after = encodeCursor([...plan(search).cursorPrefix, 1_500_000, ID]);
    const { page } = listingQueries(plan({ ...search, after }));
    expect(page.sql).toMatch(/^with ranked as materialized/);
    expect(page.sql).toContain('where k < ? or (k = ? and id > ?::uuid) order by k desc, id limit ?');
    expect(page.params.slice(-4)).toEqual([1_500_000, 1_500_000, ID, 21]);
  });

  it('filters live products only, by every filter given', () => {
    const planned = { ...plan({ filter: { categorySlug: 'audio', minPrice: '1', maxPrice: '2', inStock: false } }), categoryIds: [ID] };
    const { count } = listingQueries(planned);
    expect(count.sql).toBe(
      'select count(*)::int as n from product p where p.deleted_at is null and p.category_id = ?::uuid ' +
        'and p.price_amount >= ? and p.price_amount <= ? ' +
        'and not exists (select 1 from product_variant v where v.product_id = p.id and v.deleted_at is null and v.on_hand > v.reserved)',
    );
    expect(count.params).toEqual([ID, 100, 200]);
  });

  it('compares a category subtree by its resolved ids: one (index order), several (any), none (nothing)', () => {
    const base = plan({ filter: { categorySlug: 'apparel' } });
    const sqlOf = (categoryIds: string[]) => listingQueries({ ...base, categoryIds }).count;
    expect(sqlOf([ID]).sql).toContain('and p.category_id = ?::uuid');
    const several = sqlOf([ID, ID.replace('a', 'b')]);
    expect(several.sql).toContain('and p.category_id = any(?::uuid[])');
    expect(several.params).toEqual([`{${ID},${ID.replace('a', 'b')}}`]);
    expect(sqlOf([]).sql).toContain('and false');
  });
});

describe('lowStockQueries', () => {
  it('takes a threshold from 1 to 100000', () => {
    expect(lowStockQueries({ threshold: 1, first: 5 }).page.params).toEqual([1, 6]);
    for (const threshold of [0, 100_001, 2.5]) {
      expect(inputError(() => lowStockQueries({ threshold, first: 5 }))).toEqual({ code: 'BAD_USER_INPUT', field: ['threshold'] });
    }
  });

  it('refuses a cursor made for another threshold', () => {
    const after = encodeCursor(['LOW_STOCK', 5, 2, ID]);
    expect(lowStockQueries({ threshold: 5, first: 5, after }).page.params).toEqual([5, 2, ID, 6]);
    expect(inputError(() => lowStockQueries({ threshold: 6, first: 5, after }))).toEqual({ code: 'BAD_USER_INPUT', field: ['after'] });
  });

  it('refuses a stock key outside Postgres integer range', () => {
    const after = encodeCursor(['LOW_STOCK', 5, 2 ** 31, ID]);
    expect(inputError(() => lowStockQueries({ threshold: 5, first: 5, after }))).toEqual({ code: 'BAD_USER_INPUT', field: ['after'] });
  });
});
