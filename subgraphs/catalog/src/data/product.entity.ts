import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { CategorySchema } from './category.entity.ts';

export interface ProductImage {
  url: string;
  altText: string | null;
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
    /** Integer minor units of `currency`. */
    priceAmount: p.integer(),
    currency: p.string().length(3),
    images: p.json<ProductImage[]>(),
    category: () => p.manyToOne(CategorySchema).nullable().ref(),
    onHand: p.integer().default(0),
    reserved: p.integer().default(0),
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
