import { formatMoney } from '@shop/platform';
import type { CartState } from '../data/cart-state.repository.ts';
import { evaluatePromotions, type CodeRejection, type DeliveryCost, type Promotion, type PromotionResult } from './promotions/index.ts';

/** "−5.00 Summer sale": which promotion (its code, when it has one) took how much off. Amounts in minor units. */
export interface DiscountAllocationView {
  title: string;
  code: string | null;
  amount: number;
}

/** An entered code as the cart shows it. `problem` is why it does not apply now (a sentence for the shopper). */
export interface CodeView {
  code: string;
  applicable: boolean;
  /** Refused outright (unknown, not started, expired, used up): cartDiscountCodesUpdate rejects it. */
  refusal: 'DISCOUNT_NOT_FOUND' | 'DISCOUNT_EXPIRED' | null;
  problem: string | null;
}

/**
 * The promotions engine over a cart's state: the available lines (variant, product and category ids,
 * as the catalog last confirmed them), the entered codes,
 * the customer (signed in, has orders), the time of the read and the selected option's cost.
 */
export function evaluateCart(state: CartState, deliveryCost: DeliveryCost): PromotionResult {
  return evaluatePromotions({
    lines: state.lines.map((l) => ({
      lineId: l.id,
      variantId: l.variantId,
      productId: l.productId,
      categoryIds: l.categoryIds,
      unitPrice: l.unitPriceAmount,
      quantity: l.quantity,
      available: l.available,
    })),
    codes: state.codes.map((c) => c.code),
    customer: { signedIn: state.cart.customerId != null, hasOrders: state.hasOrders, customerId: state.cart.customerId ?? null },
    now: state.now,
    deliveryCost,
    promotions: state.promotions.promotions,
    usageLimitReached: state.promotions.usageLimitReached,
  });
}

const day = (at: Date) => at.toISOString().slice(0, 10);

/** What the shopper reads about a code that does not apply, money with its currency. */
export function codeProblem(rejection: CodeRejection, promotion: Promotion | undefined, currency: string): Pick<CodeView, 'refusal' | 'problem'> {
  const code = rejection.code.length > 64 ? `${rejection.code.slice(0, 64)}…` : rejection.code;
  const items = promotion?.conditions.target ? ' of eligible items' : '';
  switch (rejection.reason) {
    case 'UNKNOWN_CODE':
      return { refusal: 'DISCOUNT_NOT_FOUND', problem: `Discount code ${code} is not valid` };
    case 'NOT_STARTED':
      return { refusal: 'DISCOUNT_EXPIRED', problem: `Discount code ${code} can be used from ${day(new Date(rejection.startsAt))}` };
    case 'EXPIRED':
      return { refusal: 'DISCOUNT_EXPIRED', problem: `Discount code ${code} has expired` };
    case 'USAGE_LIMIT_REACHED':
      return { refusal: 'DISCOUNT_EXPIRED', problem: `Discount code ${code} has been used up` };
    case 'SIGN_IN_REQUIRED':
      return { refusal: null, problem: `Discount code ${code} applies once you sign in` };
    case 'FIRST_ORDER_ONLY':
      return { refusal: null, problem: `Discount code ${code} applies to a first order only` };
    case 'NO_ELIGIBLE_ITEMS':
      return { refusal: null, problem: `Discount code ${code} applies to items not in your cart` };
    case 'MINIMUM_SUBTOTAL_NOT_MET': {
      const minimum = promotion?.conditions.minimumSubtotal;
      const from = minimum == null ? '' : ` from a subtotal${items} of ${formatMoney(minimum, currency)}`;
      return { refusal: null, problem: `Discount code ${code} applies${from || ' to a larger cart'}` };
    }
    case 'MINIMUM_QUANTITY_NOT_MET':
      return {
        refusal: null,
        problem: `Discount code ${code} applies with ${rejection.missingQuantity} more item${rejection.missingQuantity === 1 ? '' : 's'}${items}`,
      };
    case 'NOT_COMBINABLE':
      return { refusal: null, problem: `Discount code ${code} cannot be combined with ${rejection.with.title}` };
    case 'NO_DISCOUNT':
      return { refusal: null, problem: `Discount code ${code} takes nothing off this cart` };
  }
}

/** The entered codes in the shopper's order, each applicable or with its problem. */
export function codeViews(state: CartState, result: PromotionResult, currency: string): CodeView[] {
  const rejected = new Map(result.rejectedCodes.map((r) => [r.code, r]));
  const byCode = new Map(state.promotions.promotions.filter((p) => p.code !== null).map((p) => [p.code!, p]));
  return state.codes.map(({ code }) => {
    const rejection = rejected.get(code);
    if (!rejection) return { code, applicable: true, refusal: null, problem: null };
    return { code, applicable: false, ...codeProblem(rejection, byCode.get(code), currency) };
  });
}
