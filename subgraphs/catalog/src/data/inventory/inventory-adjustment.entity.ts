import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** Audit trail of admin stock changes: who moved how many units, and why. */
export const InventoryAdjustmentSchema = defineEntity({
  name: 'InventoryAdjustment',
  tableName: 'inventory_adjustment',
  properties: {
    id: p.uuid().primary(),
    variantId: p.uuid(),
    delta: p.integer(),
    reason: p.text(),
    actor: p.string().length(128).nullable(),
    createdAt: p.datetime(),
  },
});
export type InventoryAdjustment = InferEntity<typeof InventoryAdjustmentSchema>;
