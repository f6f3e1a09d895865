/**
 * A promotion's conditions and action as stored (jsonb): the engine's own shapes, checked when a
 * promotion is written and again when it is read, so a hand-edited or half-migrated row is an
 * error naming the promotion, never a wrong discount.
 */
import { z } from 'zod';
import { MAX_AMOUNT_MINOR } from '@shop/platform';
import type { PromotionAction, PromotionConditions } from './promotion.ts';

const minor = z.number().int().min(1).max(MAX_AMOUNT_MINOR);
const basisPoints = z.number().int().min(1).max(10_000);
const count = z.number().int().min(1);
const ids = z.array(z.string().min(1));

export const promotionConditionsModel: z.ZodType<PromotionConditions> = z.strictObject({
  minimumSubtotal: minor.nullable(),
  minimumQuantity: count.nullable(),
  target: z.strictObject({ variantIds: ids, productIds: ids, categoryIds: ids }).nullable(),
  signedInOnly: z.boolean(),
  firstOrderOnly: z.boolean(),
});

export const promotionActionModel: z.ZodType<PromotionAction> = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ORDER_PERCENTAGE'), basisPoints }),
  z.strictObject({ type: z.literal('ORDER_FIXED'), amount: minor }),
  z.strictObject({ type: z.literal('LINE_PERCENTAGE'), basisPoints }),
  z.strictObject({ type: z.literal('LINE_FIXED_PER_UNIT'), amount: minor }),
  z.strictObject({ type: z.literal('FREE_DELIVERY') }),
  z.strictObject({
    type: z.literal('BUY_X_GET_Y'),
    buyQuantity: count,
    getQuantity: count,
    basisPoints,
    maxApplications: count.nullable(),
  }),
]);
