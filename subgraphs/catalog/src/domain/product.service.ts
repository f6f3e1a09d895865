import type { EntityManager } from '@mikro-orm/postgresql';
import { isUuid } from '@shop/platform';
import type { Product, ProductView } from '../data/product.entity.ts';
import type { Category } from '../data/category.entity.ts';
import { ProductRepository } from '../data/product.repository.ts';
import type { ProductVariant, ProductVariantView } from '../data/product-variant.entity.ts';
import { VariantRepository } from '../data/product-variant.repository.ts';
import { CategoryRepository } from '../data/category.repository.ts';

export type ProductLookup = { id: string } | { sku: string } | { slug: string };

export class ProductService {
  private readonly em: EntityManager;
  private readonly products = new ProductRepository();
  private readonly variants = new VariantRepository();
  private readonly categoryRows = new CategoryRepository();
  constructor(em: EntityManager) {
    this.em = em;
  }

  /**
   * One query for any number of ids (the DataLoader batch); deleted products stay resolvable. A
   * malformed id matches nothing (it never reaches the uuid column, so the rest of the batch resolves).
   */
  async byIds(ids: readonly string[]): Promise<ProductView[]> {
    const wellFormed = ids.filter(isUuid);
    return this.products.byIds(this.em, wellFormed);
  }

  async findOne(lookup: ProductLookup): Promise<Product | null> {
    if ('id' in lookup && !isUuid(lookup.id)) return null;
    return this.products.findLive(this.em, lookup);
  }

  /** A live product with its category and live variants, in one statement (what the product page shows). */
  async withVariants(lookup: ProductLookup): Promise<ProductView | null> {
    if ('id' in lookup && !isUuid(lookup.id)) return null;
    return this.products.liveWithVariants(this.em, lookup);
  }

  /** Live variants of many products in one query, grouped per product id in the order asked. */
  async variantsOf(productIds: readonly string[]): Promise<ProductVariantView[][]> {
    const rows = await this.variants.liveViewsOf(this.em, productIds.filter(isUuid));
    const byProduct = new Map<string, ProductVariantView[]>();
    for (const row of rows) byProduct.set(row.product.id, [...(byProduct.get(row.product.id) ?? []), row]);
    return productIds.map((id) => byProduct.get(id) ?? []);
  }

  /** Variants by id in one query (the DataLoader batch, `_entities`); deleted ones stay resolvable. */
  variantsByIds(ids: readonly string[]): Promise<ProductVariantView[]> {
    return this.variants.viewsByIds(this.em, ids.filter(isUuid));
  }

  variantBySku(sku: string): Promise<ProductVariant | null> {
    return this.variants.bySku(this.em, sku);
  }

  async categories(): Promise<Category[]> {
    return this.categoryRows.all(this.em);
  }

  async categoryBySlug(slug: string): Promise<Category | null> {
    return this.categoryRows.bySlug(this.em, slug);
  }

  /** Subcategories of many categories in one query, grouped per parent id in the order asked. */
  async childrenOf(parentIds: readonly string[]): Promise<Category[][]> {
    const rows = await this.categoryRows.childrenOf(this.em, parentIds.filter(isUuid));
    return parentIds.map((id) => rows.filter((row) => row.parentId === id));
  }

  async categoriesByIds(ids: readonly string[]): Promise<Category[]> {
    const wellFormed = ids.filter(isUuid);
    return this.categoryRows.byIds(this.em, wellFormed);
  }
}
