import type { EntityManager } from '@mikro-orm/postgresql';
import { encodeCursor, type Connection } from '@shop/platform';
import type { ListingPlan } from '../domain/product-search.service.ts';
import { ProductSchema, type Product } from './product.entity.ts';

/** A statement with `?` placeholders and its values in order; MikroORM escapes each value. */
export interface SqlQuery {
  sql: string;
  params: Array<string | number>;
}

/** Typo tolerance: how much of the search text must reappear, trigram-wise, in one stretch of the name. */
export const NAME_SIMILARITY = 0.7;

/** "wireless mo" → "wireless:* & mo:*": every word, stemmed by the english config, may be a prefix. */
export function prefixTsQuery(terms: string[]): string {
  return terms.map((t) => `${t}:*`).join(' & ');
}

/** Collects SQL fragments and their values in placeholder order. */
class Statement {
  private readonly parts: string[] = [];
  readonly params: Array<string | number> = [];
  add(sql: string, ...params: Array<string | number>): this {
    if ((sql.match(/\?/g) ?? []).length !== params.length) throw new Error(`placeholder count mismatch in: ${sql}`);
    this.parts.push(sql);
    this.params.push(...params);
    return this;
  }
  build(): SqlQuery {
    return { sql: this.parts.join(' '), params: [...this.params] };
  }
}

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

function addFilters(q: Statement, filter: ListingPlan['filter'], categoryIds?: string[]): Statement {
  q.add('where p.deleted_at is null');
  // A category's products include its descendants' (the ids resolved beforehand): one category keeps
  // the (category_id, name, id) index order; several are gathered from the category index.
  if (filter.category) {
    const ids = categoryIds ?? [];
    if (ids.length === 0) q.add('and false');
    else if (ids.length === 1) q.add('and p.category_id = ?::uuid', ids[0]!);
    else q.add('and p.category_id = any(?::uuid[])', `{${ids.join(',')}}`);
  }
  if (filter.terms.length > 0) {
    // Full-text (stemmed, prefix) on name + description, or a name that is nearly the search text (typos).
    const words = filter.terms.join(' ');
    q.add(
      `and (p.search_vector @@ to_tsquery('english', ?) or (p.name %> ? and word_similarity(?, p.name) >= ${NAME_SIMILARITY}))`,
      prefixTsQuery(filter.terms),
      words,
      words,
    );
  }
  if (filter.min !== null) q.add('and p.price_amount >= ?', filter.min);
  if (filter.max !== null) q.add('and p.price_amount <= ?', filter.max);
  if (filter.inStock !== null) {
    // In stock: any live variant with units available (product_variant_in_stock_idx).
    const anyAvailable = 'exists (select 1 from product_variant v where v.product_id = p.id and v.deleted_at is null and v.on_hand > v.reserved)';
    q.add(filter.inStock ? `and ${anyAvailable}` : `and not ${anyAvailable}`);
  }
  return q;
}

/** One page of (id, sort key) in keyset order, and the count of the whole filtered set. */
export function listingQueries(plan: ListingPlan): { page: SqlQuery; count: SqlQuery } {
  const count = addFilters(new Statement().add('select count(*)::int as n from product p'), plan.filter, plan.categoryIds).build();
  const q = new Statement();
  const [key, id] = plan.after ?? [];
  switch (plan.sort) {
    case 'RELEVANCE':
      // Materialized: the rank is computed once per matching row, not again by the keyset test.
      addRank(q.add('with ranked as materialized (select p.id,'), prefixTsQuery(plan.filter.terms), plan.filter.terms.join(' '));
      addFilters(q.add('as k from product p'), plan.filter, plan.categoryIds).add(') select id, k from ranked');
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
  return { page: q.add('limit ?', plan.limit).build(), count };
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
 * cursors, full-text and trigram ranking are what the ORM cannot say; the products themselves are
 * then read through the entity, kept in page order.
 */
export class ProductSearchRepository {
  private readonly em: EntityManager;
  constructor(em: EntityManager) {
    this.em = em;
  }

  /** Page ids and the total in parallel, then the entities in one query. */
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
