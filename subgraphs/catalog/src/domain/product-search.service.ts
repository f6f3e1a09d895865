import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { amountRefusal, BadUserInputError, decodeCursor, isUuid, parseDecimal, type Connection, type CurrencyCode } from '@shop/platform';
import type { ProductView } from '../data/product.entity.ts';
import { CategoryRepository } from '../data/category.repository.ts';
import { listingStatement, lowStockStatements, ProductSearchRepository, type SqlQuery } from '../data/product-search.repository.ts';

// The statements live in the data layer; re-exported for the plan tests.
export { listingQueries, NAME_SIMILARITY, prefixTsQuery, type SqlQuery } from '../data/product-search.repository.ts';

export type ProductSort = 'RELEVANCE' | 'PRICE_ASC' | 'PRICE_DESC' | 'NEWEST' | 'NAME_ASC' | 'BEST_SELLING';

export interface ProductFilterInput {
  categorySlug?: string | null;
  /** Not in the public filter: Category.products lists by the category it resolves. */
  categoryId?: string | null;
  search?: string | null;
  minPrice?: string | null;
  maxPrice?: string | null;
  inStock?: boolean | null;
  /** AND across option names, OR within one: e.g. Size M or L, and Color Blue. */
  options?: ReadonlyArray<{ name: string; values: readonly string[] }> | null;
}

export interface ProductListArgs {
  /** Already bounded by `pageSize`. */
  first: number;
  after?: string | null;
  sort?: ProductSort | null;
  filter?: ProductFilterInput | null;
}

type KeyKind = 'int' | 'text' | 'time';

export interface ListingPlan {
  /** RELEVANCE only with search words; otherwise already turned into NAME_ASC. */
  sort: ProductSort;
  filter: {
    category: { slug: string } | { id: string } | null;
    terms: string[];
    min: number | null;
    max: number | null;
    inStock: boolean | null;
    /** Sorted by name, values sorted and distinct: equal filters give equal cursors. */
    options: Array<{ name: string; values: string[] }>;
  };
  /**
   * The category and every category below it, once resolved (resolveCategories): the statements
   * then compare `category_id` with known ids, which keeps a single category's page index-only.
   */
  categoryIds?: string[];
  /** That category's depth (a top-level one is 1): its subcategories are the facets' categories. */
  categoryDepth?: number;
  /** Sort name and filter fingerprint: the first two cursor values. */
  cursorPrefix: [string, string];
  /** Sort key and id of the row the page starts after. */
  after: [string | number, string] | null;
  limit: number;
}

const MAX_SEARCH_LENGTH = 200;
const MAX_TERMS = 8;

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

function price(value: string | null | undefined, field: string, currency: CurrencyCode): number | null {
  if (value == null) return null;
  const parsed = parseDecimal(value, currency);
  if (!parsed.ok) throw new BadUserInputError(amountRefusal(parsed.reason, currency, field).message, ['filter', field]);
  if (parsed.minor < 0) throw new BadUserInputError(`${field} cannot be negative`, ['filter', field]);
  return parsed.minor;
}

const SORT_KEY: Record<ProductSort, KeyKind> = {
  RELEVANCE: 'int',
  PRICE_ASC: 'int',
  PRICE_DESC: 'int',
  NEWEST: 'time',
  NAME_ASC: 'text',
  BEST_SELLING: 'int',
};

/**
 * Cursor keys as the SQL casts take them, so a forged one is bad input rather than a database
 * error. Every int key (price, units sold, rank, stock) is a Postgres `integer` (`?::int`, else
 * 22003). A time key is a real UTC instant to the microsecond, as the listing writes it (`?::timestamptz`,
 * else 22008): zod checks months, days per month and hours; year 0000 is refused, Postgres has none.
 */
const INT_KEY = z.int32();
const TIME_KEY = z.iso.datetime({ precision: 6 }).refine((key) => !key.startsWith('0000-'));
/** Text Postgres cannot take (a NUL cuts the statement short: 08P01, taken for an outage), as the input guard refuses it. */
const unstorable = (text: string) => text.includes('\u0000') || !text.isWellFormed();

/** Whether a decoded cursor value has the type its sort key has (it goes into SQL as that type). */
function cursorKey(value: string | number, kind: KeyKind): boolean {
  if (kind === 'int') return INT_KEY.safeParse(value).success;
  if (kind === 'time') return TIME_KEY.safeParse(value).success;
  return typeof value === 'string' && !unstorable(value);
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

export const MAX_OPTION_FILTERS = 5;
const MAX_OPTION_VALUES = 20;
const MAX_OPTION_TEXT = 50;

/** The option filter, validated and normalized (merged per name, sorted). */
function optionFilter(input: ProductFilterInput['options']): ListingPlan['filter']['options'] {
  const byName = new Map<string, Set<string>>();
  (input ?? []).forEach((option, i) => {
    const name = option.name.trim();
    const at = (...rest: string[]) => ['filter', 'options', String(i), ...rest];
    if (!name || name.length > MAX_OPTION_TEXT || name.includes('='))
      throw new BadUserInputError(`An option name is 1 to ${MAX_OPTION_TEXT} characters, without "="`, at('name'));
    if (option.values.length === 0 || option.values.length > MAX_OPTION_VALUES)
      throw new BadUserInputError(`Give 1 to ${MAX_OPTION_VALUES} values of an option`, at('values'));
    const values = byName.get(name) ?? new Set<string>();
    for (const value of option.values) {
      if (!value || value.length > MAX_OPTION_TEXT)
        throw new BadUserInputError(`An option value is 1 to ${MAX_OPTION_TEXT} characters`, at('values'));
      values.add(value);
    }
    byName.set(name, values);
  });
  if (byName.size > MAX_OPTION_FILTERS) throw new BadUserInputError(`Filter by at most ${MAX_OPTION_FILTERS} options`, ['filter', 'options']);
  return [...byName].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, values]) => ({ name, values: [...values].sort() }));
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
  const filter = { category, terms: searchTerms(search), min, max, inStock: input.inStock ?? null, options: optionFilter(input.options) };
  // Without words to rank by, relevance is the name order.
  const requested = args.sort ?? 'RELEVANCE';
  const sort = requested === 'RELEVANCE' && filter.terms.length === 0 ? 'NAME_ASC' : requested;
  const fingerprint = createHash('sha256').update(JSON.stringify(filter)).digest('base64url').slice(0, 10);
  const cursorPrefix: [string, string] = [sort, fingerprint];
  return { sort, filter, cursorPrefix, after: args.after ? decodeAfter(args.after, cursorPrefix, SORT_KEY[sort]) : null, limit: args.first + 1 };
}

/** One Category.products page: the category and the page's arguments (`first` already bounded). */
export interface CategoryPageKey {
  categoryId: string;
  first: number;
  after?: string | null;
}

/** A page of products and, for a listing, the plan its facets are counted from (the low-stock view has none). */
export type ProductListing = Connection<ProductView> & { plan?: ListingPlan };

export const LOW_STOCK_MAX_THRESHOLD = 100_000;

/** Live products with fewer than `threshold` units available, fewest first: validated, then the statements. */
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
  const after = args.after ? decodeAfter(args.after, cursorPrefix, 'int') : null;
  return { ...lowStockStatements({ threshold, after, limit: args.first + 1 }), cursorPrefix };
}

/** Listing, search and the low-stock view: keyset pages over indexed orderings (see the search migration). */
export class ProductSearchService {
  private readonly currency: CurrencyCode;
  private readonly pages: ProductSearchRepository;
  private readonly categories = new CategoryRepository();
  private readonly em: EntityManager;
  constructor(em: EntityManager, currency: CurrencyCode) {
    this.em = em;
    this.pages = new ProductSearchRepository(em);
    this.currency = currency;
  }

  async list(args: ProductListArgs): Promise<ProductListing> {
    const plan = planListing(args, this.currency);
    if (plan.filter.category) {
      const { ids, depth } = await this.categories.subtree(this.em, plan.filter.category);
      Object.assign(plan, { categoryIds: ids, categoryDepth: depth });
    }
    return { ...(await this.pages.listing(listingStatement(plan), args.first, Boolean(args.after), plan.cursorPrefix)), plan };
  }

  /**
   * The products of many categories by name (Category.products of every category a request shows,
   * a menu): their subtrees in one statement and their first pages in another, whatever their
   * number. A page after a cursor is one category's listing as usual; a refused cursor fails its own
   * category only.
   */
  async listCategories(keys: ReadonlyArray<CategoryPageKey>): Promise<Array<ProductListing | Error>> {
    const plans = keys.map((key) => {
      try {
        return planListing({ first: key.first, after: key.after, sort: 'NAME_ASC', filter: { categoryId: key.categoryId } }, this.currency);
      } catch (error) {
        return error as Error;
      }
    });
    const subtrees = await this.categories.subtrees(this.em, [...new Set(keys.map((key) => key.categoryId))]);
    plans.forEach((plan, i) => {
      const subtree = subtrees.get(keys[i]!.categoryId) ?? { ids: [], depth: 0 };
      if (!(plan instanceof Error)) Object.assign(plan, { categoryIds: subtree.ids, categoryDepth: subtree.depth });
    });
    const firsts = plans.flatMap((plan, i) => (plan instanceof Error || plan.after ? [] : [{ i, plan }]));
    const firstPages = await this.pages.categoryPages(
      firsts.map(({ i, plan }) => ({ categoryIds: plan.categoryIds!, first: keys[i]!.first, prefix: plan.cursorPrefix })),
    );
    const firstPageOf = new Map(firsts.map(({ i }, at) => [i, firstPages[at]!]));
    return Promise.all(
      plans.map(async (plan, i) => {
        if (plan instanceof Error) return plan;
        const page =
          firstPageOf.get(i) ?? (await this.pages.listing(listingStatement(plan), keys[i]!.first, true, plan.cursorPrefix).catch((e: Error) => e));
        return page instanceof Error ? page : { ...page, plan };
      }),
    );
  }

  async lowStock(args: { threshold: number; first: number; after?: string | null }): Promise<ProductListing> {
    const { page, count, cursorPrefix } = lowStockQueries(args);
    return this.pages.connection(page, count, args.first, Boolean(args.after), cursorPrefix);
  }
}
