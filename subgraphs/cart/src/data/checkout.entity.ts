import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const CHECKOUT_STATUSES = ['PENDING', 'COMPLETED', 'FAILED'] as const;

/** One checkout of a cart (its id becomes the order's id); unique per cart and idempotency key. */
export const CheckoutSchema = defineEntity({
  name: 'Checkout',
  tableName: 'checkout',
  properties: {
    id: p.uuid().primary(),
    cartId: p.string().length(64),
    customerId: p.string().length(128).nullable(),
    idempotencyKey: p.string().length(128),
    status: p.enum(CHECKOUT_STATUSES),
    /** The codes whose usage the checkout counted (given back if it fails). */
    discountCodes: p.array<string>().default([]),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});

export type Checkout = InferEntity<typeof CheckoutSchema>;
