import type { EntityManager } from '@mikro-orm/postgresql';
import { CURRENCY_DIGITS, type CurrencyCode } from '@shop/platform';
import type { Category } from '../data/category.entity.ts';
import { optionValue } from '../data/product-variant.entity.ts';
import { CategoryRepository } from '../data/category.repository.ts';
import { ProductFacetsRepository, type FacetScope } from '../data/product-facets.repository.ts';
import type { ListingPlan } from './product-search.service.ts';

export interface ProductFacets {
  /** The current category's subcategories (top-level categories without a category filter) that hold matching products. */
  categories: Array<{ category: Category; count: number }>;
  /** Per option name (alphabetical), its values with matching products, most first. */
  options: Array<{ name: string; values: Array<{ value: string; count: number }> }>;
  /** Minor units; `max` inclusive, null for the open-ended last bucket. Only buckets with products. */
  priceBuckets: Array<{ min: number; max: number | null; count: number }>;
  inStockCount: number;
}

/** Bucket boundaries in whole currency units: under 25, 25–50, 50–100, 100–200, 200–500, 500 and more. */
export const PRICE_BOUNDS = [0, 25, 50, 100, 200, 500] as const;

export const priceBounds = (currency: CurrencyCode): number[] => PRICE_BOUNDS.map((b) => b * 10 ** CURRENCY_DIGITS[currency]);

/** width_bucket's counts (1-based) → buckets with their inclusive bounds. */
export function priceBuckets(counts: ReadonlyMap<number, number>, bounds: readonly number[]): ProductFacets['priceBuckets'] {
  return bounds.flatMap((min, i) => {
    const count = counts.get(i + 1) ?? 0;
    const next = bounds[i + 1];
    return count > 0 ? [{ min, max: next === undefined ? null : next - 1, count }] : [];
  });
}

/** "Name=Value" counts → facets per option name, values most-matching first (then alphabetical). */
export function optionFacets(counts: ReadonlyMap<string, number>): ProductFacets['options'] {
  const byName = new Map<string, Array<{ value: string; count: number }>>();
  for (const [pair, count] of counts) {
    const at = pair.indexOf('=');
    const name = pair.slice(0, at);
    byName.set(name, [...(byName.get(name) ?? []), { value: pair.slice(at + 1), count }]);
  }
  return [...byName]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, values]) => ({ name, values: values.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1)) }));
}

/**
 * A listing's facets: what each way of narrowing it would leave. Every count is the listing's
 * count with that one filter replaced — a subcategory, one option value (the other option filters
 * still apply, to the same variant), a price bucket, in stock — so it is exactly the totalCount a
 * client sees after applying it.
 */
export class ProductFacetsService {
  private readonly em: EntityManager;
  private readonly currency: CurrencyCode;
  private readonly counts: ProductFacetsRepository;
  private readonly categories = new CategoryRepository();
  constructor(em: EntityManager, currency: CurrencyCode) {
    this.em = em;
    this.currency = currency;
    this.counts = new ProductFacetsRepository(em);
  }

  async facets(plan: Pick<ListingPlan, 'filter' | 'categoryIds' | 'categoryDepth'>): Promise<ProductFacets> {
    const scope: FacetScope = { filter: plan.filter, categoryIds: plan.categoryIds };
    const options = plan.filter.options;
    const bounds = priceBounds(this.currency);
    const [byChild, others, ...perFiltered] = await Promise.all([
      // The path's segment after the current category's (split_part counts the empty one before the first "/").
      this.counts.byChildCategory(scope, (plan.categoryDepth ?? 0) + 2),
      this.counts.byOptionValue(scope, options),
      ...options.map((own) =>
        this.counts.byOptionValue(
          scope,
          options.filter((o) => o !== own),
          own.name,
        ),
      ),
    ]);
    const [byPrice, inStockCount] = await Promise.all([this.counts.byPriceBucket(scope, bounds), this.counts.inStock(scope)]);
    // A filtered option's own counts come from its query without itself (choosing another value replaces it).
    const filteredNames = new Set(options.map((o) => optionValue(o.name, '')));
    const optionCounts = new Map([...others].filter(([pair]) => ![...filteredNames].some((prefix) => pair.startsWith(prefix))));
    for (const counts of perFiltered) for (const [pair, n] of counts) optionCounts.set(pair, n);
    const children = await this.categories.byIds(this.em, [...byChild.keys()]);
    return {
      categories: children
        .map((category) => ({ category, count: byChild.get(category.id)! }))
        .sort((a, b) => (a.category.name < b.category.name ? -1 : 1)),
      options: optionFacets(optionCounts),
      priceBuckets: priceBuckets(byPrice, bounds),
      inStockCount,
    };
  }
}
