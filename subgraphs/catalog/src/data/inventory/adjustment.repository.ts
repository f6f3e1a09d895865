import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { InventoryAdjustmentSchema } from './inventory-adjustment.entity.ts';

/** The audit trail of admin stock changes, written in the change's own transaction. */
export class AdjustmentRepository {
  async record(em: EntityManager, adjustment: { variantId: string; delta: number; reason: string; actor: string | null }): Promise<void> {
    await em.insert(InventoryAdjustmentSchema, { id: randomUUID(), ...adjustment, createdAt: new Date() });
  }
}
