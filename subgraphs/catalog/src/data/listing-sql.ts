import type { EntityManager } from '@mikro-orm/postgresql';
import { uuidArray } from '@shop/platform';
import type { ListingPlan } from '../domain/product-search.service.ts';
import { optionValue } from './product-variant.entity.ts';

export type ListingFilter = ListingPlan['filter'];

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
export class Statement {
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
 * Several statements in one round trip: side by side under `union all`, every row tagged with its
 * statement (`select <i> as listing, x.* from (<statement>) x`), handed back per statement. For
 * statements of the same shape (one facet count for every listing a request shows); one alone runs as it is.
 */
export async function eachInOneStatement<T>(em: EntityManager, statements: readonly SqlQuery[]): Promise<T[][]> {
  if (statements.length <= 1) return Promise.all(statements.map(({ sql, params }) => em.execute<T[]>(sql, params)));
  const sql = statements.map((statement, i) => `select ${i} as listing, x.* from (${statement.sql}) x`).join(' union all ');
  const rows = await em.execute<Array<T & { listing: number }>>(
    sql,
    statements.flatMap((statement) => statement.params),
  );
  return rowsPerListing(rows, statements.length);
}

/** Rows tagged with their listing's index (`listing`), as one array per listing, in the order they came. */
export function rowsPerListing<T extends { listing: number }>(rows: readonly T[], listings: number): T[][] {
  const each = Array.from({ length: listings }, (): T[] => []);
  for (const row of rows) each[row.listing]!.push(row);
  return each;
}

/**
 * "The product has a live variant with these option values": one variant matching every option
 * (AND across names), each with any of its values (OR within a name) — `option_values` holds
 * "Name=Value" (GIN index).
 */
export function variantWithOptions(options: ListingFilter['options']): [string, ...string[]] {
  const [overlaps, ...params] = variantMatches(options);
  return [`and exists (select 1 from product_variant v where v.product_id = p.id and v.deleted_at is null ${overlaps})`, ...params];
}

/** The conditions on a variant `v` for these option filters, and their values (one text[] per option). */
export function variantMatches(options: ListingFilter['options']): [string, ...string[]] {
  return [
    options.map(() => 'and v.option_values && ?::text[]').join(' '),
    ...options.map((o) => textArray(o.values.map((value) => optionValue(o.name, value)))),
  ];
}

/** A Postgres text[] literal; every element quoted (values may hold commas, quotes, backslashes). */
export function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}

/**
 * The listing's WHERE clause. Every facet count is a listing with one filter replaced, so listings
 * and facets share this one builder and a count always equals what applying that facet returns.
 */
export function addFilters(q: Statement, filter: ListingFilter, categoryIds?: string[]): Statement {
  q.add('where p.deleted_at is null');
  // A category's products include its descendants' (the ids resolved beforehand): one category keeps
  // the (category_id, name, id) index order; several are gathered from the category index.
  if (filter.category) {
    const ids = categoryIds ?? [];
    if (ids.length === 0) q.add('and false');
    else if (ids.length === 1) q.add('and p.category_id = ?::uuid', ids[0]!);
    else q.add('and p.category_id = any(?::uuid[])', uuidArray(ids));
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
  if (filter.options.length > 0) q.add(...variantWithOptions(filter.options));
  if (filter.inStock !== null) {
    // In stock: any live variant with units available (product_variant_in_stock_idx).
    const anyAvailable = 'exists (select 1 from product_variant v where v.product_id = p.id and v.deleted_at is null and v.on_hand > v.reserved)';
    q.add(filter.inStock ? `and ${anyAvailable}` : `and not ${anyAvailable}`);
  }
  return q;
}
