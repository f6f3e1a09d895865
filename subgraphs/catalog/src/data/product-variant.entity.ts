import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { ProductSchema, type ProductImage } from './product.entity.ts';

/** One option value a variant has, e.g. { name: "Size", value: "M" }. */
export interface SelectedOption {
  name: string;
  value: string;
}

/** What is bought: one combination of a product's option values, with its own SKU, price and stock. */
export const ProductVariantSchema = defineEntity({
  name: 'ProductVariant',
  tableName: 'product_variant',
  properties: {
    /** A one-variant product's variant has the product's id (so a product id names what is bought). */
    id: p.uuid().primary(),
    product: () => p.manyToOne(ProductSchema).ref(),
    sku: p.string().length(64).unique(),
    /** "M / Blue"; "Default Title" for a product without options. */
    title: p.string().length(200),
    selectedOptions: p.json<SelectedOption[]>(),
    /** "Size=M" for each selected option, sorted: what the option filter, facets and uniqueness use. */
    optionValues: p.array<string>(),
    /** Integer minor units of `currency`. */
    priceAmount: p.integer(),
    compareAtAmount: p.integer().nullable(),
    currency: p.string().length(3),
    image: p.json<ProductImage>().nullable(),
    position: p.integer().default(0),
    onHand: p.integer().default(0),
    reserved: p.integer().default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
    /** Soft delete: carts and orders keep referencing a variant that is no longer sold. */
    deletedAt: p.datetime().nullable(),
  },
});

export type ProductVariant = InferEntity<typeof ProductVariantSchema>;

/** What the resolvers read of a variant: the entity, or a plain row read with its product (the product page). */
export interface ProductVariantView extends Omit<ProductVariant, 'product'> {
  product: { id: string };
}

/** One entry of `option_values`: "Size=M" (names never hold "="). The filter, facets and uniqueness all read this form. */
export const optionValue = (name: string, value: string): string => `${name}=${value}`;

export { DEFAULT_VARIANT_TITLE } from '@shop/platform';
