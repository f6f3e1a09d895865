import type { EntityManager } from '@mikro-orm/postgresql';
import { FRESH } from '@shop/platform';
import { ProductSchema, type Product } from './product.entity.ts';

/** Products (what is shown); what is bought and its stock are the variants (product-variant.repository.ts). */
export class ProductRepository {
  /** Products by id, deleted ones included. */
  byIds(em: EntityManager, ids: readonly string[]): Promise<Product[]> {
    return ids.length ? em.find(ProductSchema, { id: { $in: [...ids] } }) : Promise.resolve([]);
  }

  /** A live product by id, sku or slug. */
  findLive(em: EntityManager, lookup: { id: string } | { sku: string } | { slug: string }): Promise<Product | null> {
    return em.findOne(ProductSchema, { ...lookup, deletedAt: null });
  }

  /** Products among `ids` that are sold in options (several variants: none of them has the product's id), as committed. */
  withOptions(em: EntityManager, ids: readonly string[]): Promise<Product[]> {
    return em.find(ProductSchema, { id: { $in: [...ids] }, options: { $ne: [] } }, FRESH);
  }

  /** The product's price is its lowest live variant price (the listing sorts and filters on it). */
  async refreshPrice(em: EntityManager, productId: string): Promise<void> {
    // Raw: an update from an aggregate of another table, in one statement.
    await em.execute(
      `update product set price_amount = coalesce((select min(price_amount) from product_variant where product_id = ? and deleted_at is null), price_amount),
        updated_at = now() where id = ?`,
      [productId, productId],
    );
  }

  /**
   * Units sold change by `delta` per product (a commit adds, a return takes back), in product id
   * order — every stock command locks products before variants, as admin changes do.
   */
  async addUnitsSold(em: EntityManager, deltas: ReadonlyMap<string, number>): Promise<void> {
    for (const [productId, delta] of [...deltas].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      // Raw: arithmetic on the column, never below zero (units sold before the count existed may be returned).
      await em.execute('update product set units_sold = greatest(units_sold + ?, 0) where id = ?', [delta, productId]);
    }
  }

  /** Which of `slugs` products already have. */
  async takenSlugs(em: EntityManager, slugs: readonly string[]): Promise<Set<string>> {
    // Plain rows, not partially loaded entities in the caller's identity map.
    const rows = await em
      .createQueryBuilder(ProductSchema)
      .select('slug')
      .where({ slug: { $in: [...slugs] } })
      .execute('all');
    return new Set(rows.map((row) => row.slug));
  }
}
