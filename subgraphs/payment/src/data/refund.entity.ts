import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { PaymentSchema } from './payment.entity.ts';

export const REFUND_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

export const RefundSchema = defineEntity({
  name: 'Refund',
  tableName: 'refund',
  properties: {
    id: p.uuid().primary(),
    payment: () => p.manyToOne(PaymentSchema).ref(),
    /** Minor units of the payment's currency; its claim is held in `payment.refunded_amount` while PENDING or SUCCEEDED. */
    amount: p.integer(),
    /** Unique per payment: a repeated request answers the refund already made. */
    idempotencyKey: p.string().length(255),
    status: p.enum(REFUND_STATUSES),
    reason: p.text().nullable(),
    providerReference: p.string().length(128).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type Refund = InferEntity<typeof RefundSchema>;
