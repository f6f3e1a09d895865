/**
 * Cart totals in integer minor units. The rounding rule (stated once, used everywhere):
 * amounts that are not whole minor units — a percentage discount, a tax — are computed once per
 * cart, on the cart-level amount, and rounded half up (0.5 → 1) to the minor unit. Lines are never
 * rounded: unit price × quantity is exact. Tax is one such amount: goods and delivery are taxed at
 * their own rates, the exact fractions are added up and the sum is rounded once.
 *
 *   subtotal    = Σ unit price × quantity                       (available lines only)
 *   discount    = line discounts + order discounts (promotions, already computed by the caller)
 *                 + codes (percentage: round((subtotal − line discounts) × bp / 10 000);
 *                 fixed: its amount), at most the subtotal
 *   goods       = subtotal − discount
 *   delivery    = the selected option's price; 0 when goods ≥ its free-over threshold or the cart
 *                 is empty; minus a free-delivery discount (at most the price)
 *   tax         = prices without tax (default): round(goods × g / 10 000 + delivery × d / 10 000)
 *                 prices with tax included:     round(goods × g / (10 000 + g) + delivery × d / (10 000 + d))
 *                 (g: the goods' rate at the address, d: the delivery rate of its zone, in basis points)
 *   total       = goods + delivery + tax    (tax included: goods + delivery; tax is the part of it that is tax)
 *
 * Splitting an amount across lines (a cart-level discount, a promotion's discount over the lines it
 * targets) never rounds again: `allocateLargestRemainder` gives each line the whole part of its
 * proportional share, then one minor unit each to the largest remainders (ties: the earlier
 * line) until the parts sum exactly to the amount. No line gets more than its weight when the
 * amount does not exceed the weights' sum.
 */

export interface PricedLine {
  /** Matches a promotion's line allocations (optional when there are none). */
  id?: string;
  unitPrice: number;
  quantity: number;
  available: boolean;
}

export type Discount =
  | { code: string; kind: 'PERCENTAGE'; basisPoints: number; minimumSubtotal: number | null }
  | { code: string; kind: 'FIXED'; amount: number; minimumSubtotal: number | null };

/**
 * Discounts the promotions engine has already worked out (the same fields as its `PromotionResult`):
 * computeTotals applies them as given and does not evaluate promotions itself.
 */
export interface PromotionDiscounts {
  lineAllocations: ReadonlyArray<{ lineId: string; amount: number }>;
  orderDiscount: number;
  /** Off the delivery price; never more than what delivery costs after its free-over rule. */
  deliveryDiscount: number;
}

/** The selected delivery option's rate. */
export interface DeliveryRate {
  price: number;
  /** Free from this discounted subtotal on; null: never free. */
  freeOver: number | null;
}

export interface TaxRule {
  /** The goods' rate at the cart's address (its region's, else its country's). */
  goodsBasisPoints: number;
  /** Delivery's rate (its zone's; the goods' rate when the zone says "same as goods"). */
  deliveryBasisPoints: number;
  /** Prices are entered and shown with tax included (STORE_PRICES_INCLUDE_TAX). */
  pricesIncludeTax: boolean;
}

export interface CartTotals {
  subtotal: number;
  /** Line, order and code discounts (not the delivery discount: `shipping` is already net of it). */
  discount: number;
  /** What delivery costs: after the free-over rule and the delivery discount. */
  shipping: number;
  deliveryDiscount: number;
  /** Tax on top of the total, or (taxesIncluded) the part of the total that is tax. */
  tax: number;
  total: number;
  taxesIncluded: boolean;
  /** Codes that were given but do not apply now (e.g. below their minimum subtotal). */
  inapplicableCodes: string[];
}

/** a × bp / 10 000 rounded half up, in integers (no floating-point error on money). */
export function applyBasisPoints(amount: number, basisPoints: number): number {
  if (!Number.isSafeInteger(amount) || !Number.isInteger(basisPoints)) throw new RangeError('integers required');
  const scaled = amount * basisPoints;
  const whole = Math.floor(scaled / 10_000);
  const remainder = scaled - whole * 10_000;
  return remainder * 2 >= 10_000 ? whole + 1 : whole;
}

/**
 * `amount` split in proportion to `weights` (largest-remainder method, see the rule above): the
 * parts are integers summing exactly to `amount`. All-zero weights get all-zero parts (nothing to
 * split by), so the caller decides what an unallocatable amount means. BigInt because
 * amount × weight can pass 2^53 (a 999-unit line of a large price times a large discount).
 */
export function allocateLargestRemainder(amount: number, weights: readonly number[]): number[] {
  if (!Number.isSafeInteger(amount) || amount < 0 || weights.some((w) => !Number.isSafeInteger(w) || w < 0)) {
    throw new RangeError('non-negative integers required');
  }
  const total = weights.reduce((sum, w) => sum + BigInt(w), 0n);
  if (total === 0n) return weights.map(() => 0);
  const parts: number[] = [];
  const remainders: bigint[] = [];
  let given = 0;
  for (const w of weights) {
    const scaled = BigInt(amount) * BigInt(w);
    const part = Number(scaled / total);
    parts.push(part);
    remainders.push(scaled % total);
    given += part;
  }
  // Stable sort: equal remainders keep line order, so the result depends on nothing but the input.
  const order = remainders.map((r, i) => ({ r, i })).sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (let k = 0; k < amount - given; k++) parts[order[k]!.i]! += 1;
  return parts;
}

/** num / den rounded half up, exactly (both non-negative). */
function divideHalfUp(num: bigint, den: bigint): number {
  const whole = num / den;
  return Number((num - whole * den) * 2n >= den ? whole + 1n : whole);
}

/** What a delivery option costs a cart: nothing for an empty cart or from its free-over threshold on. */
export function deliveryCost(rate: DeliveryRate, subtotal: number, goods: number): number {
  if (subtotal === 0) return 0;
  return rate.freeOver !== null && goods >= rate.freeOver ? 0 : rate.price;
}

/** The tax in (or on) goods and delivery at their rates, rounded once (see the rule above). */
export function taxOf(goods: number, delivery: number, rule: TaxRule): number {
  const g = BigInt(rule.goodsBasisPoints);
  const d = BigInt(rule.deliveryBasisPoints);
  if (!rule.pricesIncludeTax) return divideHalfUp(BigInt(goods) * g + BigInt(delivery) * d, 10_000n);
  // goods × g / (10 000 + g) + delivery × d / (10 000 + d) over one common denominator.
  const num = BigInt(goods) * g * (10_000n + d) + BigInt(delivery) * d * (10_000n + g);
  return divideHalfUp(num, (10_000n + g) * (10_000n + d));
}

export function computeTotals(input: {
  lines: readonly PricedLine[];
  discounts: readonly Discount[];
  promotions?: PromotionDiscounts;
  delivery: DeliveryRate | null;
  tax: TaxRule;
}): CartTotals {
  const available = input.lines.filter((l) => l.available);
  const subtotal = available.reduce((sum, l) => sum + l.unitPrice * l.quantity, 0);
  const availableIds = new Set(available.map((l) => l.id));
  const promotions = input.promotions;
  const lineDiscount = (promotions?.lineAllocations ?? []).reduce((sum, a) => sum + (availableIds.has(a.lineId) ? a.amount : 0), 0);
  let discount = lineDiscount + (promotions?.orderDiscount ?? 0);
  const inapplicableCodes: string[] = [];
  for (const d of input.discounts) {
    if (d.minimumSubtotal !== null && subtotal < d.minimumSubtotal) {
      inapplicableCodes.push(d.code);
      continue;
    }
    discount += d.kind === 'PERCENTAGE' ? applyBasisPoints(Math.max(subtotal - lineDiscount, 0), d.basisPoints) : d.amount;
  }
  discount = Math.min(discount, subtotal);
  const goods = subtotal - discount;
  const before = input.delivery ? deliveryCost(input.delivery, subtotal, goods) : 0;
  const deliveryDiscount = Math.min(Math.max(promotions?.deliveryDiscount ?? 0, 0), before);
  const shipping = before - deliveryDiscount;
  const tax = taxOf(goods, shipping, input.tax);
  const taxesIncluded = input.tax.pricesIncludeTax;
  return {
    subtotal,
    discount,
    shipping,
    deliveryDiscount,
    tax,
    total: goods + shipping + (taxesIncluded ? 0 : tax),
    taxesIncluded,
    inapplicableCodes,
  };
}
