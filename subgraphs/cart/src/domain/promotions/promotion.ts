/**
 * The promotions engine's model: what a promotion is, what the engine is given and what it answers.
 * Pure data (no database, no GraphQL); amounts are integer minor units, percentages basis points
 * (1 500 = 15 %), codes upper-case (`normalizeCode`).
 */

export type Combinability = 'EXCLUSIVE' | 'STACKABLE';

/** A delivery option's cost: fixed, or for the goods left after an alternative's discounts; null when none is selected. */
export type DeliveryCost = number | null | ((goods: number) => number);

/** Lines a promotion is about: a line matches by its variant id, its product id or any of its category ids. */
export interface ProductTarget {
  variantIds: readonly string[];
  productIds: readonly string[];
  categoryIds: readonly string[];
}

/** All must hold. The date window is the promotion's `startsAt`/`endsAt`. */
export interface PromotionConditions {
  /** Σ unit price × quantity of the matching lines (all lines without a target), before any discount. */
  minimumSubtotal: number | null;
  /** Σ quantity of the matching lines (all lines without a target). */
  minimumQuantity: number | null;
  /** null: every line matches. With a target the cart must hold at least one matching line. */
  target: ProductTarget | null;
  signedInOnly: boolean;
  /** The caller says whether the customer has orders (`CustomerContext.hasOrders`). */
  firstOrderOnly: boolean;
}

export type PromotionAction =
  /** Off the subtotal left after line discounts. */
  | { type: 'ORDER_PERCENTAGE'; basisPoints: number }
  | { type: 'ORDER_FIXED'; amount: number }
  /** Off the matching lines. */
  | { type: 'LINE_PERCENTAGE'; basisPoints: number }
  /** `amount` off each unit of the matching lines (never more than the unit's price). */
  | { type: 'LINE_FIXED_PER_UNIT'; amount: number }
  | { type: 'FREE_DELIVERY' }
  /**
   * For every `buyQuantity` matching units bought, `getQuantity` more matching units — the cheapest
   * — at `basisPoints` off (10 000 = free), at most `maxApplications` times per cart (null: no limit).
   */
  | { type: 'BUY_X_GET_Y'; buyQuantity: number; getQuantity: number; basisPoints: number; maxApplications: number | null };

export type PromotionActionType = PromotionAction['type'];

export interface Promotion {
  id: string;
  title: string;
  /** null: automatic (applies without a code). */
  code: string | null;
  /** Lower applies first (and wins ties). */
  priority: number;
  combinability: Combinability;
  /** Active from `startsAt` (inclusive) to `endsAt` (exclusive); null: open-ended. */
  startsAt: Date | null;
  endsAt: Date | null;
  /** Kept with the promotion; the engine does not count uses (the caller claims them at checkout). */
  usageLimit: number | null;
  usageLimitPerCustomer: number | null;
  conditions: PromotionConditions;
  action: PromotionAction;
}

export interface PromotionLine {
  lineId: string;
  variantId: string;
  productId: string;
  categoryIds: readonly string[];
  unitPrice: number;
  quantity: number;
  /** Unavailable lines are not charged, so they count for nothing and get no discount. */
  available: boolean;
}

export interface CustomerContext {
  signedIn: boolean;
  /** Whether the customer (or, for a guest, the caller's best knowledge) has placed an order before. */
  hasOrders: boolean;
  /** For the caller's per-customer usage count (`usageLimitReached`); the engine itself does not read it. */
  customerId: string | null;
}

export interface PromotionInput {
  lines: readonly PromotionLine[];
  /** Codes entered on the cart, any case. */
  codes: readonly string[];
  customer: CustomerContext;
  now: Date;
  /**
   * Cost of the selected delivery option; null: none selected yet. A function of the goods after an
   * alternative's line and order discounts when the option is free over a threshold: each
   * alternative is then weighed with the delivery it would really cost (free delivery is worth
   * nothing to one whose goods reach the threshold anyway).
   */
  deliveryCost: DeliveryCost;
  /** Candidates (automatic and code promotions); the engine decides which apply. */
  promotions: readonly Promotion[];
  /** Ids of promotions whose usage limit (total or this customer's) the caller found used up. */
  usageLimitReached?: readonly string[];
}

export interface PromotionRef {
  promotionId: string;
  title: string;
  code: string | null;
}

/** "−5.00 Summer sale" on one line. */
export interface LineAllocation extends PromotionRef {
  lineId: string;
  amount: number;
}

/** A discount on the whole cart: off the order or off delivery. */
export interface CartAllocation extends PromotionRef {
  target: 'ORDER' | 'DELIVERY';
  amount: number;
}

export interface AppliedPromotion extends PromotionRef {
  /** Everything this promotion took off: its line, order and delivery allocations together. */
  amount: number;
}

/** One line after all discounts. `orderDiscountShare` is its part of the order discount (for tax and refunds). */
export interface LineTotals {
  lineId: string;
  /** unit price × quantity; 0 for an unavailable line (it is not charged). */
  subtotal: number;
  lineDiscount: number;
  orderDiscountShare: number;
  /** subtotal − lineDiscount − orderDiscountShare, never below zero. */
  total: number;
}

export type CodeRejectionReason =
  | { reason: 'UNKNOWN_CODE' }
  | { reason: 'NOT_STARTED'; startsAt: Date }
  | { reason: 'EXPIRED'; endsAt: Date }
  | { reason: 'USAGE_LIMIT_REACHED' }
  | { reason: 'SIGN_IN_REQUIRED' }
  | { reason: 'FIRST_ORDER_ONLY' }
  | { reason: 'NO_ELIGIBLE_ITEMS' }
  | { reason: 'MINIMUM_SUBTOTAL_NOT_MET'; missingAmount: number }
  | { reason: 'MINIMUM_QUANTITY_NOT_MET'; missingQuantity: number }
  /** Another promotion won (an exclusive one, or one that had already discounted these lines). */
  | { reason: 'NOT_COMBINABLE'; with: PromotionRef }
  /** Eligible, but nothing left for it to take off. */
  | { reason: 'NO_DISCOUNT' };

/** An entered code that did not apply, and why (the UI's message). */
export type CodeRejection = { code: string } & CodeRejectionReason;

export interface PromotionResult {
  /** Σ unit price × quantity of the available lines. */
  subtotal: number;
  /** In the order they were applied. */
  applied: AppliedPromotion[];
  lineAllocations: LineAllocation[];
  cartAllocations: CartAllocation[];
  /** One entry per input line, in input order. */
  lines: LineTotals[];
  lineDiscount: number;
  orderDiscount: number;
  deliveryDiscount: number;
  /** lineDiscount + orderDiscount + deliveryDiscount. */
  totalDiscount: number;
  /** deliveryCost − deliveryDiscount; null when no delivery cost was given. */
  deliveryAmount: number | null;
  /** Entered codes that did not apply, in the order entered. */
  rejectedCodes: CodeRejection[];
}
