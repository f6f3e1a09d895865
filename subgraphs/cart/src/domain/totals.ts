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
