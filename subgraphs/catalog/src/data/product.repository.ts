import type { EntityManager } from '@mikro-orm/postgresql';
import type { StockLine } from '@shop/platform';
import type { ProductStock } from '../domain/inventory.ts';
import { ProductSchema, type Product } from './product.entity.ts';

const PRODUCT_STOCK = 'id, sku, price_amount as "priceAmount", currency, on_hand as "onHand", reserved, deleted_at as "deletedAt"';

/**
 * Product rows as stock moves them. Stock changes are single conditional or arithmetic
 * statements with `returning` (never read-then-write), so they stay SQL; the caller's
 * transaction holds the row locks in the order it calls them (product id order).
 */
export class ProductRepository {
  /** Products by id, deleted ones included. */
  byIds(em: EntityManager, ids: readonly string[]): Promise<Product[]> {
    return ids.length ? em.find(ProductSchema, { id: { $in: [...ids] } }) : Promise.resolve([]);
  }

  /** A live product by id, sku or slug. */
  findLive(em: EntityManager, lookup: { id: string } | { sku: string } | { slug: string }): Promise<Product | null> {
    return em.findOne(ProductSchema, { ...lookup, deletedAt: null });
  }

  /** What a cart's lookup needs of each product, in one query (only those columns). */
  forLookup(em: EntityManager, ids: readonly string[]) {
    return em.find(
      ProductSchema,
      { id: { $in: [...new Set(ids)] } },
      { fields: ['id', 'sku', 'name', 'priceAmount', 'currency', 'onHand', 'reserved', 'deletedAt'] },
    );
  }

  /**
   * Reserves every line or none: each line is tried (to name every short product), and a savepoint
   * undoes the ones that succeeded when any fell short.
   */
  async reserveAll(em: EntityManager, lines: readonly StockLine[]): Promise<{ reserved: ProductStock[]; short: StockLine[] }> {
    await em.execute('savepoint reserve_lines', [], 'run');
    const reserved: ProductStock[] = [];
    const short: StockLine[] = [];
    for (const line of lines) {
      // Conditional on what is free, in one statement: concurrent reserves can never oversell.
      const [row] = await em.execute<ProductStock[]>(
        `update product set reserved = reserved + ?
         where id = ? and deleted_at is null and on_hand - reserved >= ?
         returning ${PRODUCT_STOCK}`,
        [line.quantity, line.productId, line.quantity],
      );
      if (row) reserved.push(row);
      else short.push(line);
    }
    await em.execute(short.length ? 'rollback to savepoint reserve_lines' : 'release savepoint reserve_lines', [], 'run');
    return { reserved: short.length ? [] : reserved, short };
  }

  /** Stock levels of the given products, read afresh in the caller's transaction. */
  stockOf(em: EntityManager, ids: readonly string[]): Promise<Product[]> {
    return em.find(ProductSchema, { id: { $in: [...ids] } }, { refresh: true });
  }

  /** Units back on hand (a cancelled paid order); undefined if the product is missing. */
  async addOnHand(em: EntityManager, productId: string, quantity: number): Promise<ProductStock | undefined> {
    // Arithmetic on the column with `returning`: no lost update against concurrent stock moves.
    const [row] = await em.execute<ProductStock[]>(`update product set on_hand = on_hand + ? where id = ? returning ${PRODUCT_STOCK}`, [
      quantity,
      productId,
    ]);
    return row;
  }

  /** Reserved units leave the shelf (`sold` 1: on hand drops too) or become free again (`sold` 0). */
  async moveReserved(em: EntityManager, productId: string, quantity: number, sold: 0 | 1): Promise<ProductStock | undefined> {
    // Arithmetic on the columns with `returning`: no lost update against concurrent stock moves.
    const [row] = await em.execute<ProductStock[]>(
      `update product set on_hand = on_hand - ?, reserved = reserved - ? where id = ? returning ${PRODUCT_STOCK}`,
      [quantity * sold, quantity, productId],
    );
    return row;
  }

  /** Adds `delta` on hand unless that drops below what is reserved or exceeds `max`; true if it did. */
  async adjustOnHand(em: EntityManager, productId: string, delta: number, max: number): Promise<boolean> {
    // Conditional update in one statement (never read-then-write), so a concurrent reservation cannot
    // be undercut; bigint: the sum is compared before it is stored, so it can never overflow the column.
    const updated = await em.execute<{ affectedRows: number }>(
      `update product set on_hand = on_hand + ?, updated_at = now()
       where id = ? and deleted_at is null and on_hand::bigint + ? between reserved and ?`,
      [delta, productId, delta, max],
      'run',
    );
    return updated.affectedRows === 1;
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
