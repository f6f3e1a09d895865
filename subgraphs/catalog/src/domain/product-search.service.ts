import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  amountRefusal,
  BadUserInputError,
  decodeCursor,
  encodeCursor,
  isUuid,
  parseDecimal,
  type Connection,
  type CurrencyCode,
} from '@shop/platform';
import { ProductSchema, type Product } from '../data/product.entity.ts';

export type ProductSort = 'RELEVANCE' | 'PRICE_ASC' | 'PRICE_DESC' | 'NEWEST' | 'NAME_ASC';

export interface ProductFilterInput {
  categorySlug?: string | null;
  /** Not in the public filter: Category.products lists by the category it resolves. */
  categoryId?: string | null;
  search?: string | null;
  minPrice?: string | null;
  maxPrice?: string | null;
  inStock?: boolean | null;
}

export interface ProductListArgs {
  /** Already bounded by `pageSize`. */
  first: number;
  after?: string | null;
  sort?: ProductSort | null;
  filter?: ProductFilterInput | null;
}

/** A statement with `?` placeholders and its values in order; MikroORM escapes each value. */
export interface SqlQuery {
  sql: string;
  params: Array<string | number>;
}

type KeyKind = 'int' | 'text' | 'time';

interface ListingPlan {
  /** RELEVANCE only with search words; otherwise already turned into NAME_ASC. */
  sort: ProductSort;
  filter: { category: { slug: string } | { id: string } | null; terms: string[]; min: number | null; max: number | null; inStock: boolean | null };
  /** Sort name and filter fingerprint: the first two cursor values. */
  cursorPrefix: [string, string];
  /** Sort key and id of the row the page starts after. */
  after: [string | number, string] | null;
  limit: number;
}

const ISO_MICROS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
const MAX_SEARCH_LENGTH = 200;
const MAX_TERMS = 8;
/** Typo tolerance: how much of the search text must reappear, trigram-wise, in one stretch of the name. */
export const NAME_SIMILARITY = 0.7;

/** Words to search for: letters and digits only, so nothing a user types is tsquery syntax. */
export function searchTerms(text: string): string[] {
  return (
    text
      .normalize('NFKC')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  )
    .slice(0, MAX_TERMS)
    .map((t) => t.slice(0, 40));
}

/** "wireless mo" → "wireless:* & mo:*": every word, stemmed by the english config, may be a prefix. */
export function prefixTsQuery(terms: string[]): string {
  return terms.map((t) => `${t}:*`).join(' & ');
}

function price(value: string | null | undefined, field: string, currency: CurrencyCode): number | null {
  if (value == null) return null;
  const parsed = parseDecimal(value, currency);
  if (!parsed.ok) throw new BadUserInputError(amountRefusal(parsed.reason, currency, field).message, ['filter', field]);
  if (parsed.minor < 0) throw new BadUserInputError(`${field} cannot be negative`, ['filter', field]);
  return parsed.minor;
}

const SORT_KEY: Record<ProductSort, KeyKind> = { RELEVANCE: 'int', PRICE_ASC: 'int', PRICE_DESC: 'int', NEWEST: 'time', NAME_ASC: 'text' };

/** Whether a decoded cursor value has the type its sort key has (it goes into SQL as that type). */
function cursorKey(value: string | number, kind: KeyKind): boolean {
  if (kind === 'int') return Number.isSafeInteger(value);
  if (kind === 'time') return typeof value === 'string' && ISO_MICROS.test(value);
  return typeof value === 'string';
}

/**
 * Decode `[sort, fingerprint, key, id]`. A cursor made under another sort or filter would point
 * into a different ordering, so it is refused rather than silently skipping rows.
 */
function decodeAfter(after: string, prefix: readonly (string | number)[], kind: KeyKind): [string | number, string] {
  const values = decodeCursor<Array<string | number>>(after, prefix.length + 2);
  if (prefix.some((v, i) => values[i] !== v)) throw new BadUserInputError('This cursor belongs to another sort or filter', ['after']);
  const [key, id] = values.slice(prefix.length) as [string | number, string | number];
  if (!cursorKey(key, kind) || !isUuid(id)) throw new BadUserInputError('Invalid cursor', ['after']);
  return [key, id];
}

/** Arguments → validated plan (pure: no database). */
export function planListing(args: ProductListArgs, currency: CurrencyCode): ListingPlan {
  const input = args.filter ?? {};
  const search = input.search?.trim() ?? '';
  if (search.length > MAX_SEARCH_LENGTH) throw new BadUserInputError(`search is at most ${MAX_SEARCH_LENGTH} characters`, ['filter', 'search']);
  const min = price(input.minPrice, 'minPrice', currency);
  const max = price(input.maxPrice, 'maxPrice', currency);
  if (min !== null && max !== null && min > max) throw new BadUserInputError('maxPrice must not be below minPrice', ['filter', 'maxPrice']);
  const category = input.categoryId ? { id: input.categoryId } : input.categorySlug != null ? { slug: input.categorySlug } : null;
  const filter = { category, terms: searchTerms(search), min, max, inStock: input.inStock ?? null };
  // Without words to rank by, relevance is the name order.
  const requested = args.sort ?? 'RELEVANCE';
  const sort = requested === 'RELEVANCE' && filter.terms.length === 0 ? 'NAME_ASC' : requested;
  const fingerprint = createHash('sha256').update(JSON.stringify(filter)).digest('base64url').slice(0, 10);
  const cursorPrefix: [string, string] = [sort, fingerprint];
  return { sort, filter, cursorPrefix, after: args.after ? decodeAfter(args.after, cursorPrefix, SORT_KEY[sort]) : null, limit: args.first + 1 };
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

function addFilters(q: Statement, filter: ListingPlan['filter']): Statement {
  q.add('where p.deleted_at is null');
  if (filter.category && 'id' in filter.category) q.add('and p.category_id = ?::uuid', filter.category.id);
  if (filter.category && 'slug' in filter.category) q.add('and p.category_id = (select c.id from category c where c.slug = ?)', filter.category.slug);
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
  if (filter.inStock !== null) q.add(filter.inStock ? 'and p.on_hand - p.reserved > 0' : 'and p.on_hand - p.reserved <= 0');
  return q;
}

/** One page of (id, sort key) in keyset order, and the count of the whole filtered set. */
export function listingQueries(plan: ListingPlan): { page: SqlQuery; count: SqlQuery } {
  const count = addFilters(new Statement().add('select count(*)::int as n from product p'), plan.filter).build();
  const q = new Statement();
  const [key, id] = plan.after ?? [];
  switch (plan.sort) {
    case 'RELEVANCE':
      // Materialized: the rank is computed once per matching row, not again by the keyset test.
      addRank(q.add('with ranked as materialized (select p.id,'), prefixTsQuery(plan.filter.terms), plan.filter.terms.join(' '));
      addFilters(q.add('as k from product p'), plan.filter).add(') select id, k from ranked');
      if (plan.after) q.add('where k < ? or (k = ? and id > ?::uuid)', key!, key!, id!);
      q.add('order by k desc, id');
      break;
    case 'NAME_ASC':
      addFilters(q.add('select p.id, p.name as k from product p'), plan.filter);
      if (plan.after) q.add('and (p.name, p.id) > (?, ?::uuid)', key!, id!);
      q.add('order by p.name, p.id');
      break;
    case 'PRICE_ASC':
    case 'PRICE_DESC': {
      addFilters(q.add('select p.id, p.price_amount as k from product p'), plan.filter);
      const asc = plan.sort === 'PRICE_ASC';
      if (plan.after) q.add(`and (p.price_amount, p.id) ${asc ? '>' : '<'} (?::int, ?::uuid)`, key!, id!);
      q.add(asc ? 'order by p.price_amount, p.id' : 'order by p.price_amount desc, p.id desc');
      break;
    }
    case 'NEWEST':
      // Microsecond text, not a JS Date: the cursor must not round the key it resumes from.
      addFilters(q.add(`select p.id, to_char(p.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as k from product p`), plan.filter);
      if (plan.after) q.add('and (p.created_at, p.id) < (?::timestamptz, ?::uuid)', key!, id!);
      q.add('order by p.created_at desc, p.id desc');
      break;
  }
  return { page: q.add('limit ?', plan.limit).build(), count };
}

export const LOW_STOCK_MAX_THRESHOLD = 100_000;

/** Live products with fewer than `threshold` units available, fewest first (index on on_hand - reserved, id). */
export function lowStockQueries(args: { threshold: number; first: number; after?: string | null }): {
  page: SqlQuery;
  count: SqlQuery;
  cursorPrefix: [string, number];
} {
  const { threshold } = args;
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > LOW_STOCK_MAX_THRESHOLD) {
    throw new BadUserInputError(`threshold must be between 1 and ${LOW_STOCK_MAX_THRESHOLD}`, ['threshold']);
  }
  const cursorPrefix: [string, number] = ['LOW_STOCK', threshold];
  const where = 'from product p where p.deleted_at is null and p.on_hand - p.reserved < ?';
  const q = new Statement().add(`select p.id, p.on_hand - p.reserved as k ${where}`, threshold);
  if (args.after) q.add('and (p.on_hand - p.reserved, p.id) > (?::int, ?::uuid)', ...decodeAfter(args.after, cursorPrefix, 'int'));
  q.add('order by p.on_hand - p.reserved, p.id limit ?', args.first + 1);
  return { page: q.build(), count: new Statement().add(`select count(*)::int as n ${where}`, threshold).build(), cursorPrefix };
}

interface KeyRow {
  id: string;
  k: string | number;
}

/** Listing, search and the low-stock view: keyset pages over indexed orderings (see the search migration). */
export class ProductSearchService {
  private readonly em: EntityManager;
  private readonly currency: CurrencyCode;
  constructor(em: EntityManager, currency: CurrencyCode) {
    this.em = em;
    this.currency = currency;
  }

  async list(args: ProductListArgs): Promise<Connection<Product>> {
    const plan = planListing(args, this.currency);
    const { page, count } = listingQueries(plan);
    return this.connection(page, count, args.first, Boolean(args.after), plan.cursorPrefix);
  }

  async lowStock(args: { threshold: number; first: number; after?: string | null }): Promise<Connection<Product>> {
    const { page, count, cursorPrefix } = lowStockQueries(args);
    return this.connection(page, count, args.first, Boolean(args.after), cursorPrefix);
  }

  /** Page ids and the total in parallel, then the entities in one query, kept in page order. */
  private async connection(
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
    const products = pageRows.length ? await this.em.find(ProductSchema, { id: { $in: pageRows.map((r) => r.id) } }) : [];
    const byId = new Map(products.map((p) => [p.id, p]));
    const edges = pageRows.flatMap((row) => {
      const node = byId.get(row.id);
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
