import type { EntityManager } from '@mikro-orm/postgresql';
import { FRESH, uuidArray } from '@shop/platform';
import { ProductSchema, type Product, type ProductView } from './product.entity.ts';
import type { Category } from './category.entity.ts';
import type { ProductVariantView } from './product-variant.entity.ts';

/** A product's columns and its category's (`p` and `c`), as the plain rows of the read paths carry them. */
export const PRODUCT_COLUMNS = `p.id, p.sku, p.slug, p.name, p.description, p.price_amount as "priceAmount", p.currency, p.images, p.options,
  p.units_sold as "unitsSold", p.created_at as "createdAt", p.updated_at as "updatedAt", p.deleted_at as "deletedAt",
  c.id as "categoryId", c.slug as "categorySlug", c.name as "categoryName", c.parent_id as "categoryParentId",
  c.path as "categoryPath", c.created_at as "categoryCreatedAt"`;

/** One row of PRODUCT_COLUMNS. */
export interface ProductRow extends Omit<ProductView, 'category' | 'listedInStock' | 'listedCategory' | 'listedVariants'> {
  categoryId: string | null;
  categorySlug: string;
  categoryName: string;
  categoryParentId: string | null;
  categoryPath: string;
  categoryCreatedAt: Date;
}

/** The product of a PRODUCT_COLUMNS row, with its category read along (plain objects, not entities). */
export function productOfRow(row: ProductRow): ProductView {
  const category: Category | null =
    row.categoryId === null
      ? null
      : {
          id: row.categoryId,
          slug: row.categorySlug,
          name: row.categoryName,
          parentId: row.categoryParentId,
          path: row.categoryPath,
          createdAt: row.categoryCreatedAt,
        };
  const { id, sku, slug, name, description, priceAmount, currency, images, options, unitsSold, createdAt, updatedAt, deletedAt } = row;
  return {
    id,
    sku,
    slug,
    name,
    description,
    priceAmount,
    currency,
    images,
    options,
    unitsSold,
    createdAt,
    updatedAt,
    deletedAt,
    category,
    listedCategory: category,
  };
}

const VARIANT_COLUMNS = `v.id as "variantId", v.sku as "variantSku", v.title, v.selected_options as "selectedOptions",
  v.option_values as "optionValues", v.price_amount as "variantPriceAmount", v.compare_at_amount as "compareAtAmount",
  v.currency as "variantCurrency", v.image, v.position, v.on_hand as "onHand", v.reserved,
  v.created_at as "variantCreatedAt", v.updated_at as "variantUpdatedAt"`;

interface ProductPageRow extends ProductRow {
  variantId: string | null;
  variantSku: string;
  title: string;
  selectedOptions: ProductVariantView['selectedOptions'];
  optionValues: string[];
  variantPriceAmount: number;
  compareAtAmount: number | null;
  variantCurrency: string;
  image: ProductVariantView['image'];
  position: number;
  onHand: number;
  reserved: number;
  variantCreatedAt: Date;
  variantUpdatedAt: Date;
}

/** Products (what is shown); what is bought and its stock are the variants (product-variant.repository.ts). */
export class ProductRepository {
  /**
   * Products by id, deleted ones included, with their category and whether any live variant is in
   * stock, as plain rows (the `_entities` batch: read-only).
   */
  async byIds(em: EntityManager, ids: readonly string[]): Promise<ProductView[]> {
    if (!ids.length) return [];
    // Raw: read-only rows in one round trip (no entity hydration, no second query for stock or category).
    const rows = await em.execute<Array<ProductRow & { inStock: boolean }>>(
      `select ${PRODUCT_COLUMNS},
         exists (select 1 from product_variant v where v.product_id = p.id and v.deleted_at is null and v.on_hand > v.reserved) as "inStock"
       from product p left join category c on c.id = p.category_id where p.id = any(?::uuid[])`,
      [uuidArray(ids)],
    );
    return rows.map((row) => ({ ...productOfRow(row), listedInStock: row.inStock }));
  }

  /** A live product by id, sku or slug. */
  findLive(em: EntityManager, lookup: { id: string } | { sku: string } | { slug: string }): Promise<Product | null> {
    return em.findOne(ProductSchema, { ...lookup, deletedAt: null });
  }

  /**
   * A live product by id, sku or slug with its category and its live variants (display order), as
   * plain rows: what the product page shows, read-only.
   */
  async liveWithVariants(em: EntityManager, lookup: { id: string } | { sku: string } | { slug: string }): Promise<ProductView | null> {
    const [column, value] = 'id' in lookup ? ['p.id', lookup.id] : 'sku' in lookup ? ['p.sku', lookup.sku] : ['p.slug', lookup.slug];
    // Raw: the product, its category and its variants in one round trip (one row per variant), no hydration.
    const rows = await em.execute<ProductPageRow[]>(
      `select ${PRODUCT_COLUMNS}, ${VARIANT_COLUMNS}
       from product p left join category c on c.id = p.category_id
         left join product_variant v on v.product_id = p.id and v.deleted_at is null
       where ${column} = ? and p.deleted_at is null order by v.position, v.id`,
      [value],
    );
    if (!rows[0]) return null;
    const variants = rows.flatMap((row): ProductVariantView[] =>
      row.variantId === null
        ? []
        : [
            {
              id: row.variantId,
              product: { id: row.id },
              sku: row.variantSku,
              title: row.title,
              selectedOptions: row.selectedOptions,
              optionValues: row.optionValues,
              priceAmount: row.variantPriceAmount,
              compareAtAmount: row.compareAtAmount,
              currency: row.variantCurrency,
              image: row.image,
              position: row.position,
              onHand: row.onHand,
              reserved: row.reserved,
              createdAt: row.variantCreatedAt,
              updatedAt: row.variantUpdatedAt,
              deletedAt: null,
            },
          ],
    );
    return { ...productOfRow(rows[0]), listedVariants: variants };
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
