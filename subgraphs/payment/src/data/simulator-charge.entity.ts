import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** The simulator provider's ledger: what a real provider keeps on its side, keyed by idempotency key. */
export const SimulatorChargeSchema = defineEntity({
  name: 'SimulatorCharge',
  tableName: 'simulator_charge',
  properties: {
    idempotencyKey: p.string().length(255).primary(),
    kind: p.enum(['CAPTURE', 'REFUND'] as const),
    token: p.string().length(64).nullable(),
    /** A refund's capture (its provider reference). */
    captureReference: p.string().length(128).nullable(),
    amount: p.integer(),
    currency: p.string().length(3).nullable(),
    attempts: p.integer(),
    outcome: p.enum(['SUCCEEDED', 'DECLINED'] as const).nullable(),
    declineCode: p.string().length(32).nullable(),
    reason: p.text().nullable(),
    providerReference: p.string().length(128).nullable().unique(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type SimulatorCharge = InferEntity<typeof SimulatorChargeSchema>;
