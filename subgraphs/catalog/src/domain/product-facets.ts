import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CURRENCY_DIGITS, type CurrencyCode } from '@shop/platform';
import type { Category } from '../data/category.entity.ts';
import { optionValue } from '../data/product-variant.entity.ts';
import { CategoryRepository } from '../data/category.repository.ts';
import { ProductFacetsRepository, type FacetScope } from '../data/product-facets.repository.ts';
import type { ListingPlan } from './product-search.service.ts';

type FacetPlan = Pick<ListingPlan, 'filter' | 'categoryIds' | 'categoryDepth'>;

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

  /** The listing's facets; asked in the same tick (a menu of categories, each with its facets), they share their round trips. */
  facets(plan: FacetPlan): Promise<ProductFacets> {
    return this.batch.load(plan);
  }

  private readonly batch = new DataLoader<FacetPlan, ProductFacets>((plans) => this.facetsOf(plans), { cache: false, maxBatchSize: 100 });

  /** Each kind of count for every plan in one statement (eachInOneStatement), the four kinds at once. */
  private async facetsOf(plans: readonly FacetPlan[]): Promise<ProductFacets[]> {
    const scopes: FacetScope[] = plans.map((plan) => ({ filter: plan.filter, categoryIds: plan.categoryIds }));
    const bounds = priceBounds(this.currency);
    // Per plan, its option values under all its option filters, then per filtered option under the
    // others only: choosing another value of that option replaces its filter.
    const optionAsks = plans.flatMap(({ filter: { options } }, i) => [
      { i, scope: scopes[i]!, variantOptions: options },
      ...options.map((own) => ({ i, scope: scopes[i]!, variantOptions: options.filter((o) => o !== own), name: own.name })),
    ]);
    const [byChild, optionCounts, byPrice, inStock] = await Promise.all([
      // The path's segment after the current category's (split_part counts the empty one before the first "/").
      this.counts.byChildCategory(plans.map((plan, i) => ({ scope: scopes[i]!, childAt: (plan.categoryDepth ?? 0) + 2 }))),
      this.counts.byOptionValue(optionAsks),
      this.counts.byPriceBucket(scopes, bounds),
      this.counts.inStock(scopes),
    ]);
    const optionCountsOf = plans.map((): Array<Map<string, number>> => []);
    optionAsks.forEach((ask, at) => optionCountsOf[ask.i]!.push(optionCounts[at]!));
    const childIds = [...new Set(byChild.flatMap((counts) => [...counts.keys()]))];
    const children = childIds.length ? await this.categories.byIds(this.em, childIds) : [];
    return plans.map((plan, i) => {
      const [others, ...perFiltered] = optionCountsOf[i]!;
      // A filtered option's own counts come from its query without itself.
      const filteredNames = plan.filter.options.map((o) => optionValue(o.name, ''));
      const counts = new Map([...others!].filter(([pair]) => !filteredNames.some((prefix) => pair.startsWith(prefix))));
      for (const filtered of perFiltered) for (const [pair, n] of filtered) counts.set(pair, n);
      return {
        categories: children
          .filter((category) => byChild[i]!.has(category.id))
          .map((category) => ({ category, count: byChild[i]!.get(category.id)! }))
          .sort((a, b) => (a.category.name < b.category.name ? -1 : 1)),
        options: optionFacets(counts),
        priceBuckets: priceBuckets(byPrice[i]!, bounds),
        inStockCount: inStock[i]!,
      };
    });
  }
}
