import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUEST, type MikroORM } from '@shop/platform';
import { ADMIN, insertProducts, startCatalogHarness, type CatalogHarness } from './catalog-harness.ts';
import { seedCatalog } from '../src/data/seed-data.ts';

// The totalCount of an unfiltered or category-only listing comes from the live counts the
// triggers keep (migration live-product-counts); here every kind of write is checked against a real count.
let orm: MikroORM;
let run: CatalogHarness['run'];

beforeAll(async () => {
  ({ orm, run } = await startCatalogHarness());
  expect(await seedCatalog(orm.em.fork(), 60)).toBe(60);
});
afterAll(async () => {
  await orm?.close();
});

const TOTAL = `query ($slug: String) { products(first: 1, filter: { categorySlug: $slug }) { totalCount } }`;

async function sql<T>(query: string, params: unknown[] = []): Promise<T[]> {
  return orm.em.fork().execute<T[]>(query, params);
}

/** The listing's totalCount for every top-level category, one of their children and no filter, next to a real count of each. */
async function totalsAndCounts(): Promise<{ totals: number[]; counts: number[] }> {
  const slugs = (await sql<{ slug: string }>("select slug from category where parent_id is null or slug in ('computers', 'mice') order by slug")).map(
    (r) => r.slug,
  );
  const totals: number[] = [];
  const counts: number[] = [];
  for (const slug of [null, ...slugs]) {
    const { data, errors } = await run(TOTAL, GUEST, { slug });
    expect(errors).toBeUndefined();
    totals.push(data.products.totalCount);
    const [row] = await sql<{ n: number }>(
      `select count(*)::int as n from product where deleted_at is null
       and (?::text is null or category_id in (select id from category where path like (select path from category where slug = ?) || '%'))`,
      [slug, slug],
    );
    counts.push(row!.n);
  }
  return { totals, counts };
}

async function expectTotalsCounted(): Promise<void> {
  const { totals, counts } = await totalsAndCounts();
  expect(totals).toEqual(counts);
}

describe('live product counts behind totalCount', () => {
  it('equal a real count after the seed (one insert statement per batch)', async () => {
    await expectTotalsCounted();
    expect((await totalsAndCounts()).totals[0]).toBe(60);
  });

  it('follow created, soft-deleted, restored and moved products, uncategorized ones too', async () => {
    const [mice] = await sql<{ id: string }>("select id from category where slug = 'mice'");
    const ids = ['00000000-0000-4000-8000-00000000c001', '00000000-0000-4000-8000-00000000c002', '00000000-0000-4000-8000-00000000c003'];
    await insertProducts(orm, [
      { id: ids[0]!, sku: 'LC-1', name: 'Count Mouse', price: 1000, categoryId: mice!.id },
      { id: ids[1]!, sku: 'LC-2', name: 'Count Lamp', price: 1000 },
      { id: ids[2]!, sku: 'LC-3', name: 'Born Deleted', price: 1000, categoryId: mice!.id, deleted: true },
    ]);
    await expectTotalsCounted();

    const deleted = await run(`mutation ($id: ID!) { productDelete(id: $id) { deletedProductId userErrors { code } } }`, ADMIN, { id: ids[0] });
    expect(deleted.data.productDelete).toEqual({ deletedProductId: ids[0], userErrors: [] });
    await expectTotalsCounted();

    await sql('update product set deleted_at = null where id = ?', [ids[2]]);
    await expectTotalsCounted();
    // A move between categories, to none, and a change that neither moves nor deletes.
    const [keyboards] = await sql<{ id: string }>("select id from category where slug = 'keyboards'");
    await sql('update product set category_id = ? where id = ?', [keyboards!.id, ids[2]]);
    await sql('update product set category_id = null where id in (select id from product where category_id = ? limit 3)', [mice!.id]);
    await sql("update product set name = name || ' II', units_sold = units_sold + 1 where sku like 'LC-%'");
    await expectTotalsCounted();
  });

  it('follow hard deletes and a truncate', async () => {
    await sql("delete from product_variant where product_id in (select id from product where sku like 'LC-%')");
    await sql("delete from product where sku like 'LC-%'");
    await expectTotalsCounted();
    await sql('truncate product cascade');
    await expectTotalsCounted();
    expect((await totalsAndCounts()).totals[0]).toBe(0);
  });
});
