import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MikroORM } from '@shop/platform';
import { startCatalogHarness } from './catalog-harness.ts';
import { generateCatalog } from '../src/data/seed-data.ts';
import { listingQueries, lowStockQueries, planListing, type ProductListArgs, type SqlQuery } from '../src/domain/product-search.service.ts';
import { facetStatements } from '../src/data/product-facets.repository.ts';
import { priceBounds } from '../src/domain/product-facets.ts';

/**
 * The listing and facet statements at 100,000 products and 300,000 variants: each must reach its
 * rows through an index, never a sequential scan of product or product_variant (counts over the
 * whole catalog read every row by nature: printed, not asserted). Plans are printed so the README
 * can quote them.
 */
const PRODUCTS = 100_000;
let orm: MikroORM;
// The seed's ten categories (its departments and subcategories left out), stored flat: each its own subtree.
const categories = generateCatalog(0).categories.slice(0, 10);
const category = categories[3]!;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** Depth-first "Node Type [relation/index]" list of a plan. */
function nodes(plan: PlanNode): string[] {
  const target = plan['Index Name'] ?? plan['Relation Name'];
  return [`${plan['Node Type']}${target ? ` (${target})` : ''}`, ...(plan.Plans ?? []).flatMap(nodes)];
}

/** The plan's nodes and its measured execution time (EXPLAIN ANALYZE runs the statement). */
async function explain(query: SqlQuery): Promise<{ nodes: string[]; ms: number }> {
  type Explained = Array<{ 'QUERY PLAN': Array<{ Plan: PlanNode; 'Execution Time': number }> }>;
  const rows = await orm.em.fork().execute<Explained>(`explain (analyze, format json) ${query.sql}`, query.params);
  const result = rows[0]!['QUERY PLAN'][0]!;
  return { nodes: nodes(result.Plan), ms: result['Execution Time'] };
}

const BLUE_M = [
  { name: 'Color', values: ['Blue'] },
  { name: 'Size', values: ['M'] },
];

/** A facet's scope for `args`, the category resolved as in `listing`. */
const scopeOf = (args: Omit<ProductListArgs, 'first'>) => ({ filter: planListing({ first: 20, ...args }, 'USD').filter, categoryIds: [category.id] });

/** The statements for `args`; a category filter as the service resolves it: here one category (no subcategories) unless `categoryIds` says. */
const listing = (args: Omit<ProductListArgs, 'first'>, categoryIds = [category.id]) =>
  listingQueries({ ...planListing({ first: 20, ...args }, 'USD'), categoryIds });

beforeAll(async () => {
  ({ orm } = await startCatalogHarness());
  const em = orm.em.fork();
  for (const c of categories)
    await em.execute(`insert into category (id, slug, name, path, created_at) values (?, ?, ?, '/' || ? || '/', now())`, [
      c.id,
      c.slug,
      c.name,
      c.id,
    ]);
  const started = performance.now();
  // One statement: names and descriptions from word lists, ten categories, spread prices, stock and times.
  await em.execute(
    `insert into product (id, sku, slug, name, description, price_amount, currency, images, category_id, created_at, updated_at)
     select gen_random_uuid(), 'BULK-' || g, 'bulk-' || g,
       (array['Nordbyte','Sonora','Ridgeway','Harbor','Greenhaven'])[1 + g % 5] || ' ' ||
       (array['Compact','Portable','Classic','Deluxe','Rugged','Slim','Heavy-Duty'])[1 + g % 7] || ' ' ||
       (array['Keyboard','Speaker','Tent','Hoodie','Garden Hose','Yoga Mat','Skillet','Board Game','Headlamp','Serum','Monitor'])[1 + g % 11] || ' ' || g,
       'Sturdy, everyday ' || (array['design','build','finish','comfort'])[1 + g % 4] || ' with a two-year warranty and free returns.',
       100 + (g * 7919) % 99900, 'USD', '[]', (?::uuid[])[1 + g % 10],
       timestamptz '2026-01-01' + g * interval '1 second', timestamptz '2026-01-01' + g * interval '1 second'
     from generate_series(1, ?) g`,
    [`{${categories.map((c) => c.id).join(',')}}`, PRODUCTS],
  );
  await em.execute(
    `insert into product (id, sku, slug, name, description, price_amount, currency, images, category_id, created_at, updated_at)
     values (gen_random_uuid(), 'KNOWN-1', 'known-1', 'Ergonomic Wireless Mouse', 'Quiet clicks, two-year battery.', 3990, 'USD', '[]', ?, now(), now()),
            (gen_random_uuid(), 'KNOWN-2', 'known-2', 'Silent Wireless Mouse', 'For shared offices.', 2490, 'USD', '[]', ?, now(), now())`,
    [category.id, category.id],
  );
  // 300,000 variants: every bulk product in sizes S, M, L and one of four colours (stock spread 0–39,
  // some sizes sold out); the two known mice sold as one default variant each (their id).
  await em.execute(
    `insert into product_variant (id, product_id, sku, title, selected_options, option_values, price_amount, currency, position,
                                  on_hand, reserved, created_at, updated_at)
     select gen_random_uuid(), p.id, p.sku || '-' || s.size, s.size || ' / ' || c.color,
       jsonb_build_array(jsonb_build_object('name', 'Size', 'value', s.size), jsonb_build_object('name', 'Color', 'value', c.color)),
       array['Color=' || c.color, 'Size=' || s.size], p.price_amount + s.n * 100, p.currency, s.n,
       (substring(p.sku from 6)::int + s.n * 7) % 40, 0, p.created_at, p.updated_at
     from product p
     cross join lateral (values (0, 'S'), (1, 'M'), (2, 'L')) s(n, size)
     cross join lateral (select (array['Blue','White','Black','Red'])[1 + substring(p.sku from 6)::int % 4] as color) c
     where p.sku like 'BULK-%'`,
  );
  await em.execute(`update product set options = '[{"name":"Size","values":["S","M","L"]},{"name":"Color","values":["Blue","White","Black","Red"]}]'
    where sku like 'BULK-%'`);
  await em.execute(
    `insert into product_variant (id, product_id, sku, title, price_amount, currency, on_hand, reserved, created_at, updated_at)
     select id, id, sku, 'Default Title', price_amount, currency, case sku when 'KNOWN-1' then 25 else 3 end, 0, created_at, updated_at
     from product where sku like 'KNOWN-%'`,
  );
  // VACUUM too, as autovacuum would after a bulk load: it flushes the GIN pending lists.
  await em.execute('vacuum analyze product');
  await em.execute('vacuum analyze product_variant');
  await em.execute('analyze category');
  process.stdout.write(`search-plan: loaded ${PRODUCTS} products in ${Math.round(performance.now() - started)} ms\n`);
}, 120_000);

afterAll(async () => {
  await orm?.close();
});

const CASES: Array<[string, () => SqlQuery]> = [
  ['search "wireless mouse" (relevance)', () => listing({ filter: { search: 'wireless mouse' } }).page],
  ['search "wireless mouse" count', () => listing({ filter: { search: 'wireless mouse' } }).count],
  ['search "keyboard" by price', () => listing({ filter: { search: 'keyboard' }, sort: 'PRICE_ASC' }).page],
  [`category "${category.slug}" listing (name)`, () => listing({ filter: { categorySlug: category.slug } }).page],
  [`category by id (Category.products)`, () => listing({ filter: { categoryId: category.id }, sort: 'NAME_ASC' }).page],
  [
    'category with 3 subcategories (a third of the catalog)',
    () => listing({ filter: { categorySlug: category.slug } }, [categories[3]!.id, categories[4]!.id, categories[5]!.id]).page,
  ],
  ['price-sorted first page', () => listing({ sort: 'PRICE_ASC' }).page],
  ['most expensive first page', () => listing({ sort: 'PRICE_DESC' }).page],
  ['newest first page', () => listing({ sort: 'NEWEST' }).page],
  ['name first page', () => listing({ sort: 'NAME_ASC' }).page],
  ['price range 10.00–12.00 by price', () => listing({ filter: { minPrice: '10.00', maxPrice: '12.00' }, sort: 'PRICE_ASC' }).page],
  ['low stock (< 5), first page', () => lowStockQueries({ threshold: 5, first: 20 }).page],
  ['in stock, name first page', () => listing({ filter: { inStock: true }, sort: 'NAME_ASC' }).page],
  ['best selling first page', () => listing({ sort: 'BEST_SELLING' }).page],
  ['option filter Size M + Color Blue, name first page', () => listing({ filter: { options: BLUE_M }, sort: 'NAME_ASC' }).page],
  [`facet: subcategories of "${category.slug}"`, () => facetStatements.byChildCategory(scopeOf({ filter: { categorySlug: category.slug } }), 3)],
  [`facet: option values in "${category.slug}"`, () => facetStatements.byOptionValue(scopeOf({ filter: { categorySlug: category.slug } }), [])],
  ['facet: option values of a search', () => facetStatements.byOptionValue(scopeOf({ filter: { search: 'keyboard' } }), [])],
  ['facet: price buckets of a search', () => facetStatements.byPriceBucket(scopeOf({ filter: { search: 'keyboard' } }), priceBounds('USD'))],
  ['facet: in stock of a search', () => facetStatements.inStock(scopeOf({ filter: { search: 'keyboard' } }))],
];

describe(`listing plans at ${PRODUCTS} products`, () => {
  it.each(CASES)('%s: no sequential scan of product or product_variant', async (label, query) => {
    const plan = await explain(query());
    process.stdout.write(`search-plan: ${label}: ${plan.nodes.join(' > ')} [${plan.ms.toFixed(2)} ms]\n`);
    expect(plan.nodes.filter((node) => node === 'Seq Scan (product)' || node === 'Seq Scan (product_variant)')).toEqual([]);
  });

  // totalCount of an unfiltered or broad listing counts every matching row by nature: printed, not asserted.
  it.each([
    ['count: every live product', () => listing({}).count],
    [`count: category "${category.slug}"`, () => listing({ filter: { categorySlug: category.slug } }).count],
    ['count: in stock', () => listing({ filter: { inStock: true } }).count],
    ['facet: top-level categories of the whole catalog', () => facetStatements.byChildCategory(scopeOf({}), 2)],
    ['facet: option values of the whole catalog (300,000 variants)', () => facetStatements.byOptionValue(scopeOf({}), [])],
    ['facet: price buckets of the whole catalog', () => facetStatements.byPriceBucket(scopeOf({}), priceBounds('USD'))],
  ] as Array<[string, () => SqlQuery]>)('%s (informational)', async (label, query) => {
    const plan = await explain(query());
    process.stdout.write(`search-plan: ${label}: ${plan.nodes.join(' > ')} [${plan.ms.toFixed(2)} ms]\n`);
    expect(plan.nodes.length).toBeGreaterThan(0);
  });

  it('finds the known product among 100,000', async () => {
    const { page } = listing({ filter: { search: 'wireless mouse' } });
    const rows = await orm.em.fork().execute<Array<{ id: string }>>(page.sql, page.params);
    expect(rows).toHaveLength(2);
  });
});
