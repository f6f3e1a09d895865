/** Whether a promotion's conditions hold for a cart, and if not, the first reason a shopper can act on. */
import type { CodeRejectionReason, CustomerContext, ProductTarget, Promotion, PromotionLine } from './promotion.ts';

/** A line matches a target by its variant id, its product id or any of its category ids. */
export function targetMatcher(target: ProductTarget | null): (line: PromotionLine) => boolean {
  if (!target) return () => true;
  const variants = new Set(target.variantIds);
  const products = new Set(target.productIds);
  const categories = new Set(target.categoryIds);
  return (line) => variants.has(line.variantId) || products.has(line.productId) || line.categoryIds.some((c) => categories.has(c));
}

/** The available lines a promotion is about (all available lines without a target). */
export function matchingLines(promotion: Promotion, lines: readonly PromotionLine[]): PromotionLine[] {
  const matches = targetMatcher(promotion.conditions.target);
  return lines.filter((line) => line.available && matches(line));
}

export interface EligibilityContext {
  customer: CustomerContext;
  now: Date;
  usageLimitReached: ReadonlySet<string>;
}

/**
 * null when every condition holds; otherwise the first failing one, in this order: the date window,
 * the usage limit, sign-in, first order, eligible items, minimum subtotal, minimum quantity (buy X
 * get Y needs at least X + Y matching units, so "add 1 more" is said before the code is taken). The
 * order puts what the shopper cannot change first, so the message never asks them to add items to
 * a cart for a code that would still not apply.
 */
export function ineligibility(promotion: Promotion, matching: readonly PromotionLine[], ctx: EligibilityContext): CodeRejectionReason | null {
  const { conditions } = promotion;
  const now = ctx.now.getTime();
  if (promotion.startsAt && now < promotion.startsAt.getTime()) return { reason: 'NOT_STARTED', startsAt: promotion.startsAt };
  if (promotion.endsAt && now >= promotion.endsAt.getTime()) return { reason: 'EXPIRED', endsAt: promotion.endsAt };
  if (ctx.usageLimitReached.has(promotion.id)) return { reason: 'USAGE_LIMIT_REACHED' };
  if (conditions.signedInOnly && !ctx.customer.signedIn) return { reason: 'SIGN_IN_REQUIRED' };
  if (conditions.firstOrderOnly && ctx.customer.hasOrders) return { reason: 'FIRST_ORDER_ONLY' };
  if (matching.length === 0) return { reason: 'NO_ELIGIBLE_ITEMS' };
  const subtotal = matching.reduce((sum, line) => sum + line.unitPrice * line.quantity, 0);
  if (conditions.minimumSubtotal !== null && subtotal < conditions.minimumSubtotal) {
    return { reason: 'MINIMUM_SUBTOTAL_NOT_MET', missingAmount: conditions.minimumSubtotal - subtotal };
  }
  const quantity = matching.reduce((sum, line) => sum + line.quantity, 0);
  const minimumQuantity = Math.max(conditions.minimumQuantity ?? 0, impliedMinimumQuantity(promotion));
  if (quantity < minimumQuantity) return { reason: 'MINIMUM_QUANTITY_NOT_MET', missingQuantity: minimumQuantity - quantity };
  return null;
}

/** Buy X get Y gives nothing below X + Y units: that is a minimum quantity the shopper can be told. */
const impliedMinimumQuantity = (promotion: Promotion) =>
  promotion.action.type === 'BUY_X_GET_Y' ? promotion.action.buyQuantity + promotion.action.getQuantity : 0;
