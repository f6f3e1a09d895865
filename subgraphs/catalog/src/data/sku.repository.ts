import type { EntityManager } from '@mikro-orm/postgresql';
import { ProductSchema } from './product.entity.ts';
import { ProductVariantSchema } from './product-variant.entity.ts';

/**
 * Which SKUs are taken, to name every taken one in userErrors before inserting (the unique indexes
 * stay the guard against a concurrent insert). Deleted rows keep their SKU: references still resolve by it.
 */
export class SkuRepository {
  /** Which of `skus` a product has. */
  async takenByProducts(em: EntityManager, skus: readonly string[]): Promise<Set<string>> {
    if (!skus.length) return new Set();
    // Plain rows, not partially loaded entities in the caller's identity map.
    const rows = await em
      .createQueryBuilder(ProductSchema)
      .select('sku')
      .where({ sku: { $in: [...skus] } })
      .execute('all');
    return new Set(rows.map((row) => row.sku));
  }

  /** Which of `skus` a variant has. */
  async takenByVariants(em: EntityManager, skus: readonly string[]): Promise<Set<string>> {
    if (!skus.length) return new Set();
    const rows = await em
      .createQueryBuilder(ProductVariantSchema)
      .select('sku')
      .where({ sku: { $in: [...skus] } })
      .execute('all');
    return new Set(rows.map((row) => row.sku));
  }
}
