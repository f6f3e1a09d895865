import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const CART_STATUSES = ['ACTIVE', 'CHECKING_OUT', 'CHECKED_OUT', 'EXPIRED'] as const;
export type CartStatus = (typeof CART_STATUSES)[number];

/** One cart attribute, Shopify's shape: a key and an optional value. */
export interface CartAttribute {
  key: string;
  value: string | null;
}

export const CartSchema = defineEntity({
  name: 'Cart',
  tableName: 'cart',
  properties: {
    /** ≥ 128 random bits: for a guest cart the id is the capability that grants access. */
    id: p.string().length(64).primary(),
    /** JWT `sub` of the owner; null for a guest cart. */
    customerId: p.string().length(128).nullable(),
    status: p.enum(CART_STATUSES).default('ACTIVE'),
    version: p.integer().default(1),
    currency: p.string().length(3),
    email: p.string().length(320).nullable(),
    countryCode: p.string().length(2).nullable(),
    phone: p.string().length(40).nullable(),
    /** A copy of the address (domain/cart-address.ts CartAddress); its country is `countryCode`. */
    deliveryAddress: p.json<Record<string, unknown>>().nullable(),
    /** null: the same as the delivery address. */
    billingAddress: p.json<Record<string, unknown>>().nullable(),
    /** The delivery address is the customer's default address, and follows it until the shopper sets one. */
    addressFromDefault: p.boolean().default(false),
    /** The delivery method the shopper chose (a handle of its zone); null: the cheapest. */
    deliveryMethodHandle: p.string().length(64).nullable(),
    /** The shopper's note (a gift message); null: none. Goes with the checkout into the order. */
    note: p.string().length(2000).nullable(),
    /** Key/value pairs the storefront sets (unique keys, in the shopper's order); go into the order too. */
    attributes: p.json<CartAttribute[]>().defaultRaw(`'[]'`),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
    expiresAt: p.datetime(),
  },
});

export type Cart = InferEntity<typeof CartSchema>;

export const CartLineSchema = defineEntity({
  name: 'CartLine',
  tableName: 'cart_line',
  properties: {
    id: p.uuid().primary(),
    cart: () => p.manyToOne(CartSchema).ref(),
    /** What is bought: a catalog variant (a product without options sells one, with the product's id). */
    variantId: p.uuid(),
    /** The variant's product. */
    productId: p.uuid(),
    quantity: p.integer(),
    /** The catalog's price (minor units), product name, SKU, variant title and option values when the line last changed. */
    unitPriceAmount: p.integer().default(0),
    name: p.string().length(200).default(''),
    sku: p.string().length(64).nullable(),
    variantTitle: p.string().length(200).nullable(),
    selectedOptions: p.json<Array<{ name: string; value: string }>>(),
    /** The product's category and its ancestors, root first (what category-targeted promotions match). */
    categoryIds: p.array<string>().columnType('uuid[]').default([]),
    available: p.boolean().default(true),
    /** The catalog no longer sells the variant (deleted): `available` is false too, but it will not come back in stock. */
    discontinued: p.boolean().default(false),
    /** When the catalog last confirmed the price and name; null: not (or no longer) confirmed. */
    pricedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().nullable(),
  },
});

export type CartLine = InferEntity<typeof CartLineSchema>;

/** What a line says of its purchase: the variant, quantity and the catalog's snapshot (read with every view, copied by a merge). */
export type CartLineContent =
  | 'variantId'
  | 'productId'
  | 'quantity'
  | 'unitPriceAmount'
  | 'name'
  | 'sku'
  | 'variantTitle'
  | 'selectedOptions'
  | 'categoryIds'
  | 'available'
  | 'discontinued';

/** A code applied to a cart, in the order the shopper gave them. */
export const CartDiscountCodeSchema = defineEntity({
  name: 'CartDiscountCode',
  tableName: 'cart_discount_code',
  properties: {
    cart: () => p.manyToOne(CartSchema).ref().primary(),
    code: p.string().length(64).primary(),
    position: p.integer(),
  },
});

export type CartDiscountCode = InferEntity<typeof CartDiscountCodeSchema>;
