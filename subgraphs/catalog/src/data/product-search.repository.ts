import type { EntityManager } from '@mikro-orm/postgresql';
import { encodeCursor, isUuid, toConnection, uuidArray, type Connection } from '@shop/platform';
import type { ListingPlan } from '../domain/product-search.service.ts';
import { addFilters, NAME_SIMILARITY, prefixTsQuery, rowsPerListing, Statement, type SqlQuery } from './listing-sql.ts';

export { NAME_SIMILARITY, prefixTsQuery, type SqlQuery };
import { ProductSchema, type Product, type ProductView } from './product.entity.ts';
import { PRODUCT_COLUMNS, productOfRow, type ProductRow } from './product.repository.ts';

/**
 * Relevance as an integer (exact in a cursor). Full-text matches come first, by ts_rank with name
 * (weight A) above description (B) and shorter documents above longer ones; typo-only matches
 * follow by name similarity. Trigram similarity is computed only for those few rows: for every
 * row of a broad search it would triple the cost of ranking.
 */
function addRank(q: Statement, tsquery: string, words: string): Statement {
  return q.add(
    `round(case when p.search_vector @@ to_tsquery('english', ?) then 1 + ts_rank(p.search_vector, to_tsquery('english', ?), 1)
      else word_similarity(?, p.name) end * 1000000)::int`,
    tsquery,
    tsquery,
    words,
  );
}

/**
 * One page of (id, sort key) in keyset order, and the count of the whole filtered set. RELEVANCE
 * also names its parts: `ranked` (every match with its rank) and `fromRanked` (the page read from it).
 */
export function listingQueries(plan: ListingPlan): { page: SqlQuery; count: SqlQuery; ranked?: SqlQuery; fromRanked?: SqlQuery } {
  const count = addFilters(new Statement().add('select count(*)::int as n from product p'), plan.filter, plan.categoryIds).build();
  const q = new Statement();
  const [key, id] = plan.after ?? [];
  let ranked: SqlQuery | undefined;
  switch (plan.sort) {
    case 'RELEVANCE':
      // Materialized: the rank is computed once per matching row, not again by the keyset test.
      ranked = addFilters(
        addRank(new Statement().add('select p.id,'), prefixTsQuery(plan.filter.terms), plan.filter.terms.join(' ')).add('as k from product p'),
        plan.filter,
        plan.categoryIds,
      ).build();
      q.add('select id, k from ranked');
      if (plan.after) q.add('where k < ? or (k = ? and id > ?::uuid)', key!, key!, id!);
      q.add('order by k desc, id');
      break;
    case 'NAME_ASC':
      addFilters(q.add('select p.id, p.name as k from product p'), plan.filter, plan.categoryIds);
      if (plan.after) q.add('and (p.name, p.id) > (?, ?::uuid)', key!, id!);
      q.add('order by p.name, p.id');
      break;
    case 'PRICE_ASC':
    case 'PRICE_DESC': {
      addFilters(q.add('select p.id, p.price_amount as k from product p'), plan.filter, plan.categoryIds);
      const asc = plan.sort === 'PRICE_ASC';
      if (plan.after) q.add(`and (p.price_amount, p.id) ${asc ? '>' : '<'} (?::int, ?::uuid)`, key!, id!);
      q.add(asc ? 'order by p.price_amount, p.id' : 'order by p.price_amount desc, p.id desc');
      break;
    }
    case 'BEST_SELLING':
      // Most units sold first (ties: id descending), a backward scan of product_live_best_selling_idx.
      addFilters(q.add('select p.id, p.units_sold as k from product p'), plan.filter, plan.categoryIds);
      if (plan.after) q.add('and (p.units_sold, p.id) < (?::int, ?::uuid)', key!, id!);
      q.add('order by p.units_sold desc, p.id desc');
      break;
    case 'NEWEST':
      // Microsecond text, not a JS Date: the cursor must not round the key it resumes from.
      addFilters(
        q.add(`select p.id, to_char(p.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as k from product p`),
        plan.filter,
        plan.categoryIds,
      );
      if (plan.after) q.add('and (p.created_at, p.id) < (?::timestamptz, ?::uuid)', key!, id!);
      q.add('order by p.created_at desc, p.id desc');
      break;
  }
  const rest = q.add('limit ?', plan.limit).build();
  if (!ranked) return { page: rest, count };
  const page = { sql: `with ranked as materialized (${ranked.sql}) ${rest.sql}`, params: [...ranked.params, ...rest.params] };
  return { page, count, ranked, fromRanked: rest };
}

/** The page's order again, on the joined product row (RELEVANCE: the rank the page computed). */
const LISTING_ORDER: Record<ListingPlan['sort'], string> = {
  RELEVANCE: 'page.k desc, page.id',
  NAME_ASC: 'p.name, p.id',
  PRICE_ASC: 'p.price_amount, p.id',
  PRICE_DESC: 'p.price_amount desc, p.id desc',
  BEST_SELLING: 'p.units_sold desc, p.id desc',
  NEWEST: 'p.created_at desc, p.id desc',
};

/**
 * The count of a listing filtered by nothing but its category, from the live counts kept per
 * category (migration live-product-counts): a sum over a few rows instead of every live product.
 */
export function keptCount({ filter, categoryIds }: ListingPlan): SqlQuery | undefined {
  if (filter.terms.length || filter.min !== null || filter.max !== null || filter.options.length || filter.inStock !== null) return undefined;
  const sum = 'select coalesce(sum(live), 0)::int as n from product_live_count';
  if (!filter.category) return { sql: sum, params: [] };
  if (!categoryIds?.length) return { sql: 'select 0 as n', params: [] };
  return { sql: `${sum} where category_key = any(?::uuid[])`, params: [uuidArray(categoryIds)] };
}

/**
 * The whole listing in one statement: the page (the keyset query above), the count, each page
 * product's columns, its category's and whether any live variant is in stock (the listing's own
 * in-stock condition). `total left join` keeps the count when the page is empty.
 */
export function listingStatement(plan: ListingPlan): SqlQuery {
  const { page, count, ranked, fromRanked } = listingQueries(plan);
  const kept = keptCount(plan);
  // A search by relevance ranks every match anyway: counting those rows spares a second search.
  const ctes = ranked
    ? {
        sql: `ranked as materialized (${ranked.sql}), page as (${fromRanked!.sql}), total as (select count(*)::int as n from ranked)`,
        params: [...ranked.params, ...fromRanked!.params],
      }
    : { sql: `page as materialized (${page.sql}), total as (${kept?.sql ?? count.sql})`, params: [...page.params, ...(kept ?? count).params] };
  const sql = `with ${ctes.sql}
    select total.n as "totalCount", page.k, ${PRODUCT_COLUMNS},
      exists (select 1 from product_variant v where v.product_id = p.id and v.deleted_at is null and v.on_hand > v.reserved) as "inStock"
    from total left join (page join product p on p.id = page.id left join category c on c.id = p.category_id) on true
    order by ${LISTING_ORDER[plan.sort]}`;
  return { sql, params: ctes.params };
}

/**
 * The first page by name of many categories' listings (Category.products of every category a
 * request shows) in one statement, planned once whatever their number: per listing, its subtree's
 * category ids; `limit` rows each (`first` + 1, a constant the planner sees). A page is the first
 * rows of each subtree category (index-only on product_live_category_name_idx), merged: its cost
 * follows the page size and the subtree, not the catalog. Rows come per listing in page order
 * (`pos`); an empty page is one row with the count and no product.
 */
export function categoryPagesStatement(subtrees: ReadonlyArray<readonly string[]>, limit: number): SqlQuery {
  const sql = `with listing as (select * from json_to_recordset(?::json) as l(listing int, ids uuid[]))
    select l.listing, total.n as "totalCount", page.k, page.pos, ${PRODUCT_COLUMNS},
      exists (select 1 from product_variant v where v.product_id = p.id and v.deleted_at is null and v.on_hand > v.reserved) as "inStock"
    from listing l
    cross join lateral (select coalesce(sum(live), 0)::int as n from product_live_count where category_key = any(l.ids)) total
    left join lateral (select first.id, first.k, row_number() over (order by first.k, first.id)::int as pos
      from unnest(l.ids) as member(category_id)
      cross join lateral (select p.id, p.name as k from product p where p.deleted_at is null and p.category_id = member.category_id
        order by p.name, p.id limit ?) first
      order by first.k, first.id limit ?) page on true
    left join product p on p.id = page.id left join category c on c.id = p.category_id
    order by l.listing, page.pos`;
  const listings = subtrees.map((ids, listing) => ({ listing, ids: ids.filter(isUuid) }));
  return { sql, params: [JSON.stringify(listings), Math.trunc(limit), Math.trunc(limit)] };
}

/** One row of listingStatement: the count, and a page product with its category (product columns all null on an empty page). */
interface ListingRow extends Omit<ProductRow, 'id'> {
  totalCount: number;
  id: string | null;
  k: string | number;
  inStock: boolean;
}

/** One listing's rows (in page order) as a page of plain product objects. */
function pageOf(rows: readonly ListingRow[], first: number, hasPrevious: boolean, prefix: ReadonlyArray<string | number>): Connection<ProductView> {
  const found = rows.filter((row) => row.id !== null);
  const page = toConnection(found, first, Number(rows[0]?.totalCount ?? 0), (row) => encodeCursor([...prefix, row.k, row.id!]), hasPrevious);
  const edges = page.edges.map(({ cursor, node: row }) => ({
    cursor,
    node: { ...productOfRow({ ...row, id: row.id! }), listedInStock: row.inStock },
  }));
  return { ...page, edges };
}

/**
 * Live variants with fewer than `threshold` units available, fewest first (index on on_hand -
 * reserved, id): one row per variant, naming its product.
 */
export function lowStockStatements(plan: { threshold: number; after: [string | number, string] | null; limit: number }): {
  page: SqlQuery;
  count: SqlQuery;
} {
  const where = 'from product_variant v where v.deleted_at is null and v.on_hand - v.reserved < ?';
  const q = new Statement().add(`select v.id, v.product_id as "productId", v.on_hand - v.reserved as k ${where}`, plan.threshold);
  if (plan.after) q.add('and (v.on_hand - v.reserved, v.id) > (?::int, ?::uuid)', ...plan.after);
  q.add('order by v.on_hand - v.reserved, v.id limit ?', plan.limit);
  return { page: q.build(), count: new Statement().add(`select count(*)::int as n ${where}`, plan.threshold).build() };
}

interface KeyRow {
  /** The keyset's tie-breaker (a product id, or a variant id for the low-stock page). */
  id: string;
  /** The product the row shows when `id` is a variant's. */
  productId?: string;
  k: string | number;
}

/**
 * Keyset pages over indexed orderings (see the search migration). The statements stay SQL: keyset
 * cursors, full-text and trigram ranking are what the ORM cannot say. A listing reads its products
 * in the same statement as plain rows (the hot read path: no second round trip, no hydration); the
 * low-stock page reads them through the entity, kept in page order.
 */
export class ProductSearchRepository {
  private readonly em: EntityManager;
  constructor(em: EntityManager) {
    this.em = em;
  }

  /** The listing from listingStatement's rows: plain objects, not entities (read-only, nothing to track). */
  async listing(statement: SqlQuery, first: number, hasPrevious: boolean, prefix: ReadonlyArray<string | number>): Promise<Connection<ProductView>> {
    // Raw: keyset page, count and the rows' columns in one round trip (see listingStatement).
    return pageOf(await this.em.execute<ListingRow[]>(statement.sql, statement.params), first, hasPrevious, prefix);
  }

  /** First pages of many category listings, in the order given: one round trip per page size (categoryPagesStatement). */
  async categoryPages(
    listings: ReadonlyArray<{ categoryIds: readonly string[]; first: number; prefix: ReadonlyArray<string | number> }>,
  ): Promise<Array<Connection<ProductView>>> {
    const pages: Array<Connection<ProductView>> = [];
    const sizes = [...new Set(listings.map(({ first }) => first))];
    await Promise.all(
      sizes.map(async (first) => {
        const sized = [...listings.entries()].filter(([, listing]) => listing.first === first);
        const statement = categoryPagesStatement(
          sized.map(([, listing]) => listing.categoryIds),
          first + 1,
        );
        // Raw: one lateral page per listing (see categoryPagesStatement).
        const rows = await this.em.execute<Array<ListingRow & { listing: number }>>(statement.sql, statement.params);
        const perListing = rowsPerListing(rows, sized.length);
        sized.forEach(([i, listing], at) => (pages[i] = pageOf(perListing[at]!, first, false, listing.prefix)));
      }),
    );
    return pages;
  }

  /** The low-stock page: page ids and the total in parallel, then the entities in one query. */
  async connection(
    page: SqlQuery,
    count: SqlQuery,
    first: number,
    hasPrevious: boolean,
    prefix: ReadonlyArray<string | number>,
  ): Promise<Connection<Product>> {
    const [rows, counted] = await Promise.all([
      this.em.execute<KeyRow[]>(page.sql, page.params),
      this.em.execute<Array<{ n: number }>>(count.sql, count.params),
    ]);
    const pageRows = rows.slice(0, first);
    const ids = [...new Set(pageRows.map((r) => r.productId ?? r.id))];
    const products = ids.length ? await this.em.find(ProductSchema, { id: { $in: ids } }) : [];
    const byId = new Map(products.map((p) => [p.id, p]));
    const edges = pageRows.flatMap((row) => {
      const node = byId.get(row.productId ?? row.id);
      return node ? [{ cursor: encodeCursor([...prefix, row.k, row.id]), node }] : [];
    });
    return {
      edges,
      pageInfo: {
        hasNextPage: rows.length > first,
        hasPreviousPage: hasPrevious,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
      totalCount: Number(counted[0]?.n ?? 0),
    };
  }
}
