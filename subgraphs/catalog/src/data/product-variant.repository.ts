import type { EntityManager } from '@mikro-orm/postgresql';
import { FRESH, sql, uuidArray } from '@shop/platform';
import type { VariantStock } from '../domain/inventory.ts';
import { ProductVariantSchema, type ProductVariant, type ProductVariantView, type SelectedOption } from './product-variant.entity.ts';

/** A variant's columns (`v`), as the plain rows of the read paths carry them. */
const VARIANT_VIEW_COLUMNS = `v.id, v.product_id as "productId", v.sku, v.title, v.selected_options as "selectedOptions",
  v.option_values as "optionValues", v.price_amount as "priceAmount", v.compare_at_amount as "compareAtAmount", v.currency,
  v.image, v.position, v.on_hand as "onHand", v.reserved, v.created_at as "createdAt", v.updated_at as "updatedAt", v.deleted_at as "deletedAt"`;

type VariantRow = Omit<ProductVariantView, 'product'> & { productId: string };

const variantOfRow = ({ productId, ...variant }: VariantRow): ProductVariantView => ({ ...variant, product: { id: productId } });

const VARIANT_STOCK =
  'id, product_id as "productId", sku, price_amount as "priceAmount", currency, on_hand as "onHand", reserved, deleted_at as "deletedAt"';

/** What the cart's product lookup reads of a variant, its product and category. */
export interface VariantLookupRow {
  id: string;
  sku: string;
  title: string;
  selectedOptions: SelectedOption[];
  priceAmount: number;
  currency: string;
  onHand: number;
  reserved: number;
  deletedAt: string | null;
  productId: string;
  name: string;
  productDeletedAt: string | null;
  categoryPath: string | null;
}

/**
 * Variants, and their stock as it moves. Stock changes are single conditional or arithmetic
 * statements with `returning` (never read-then-write), so they stay SQL; the caller's transaction
 * holds the row locks in the order it calls them (variant id order). A line's `productId` is the
 * variant's id (see StockLine).
 */
export class VariantRepository {
  /** Variants by id, deleted ones included. */
  byIds(em: EntityManager, ids: readonly string[]): Promise<ProductVariant[]> {
    return ids.length ? em.find(ProductVariantSchema, { id: { $in: [...ids] } }) : Promise.resolve([]);
  }

  /** A variant by SKU, deleted ones included (references keep resolving). */
  bySku(em: EntityManager, sku: string): Promise<ProductVariant | null> {
    return em.findOne(ProductVariantSchema, { sku });
  }

  /** The live variants of many products, in display order, in one query. */
  liveOf(em: EntityManager, productIds: readonly string[]): Promise<ProductVariant[]> {
    if (!productIds.length) return Promise.resolve([]);
    return em.find(ProductVariantSchema, { product: { $in: [...productIds] }, deletedAt: null }, { orderBy: { position: 'asc', id: 'asc' } });
  }

  /** Variants by id as plain rows (the `_entities` batch: read-only), deleted ones included. */
  async viewsByIds(em: EntityManager, ids: readonly string[]): Promise<ProductVariantView[]> {
    if (!ids.length) return [];
    // Raw: read-only rows, no entity hydration on the batched lookup.
    const rows = await em.execute<VariantRow[]>(`select ${VARIANT_VIEW_COLUMNS} from product_variant v where v.id = any(?::uuid[])`, [
      uuidArray(ids),
    ]);
    return rows.map(variantOfRow);
  }

  /** The live variants of many products as plain rows, in display order, in one query (reads). */
  async liveViewsOf(em: EntityManager, productIds: readonly string[]): Promise<ProductVariantView[]> {
    if (!productIds.length) return [];
    // Raw: read-only rows, no entity hydration on the batched lookup.
    const rows = await em.execute<VariantRow[]>(
      `select ${VARIANT_VIEW_COLUMNS} from product_variant v where v.product_id = any(?::uuid[]) and v.deleted_at is null order by v.position, v.id`,
      [uuidArray(productIds)],
    );
    return rows.map(variantOfRow);
  }

  /** What a cart's lookup needs of each variant and its product, in one query, as committed. */
  forLookup(em: EntityManager, ids: readonly string[]): Promise<VariantLookupRow[]> {
    // Plain rows, one prepared statement: the cart asks for every line it adds or checks out.
    return sql<VariantLookupRow>(
      em,
      `select v.id, v.sku, v.title, v.selected_options as "selectedOptions", v.price_amount as "priceAmount", v.currency,
              v.on_hand as "onHand", v.reserved, v.deleted_at as "deletedAt", p.id as "productId", p.name,
              p.deleted_at as "productDeletedAt", c.path as "categoryPath"
         from product_variant v
         join product p on p.id = v.product_id
         left join category c on c.id = p.category_id
        where v.id = any($1::uuid[])`,
      [[...new Set(ids)]],
    ).then((result) => result.rows);
  }

  /** The product of each variant (a variant never changes product). */
  async productIdsOf(em: EntityManager, variantIds: readonly string[]): Promise<Map<string, string>> {
    if (!variantIds.length) return new Map();
    const rows = await em.find(ProductVariantSchema, { id: { $in: [...variantIds] } }, { fields: ['id', 'product'], ...FRESH });
    return new Map(rows.map((row) => [row.id, row.product.id]));
  }

  /** Stock levels of the given variants, read afresh in the caller's transaction. */
  stockOf(em: EntityManager, ids: readonly string[]): Promise<ProductVariant[]> {
    return em.find(ProductVariantSchema, { id: { $in: [...ids] } }, FRESH);
  }

  /** Units back on hand (a cancelled paid order); undefined if the variant is missing. */
  async addOnHand(em: EntityManager, variantId: string, quantity: number): Promise<VariantStock | undefined> {
    // Arithmetic on the column with `returning`: no lost update against concurrent stock moves.
    const [row] = await em.execute<VariantStock[]>(`update product_variant set on_hand = on_hand + ? where id = ? returning ${VARIANT_STOCK}`, [
      quantity,
      variantId,
    ]);
    return row;
  }

  /** Reserved units leave the shelf (`sold` 1: on hand drops too) or become free again (`sold` 0). */
  async moveReserved(em: EntityManager, variantId: string, quantity: number, sold: 0 | 1): Promise<VariantStock | undefined> {
    // Arithmetic on the columns with `returning`: no lost update against concurrent stock moves.
    const [row] = await em.execute<VariantStock[]>(
      `update product_variant set on_hand = on_hand - ?, reserved = reserved - ? where id = ? returning ${VARIANT_STOCK}`,
      [quantity * sold, quantity, variantId],
    );
    return row;
  }

  /** Adds `delta` on hand unless that drops below what is reserved or exceeds `max`; the new stock if it did. */
  async adjustOnHand(em: EntityManager, variantId: string, delta: number, max: number): Promise<VariantStock | undefined> {
    // Conditional update in one statement (never read-then-write), so a concurrent reservation cannot
    // be undercut; bigint: the sum is compared before it is stored, so it can never overflow the column.
    const [row] = await em.execute<VariantStock[]>(
      `update product_variant set on_hand = on_hand + ?, updated_at = now()
       where id = ? and deleted_at is null and on_hand::bigint + ? between reserved and ?
       returning ${VARIANT_STOCK}`,
      [delta, variantId, delta, max],
    );
    return row;
  }
}
