import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const DISCOUNT_KINDS = ['PERCENTAGE', 'FIXED_AMOUNT'] as const;

/**
 * A code carts refer to by `code` (cart_discount_code): since migration 20261216000030 a view over
 * the promotions a discount code can express (discount-code-compat.ts), read by the cart view and
 * checkout until they price with the promotions engine. Its usage_count is the promotion's.
 */
export const DiscountCodeSchema = defineEntity({
  name: 'DiscountCode',
  tableName: 'discount_code',
  properties: {
    /** Upper case: codes are matched case-insensitively by normalising them. */
    code: p.string().length(64).primary(),
    kind: p.enum(DISCOUNT_KINDS),
    /** PERCENTAGE: basis points (1500 = 15 %); FIXED_AMOUNT: minor units. */
    value: p.integer(),
    minimumSubtotal: p.integer().nullable(),
    expiresAt: p.datetime().nullable(),
    usageLimit: p.integer().nullable(),
    usageCount: p.integer().default(0),
    active: p.boolean().default(true),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});

export type DiscountCode = InferEntity<typeof DiscountCodeSchema>;
