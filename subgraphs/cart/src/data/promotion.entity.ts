import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { PromotionAction, PromotionConditions } from '../domain/promotions/index.ts';

export const COMBINABILITIES = ['EXCLUSIVE', 'STACKABLE'] as const;

/** A promotion (domain/promotions/promotion.ts) as stored; conditions and action in the engine's shapes. */
export const PromotionSchema = defineEntity({
  name: 'Promotion',
  tableName: 'promotion',
  properties: {
    id: p.uuid().primary(),
    title: p.string().length(200),
    /** Upper case (unique, so case-insensitive); null: automatic. */
    code: p.string().length(64).nullable().unique(),
    /** Lower applies first. */
    priority: p.integer().default(0),
    combinability: p.enum(COMBINABILITIES),
    startsAt: p.datetime().nullable(),
    endsAt: p.datetime().nullable(),
    usageLimit: p.integer().nullable(),
    usageLimitPerCustomer: p.integer().nullable(),
    /** Claimed by checkouts and not released. */
    usageCount: p.integer().default(0),
    conditions: p.json<PromotionConditions>(),
    action: p.json<PromotionAction>(),
    /** Archived promotions never apply and keep their code. */
    archivedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});

export type PromotionRow = InferEntity<typeof PromotionSchema>;

/** One use of a promotion by a checkout (whose id is its order's); released when the order fails. */
export const PromotionUsageSchema = defineEntity({
  name: 'PromotionUsage',
  tableName: 'promotion_usage',
  properties: {
    id: p.uuid().primary(),
    promotion: () => p.manyToOne(PromotionSchema).ref(),
    /** null: a guest; per-customer limits count only known customers. */
    customerId: p.string().length(320).nullable(),
    checkoutId: p.uuid(),
    claimedAt: p.datetime().onCreate(() => new Date()),
    releasedAt: p.datetime().nullable(),
  },
});

export type PromotionUsage = InferEntity<typeof PromotionUsageSchema>;
