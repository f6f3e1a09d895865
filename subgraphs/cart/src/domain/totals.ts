/**
 * Cart totals in integer minor units. The rounding rule (stated once, used everywhere):
 * amounts that are not whole minor units — a percentage discount, a tax — are computed once per
 * cart, on the cart-level amount, and rounded half up (0.5 → 1) to the minor unit. Lines are never
 * rounded: unit price × quantity is exact.
 *
 *   subtotal = Σ unit price × quantity            (available lines only)
 *   discount = percentage: round(subtotal × bp / 10 000); fixed: min(amount, subtotal)
 *   shipping = flat rate of the country, 0 when subtotal − discount ≥ the free-shipping threshold
 *   tax      = round((subtotal − discount) × rate bp / 10 000)     (shipping is not taxed)
 *   total    = subtotal − discount + shipping + tax
 *
 * Splitting an amount across lines (a cart-level discount, a promotion's discount over the lines it
 * targets) never rounds again: `allocateLargestRemainder` gives each line the whole part of its
 * proportional share, then one minor unit each to the largest remainders (ties: the earlier
 * line) until the parts sum exactly to the amount. No line gets more than its weight when the
 * amount does not exceed the weights' sum.
 */

export interface PricedLine {
  unitPrice: number;
  quantity: number;
  available: boolean;
}

export type Discount =
  | { code: string; kind: 'PERCENTAGE'; basisPoints: number; minimumSubtotal: number | null }
  | { code: string; kind: 'FIXED'; amount: number; minimumSubtotal: number | null };

export interface ShippingRate {
  /** Flat amount for the country. */
  amount: number;
  /** Free shipping from this discounted subtotal on; null: never free. */
  freeOver: number | null;
}

export interface CartTotals {
  subtotal: number;
  discount: number;
  shipping: number;
  tax: number;
  total: number;
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

export function computeTotals(input: {
  lines: PricedLine[];
  discounts: Discount[];
  shipping: ShippingRate | null;
  taxBasisPoints: number;
}): CartTotals {
  const subtotal = input.lines.filter((l) => l.available).reduce((sum, l) => sum + l.unitPrice * l.quantity, 0);
  let discount = 0;
  const inapplicableCodes: string[] = [];
  for (const d of input.discounts) {
    if (d.minimumSubtotal !== null && subtotal < d.minimumSubtotal) {
      inapplicableCodes.push(d.code);
      continue;
    }
    discount += d.kind === 'PERCENTAGE' ? applyBasisPoints(subtotal, d.basisPoints) : d.amount;
  }
  discount = Math.min(discount, subtotal);
  const merchandise = subtotal - discount;
  const shipping =
    subtotal === 0 || !input.shipping ? 0 : input.shipping.freeOver !== null && merchandise >= input.shipping.freeOver ? 0 : input.shipping.amount;
  const tax = applyBasisPoints(merchandise, input.taxBasisPoints);
  return { subtotal, discount, shipping, tax, total: merchandise + shipping + tax, inapplicableCodes };
}
