import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const ORDER_STATUSES = [
  'PENDING',
  'AWAITING_PAYMENT',
  'CONFIRMED',
  'SHIPPED',
  'DELIVERED',
  'CANCELLED',
  'PAYMENT_FAILED',
  'REJECTED',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface ShippingAddress {
  name: string;
  line1: string;
  line2?: string | null;
  city: string;
  /** Region or state code (absent in orders from before delivery zones). */
  province?: string | null;
  postalCode: string;
  countryCode: string;
  phone?: string | null;
}

/** The delivery option the order's shipping was charged for. */
export interface OrderDeliveryMethod {
  handle: string;
  title: string;
  pickup: boolean;
}

export const OrderSchema = defineEntity({
  name: 'Order',
  tableName: 'customer_order',
  properties: {
    /** The checkout id: the client can follow the order before it exists. */
    id: p.uuid().primary(),
    /** From `order_number_seq`; shown as ORD-000123. */
    number: p.bigint('number').defaultRaw(`nextval('order_number_seq')`),
    /** JWT `sub` of the buyer; null for a guest checkout. */
    customerId: p.string().length(128).nullable(),
    email: p.string().length(320),
    status: p.enum(ORDER_STATUSES),
    currency: p.string().length(3),
    subtotalAmount: p.integer(),
    discountAmount: p.integer().default(0),
    shippingAmount: p.integer().default(0),
    taxAmount: p.integer().default(0),
    totalAmount: p.integer(),
    /** The cart the checkout came from (null for orders made before the saga, e.g. seeds). */
    cartId: p.string().length(64).nullable(),
    trackingNumber: p.string().length(100).nullable(),
    /** Provider token (never card data), held only while PENDING; lazy: order reads never load it. */
    paymentToken: p.string().length(200).nullable().lazy(),
    /** When the saga's current step gives up (PENDING / AWAITING_PAYMENT); lazy like the token. */
    stepDeadline: p.datetime().nullable().lazy(),
    shippingAddress: p.json<ShippingAddress>(),
    /** The cart's note (a gift message) at checkout; null: none. */
    note: p.string().length(2000).nullable(),
    /** The cart's attributes at checkout (key/value pairs the storefront set). */
    attributes: p.json<Array<{ key: string; value: string | null }>>().defaultRaw(`'[]'`),
    /** null: an order from before delivery zones. */
    deliveryMethod: p.json<OrderDeliveryMethod>().nullable(),
    /** Prices included tax: `taxAmount` is part of `totalAmount`, not added to it. */
    taxesIncluded: p.boolean().default(false),
    /** Order and delivery discounts as the cart showed them (minor units). */
    discountAllocations: p.json<DiscountAllocation[]>().defaultRaw(`'[]'`),
    lines: () => p.oneToMany(OrderLineSchema).mappedBy('order').orderBy({ position: 'asc' }),
    statusHistory: () => p.oneToMany(OrderStatusChangeSchema).mappedBy('order').orderBy({ at: 'asc', id: 'asc' }),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type Order = InferEntity<typeof OrderSchema>;

/** A promotion's discount frozen at checkout: title, code (null: automatic), amount in minor units. */
export interface DiscountAllocation {
  title: string;
  code: string | null;
  amount: number;
}

export const OrderLineSchema = defineEntity({
  name: 'OrderLine',
  tableName: 'order_line',
  properties: {
    id: p.uuid().primary(),
    order: () => p.manyToOne(OrderSchema).ref(),
    productId: p.uuid(),
    /** The variant bought, frozen at checkout with its SKU, title and option values ('' / none for lines from before variants). */
    variantId: p.uuid(),
    sku: p.string().length(64).default(''),
    variantTitle: p.string().length(200).nullable(),
    selectedOptions: p.json<Array<{ name: string; value: string }>>(),
    /** The product's name, frozen at checkout. */
    name: p.string().length(200),
    quantity: p.integer(),
    unitPriceAmount: p.integer(),
    /** The line's own promotion discounts at checkout (minor units). */
    discountAllocations: p.json<DiscountAllocation[]>().defaultRaw(`'[]'`),
    position: p.integer(),
  },
});
export type OrderLine = InferEntity<typeof OrderLineSchema>;

export const OrderStatusChangeSchema = defineEntity({
  name: 'OrderStatusChange',
  tableName: 'order_status_change',
  properties: {
    id: p.uuid().primary(),
    order: () => p.manyToOne(OrderSchema).ref(),
    status: p.enum(ORDER_STATUSES),
    reason: p.text().nullable(),
    at: p.datetime(),
  },
});
export type OrderStatusChange = InferEntity<typeof OrderStatusChangeSchema>;
