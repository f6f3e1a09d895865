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
    /** Refunds claimed so far (pending or succeeded), minor units; never above `amount`. */
    refundedAmount: p.integer().default(0),
    /** The checkout's provider token (e.g. tok_visa), kept so a stuck capture can be retried; never card data. */
    paymentToken: p.string().length(64).nullable(),
    /** Why a FAILED payment failed: DECLINED, INSUFFICIENT_FUNDS, PROVIDER_ERROR, PROVIDER_UNAVAILABLE, TIMEOUT. */
    failureCode: p.string().length(32).nullable(),
    failureReason: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type Payment = InferEntity<typeof PaymentSchema>;
