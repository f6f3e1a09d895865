import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CurrencyCode, Identity, Logger } from '@shop/platform';
import { ProductService } from './domain/product.service.ts';
import { ProductAdminService } from './domain/product-admin.service.ts';
import { ProductSearchService, type CategoryPageKey, type ProductListing } from './domain/product-search.service.ts';
import { CategoryAdminService } from './domain/category-admin.service.ts';
import { ProductFacetsService } from './domain/product-facets.ts';
import { VariantAdminService } from './domain/variant-admin.service.ts';
import type { ProductView } from './data/product.entity.ts';
import type { Category } from './data/category.entity.ts';
import type { ProductVariantView } from './data/product-variant.entity.ts';

export interface Context {
  identity: Identity;
  log: Logger;
  currency: CurrencyCode;
  products: ProductService;
  admin: ProductAdminService;
  /** Admin changes to variants. */
  variantAdmin: VariantAdminService;
  /** Admin changes to the category tree. */
  categoryAdmin: CategoryAdminService;
  /** Listing, search, filters and the low-stock view. */
  search: ProductSearchService;
  /** A listing's facet counts. */
  facets: ProductFacetsService;
  /** Plain rows (read-only), with their category and whether they are in stock. */
  productById: DataLoader<string, ProductView | null>;
  categoryById: DataLoader<string, Category | null>;
  /** Subcategories per category id, by name (one query per batch). */
  categoriesByParentId: DataLoader<string, Category[]>;
  /** Live variants per product id, in display order (one query per batch). */
  variantsByProductId: DataLoader<string, ProductVariantView[]>;
  variantById: DataLoader<string, ProductVariantView | null>;
  /** Category.products of every category in the request: one round trip per batch (a menu of categories). */
  productsByCategory: DataLoader<CategoryPageKey, ProductListing, string>;
}

/** Index rows by id in the order DataLoader asked for them (missing → null). */
function inOrder<T extends { id: string }>(ids: readonly string[], rows: T[]): Array<T | null> {
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => byId.get(id) ?? null);
}

/**
 * Per request (`em` is the request's own fork): fresh loaders, no data shared between requests.
 * `outbox` is woken after a change commits, so its events leave at once.
 */
export function createContext(em: EntityManager, identity: Identity, log: Logger, currency: CurrencyCode, outbox?: { notify(): void }): Context {
  const products = new ProductService(em);
  const search = new ProductSearchService(em, currency);
  return {
    identity,
    log,
    currency,
    products,
    admin: new ProductAdminService(em, currency, outbox),
    variantAdmin: new VariantAdminService(em, currency, outbox),
    categoryAdmin: new CategoryAdminService(em, outbox),
    search,
    facets: new ProductFacetsService(em, currency),
    productById: new DataLoader(async (ids) => inOrder(ids, await products.byIds(ids)), { maxBatchSize: 1000 }),
    categoryById: new DataLoader(async (ids) => inOrder(ids, await products.categoriesByIds(ids))),
    categoriesByParentId: new DataLoader((ids) => products.childrenOf(ids)),
    variantsByProductId: new DataLoader((ids) => products.variantsOf(ids), { maxBatchSize: 1000 }),
    variantById: new DataLoader(async (ids) => inOrder(ids, await products.variantsByIds(ids)), { maxBatchSize: 1000 }),
    productsByCategory: new DataLoader((keys) => search.listCategories(keys), {
      cacheKeyFn: ({ categoryId, first, after }) => JSON.stringify([categoryId, first, after ?? null]),
      maxBatchSize: 100,
    }),
  };
}
