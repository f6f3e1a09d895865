import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { CategorySchema, type Category } from './category.entity.ts';
import type { ProductVariantView } from './product-variant.entity.ts';

export interface ProductImage {
  url: string;
  altText: string | null;
}

/** An option a product is sold in, e.g. { name: "Size", values: ["S", "M", "L"] }. */
export interface ProductOption {
  name: string;
  values: string[];
}

export const ProductSchema = defineEntity({
  name: 'Product',
  tableName: 'product',
  properties: {
    id: p.uuid().primary(),
    sku: p.string().length(64).unique(),
    slug: p.string().length(160).unique(),
    name: p.string().length(200),
    description: p.text(),
    /** The lowest live variant price, in integer minor units of `currency` (the listing sorts and filters on it). */
    priceAmount: p.integer(),
    currency: p.string().length(3),
    images: p.json<ProductImage[]>(),
    category: () => p.manyToOne(CategorySchema).nullable().ref(),
    /** In display order; [] for a product sold as one default variant. Stock lives on the variants. */
    options: p.json<ProductOption[]>(),
    /** Units sold over all variants (committed orders, less returns): the BEST_SELLING order. */
    unitsSold: p.integer().default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
    /** Soft delete: carts and orders keep referencing a product that is no longer sold. */
    deletedAt: p.datetime().nullable(),
  },
});

export type Product = InferEntity<typeof ProductSchema>;

/**
 * What the resolvers read of a product: the entity, or a listing's plain row (no entity hydration
 * on that read path), which also says whether any live variant is in stock.
 */
export interface ProductView extends Omit<Product, 'category'> {
  category?: { id: string } | null;
  /** Known when a listing read it with the page; otherwise the variants answer. */
  listedInStock?: boolean;
  /** Its category as a listing or the product page read it (null: none); otherwise loaded by id. */
  listedCategory?: Category | null;
  /** Its live variants in display order, when the product page read them with it; otherwise batch-loaded. */
  listedVariants?: ProductVariantView[];
}
