import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const PAYMENT_STATUSES = ['PENDING', 'AUTHORIZED', 'CAPTURED', 'FAILED', 'REFUNDED', 'PARTIALLY_REFUNDED'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const PaymentSchema = defineEntity({
  name: 'Payment',
  tableName: 'payment',
  properties: {
    id: p.uuid().primary(),
    /** One payment per order: the order id is also the provider idempotency key. */
    orderId: p.uuid().unique(),
    /** Copied from the order so this subgraph can check visibility on its own. */
    customerId: p.string().length(128).nullable(),
    status: p.enum(PAYMENT_STATUSES),
    amount: p.integer(),
    currency: p.string().length(3),
    providerReference: p.string().length(128).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type Payment = InferEntity<typeof PaymentSchema>;
