import { z } from 'zod';
import { userError, type Identity, type UserError } from '@shop/platform';
import { availableLineAmounts, setBuyer } from '../data/cart.repository.ts';
import { findDiscountCodes, replaceCartDiscountCodes } from '../data/discount.repository.ts';
import { shipsTo } from '../data/shipping.repository.ts';
import { normalizeCode } from './cart-rules.ts';
import { mutateCart, refuse, type CartMutationDeps, type CartResult, type CartWarning } from './cart-mutation.ts';

export const MAX_DISCOUNT_CODES = 5;

/**
 * Replace the cart's discount codes. Unknown, inactive, expired or used-up codes are refused;
 * a valid code whose minimum subtotal is not reached is kept with a warning (it applies once the
 * cart grows).
 */
export async function updateDiscountCodes(
  deps: CartMutationDeps,
  cartId: string,
  identity: Identity,
  rawCodes: readonly string[],
  expectedVersion?: number | null,
): Promise<CartResult> {
  const codes = [...new Set(rawCodes.map(normalizeCode).filter(Boolean))];
  return mutateCart(deps, cartId, identity, expectedVersion, async (tx, cart) => {
    if (codes.length > MAX_DISCOUNT_CODES) refuse(userError('INVALID', `At most ${MAX_DISCOUNT_CODES} discount codes`, ['discountCodes']));
    const rows = await findDiscountCodes(tx, codes);
    const byCode = new Map(rows.map((r) => [r.code, r]));
    const errors: UserError[] = [];
    codes.forEach((code, i) => {
      const row = byCode.get(code);
      if (!row || !row.active) errors.push(userError('DISCOUNT_NOT_FOUND', `Unknown discount code ${code}`, ['discountCodes', String(i)]));
      else if (row.expiresAt && row.expiresAt.getTime() <= Date.now())
        errors.push(userError('DISCOUNT_EXPIRED', `Discount code ${code} has expired`, ['discountCodes', String(i)]));
      else if (row.usageLimit != null && row.usageCount >= row.usageLimit)
        errors.push(userError('DISCOUNT_EXPIRED', `Discount code ${code} has been used up`, ['discountCodes', String(i)]));
    });
    if (errors.length) refuse(...errors);
    await replaceCartDiscountCodes(tx, cart.id, codes);
    // Summed here, not in SQL: integer × integer could overflow Postgres `integer` on a costly cart.
    const lines = await availableLineAmounts(tx, cart.id);
    const subtotal = lines.reduce((sum, l) => sum + l.unitPriceAmount * l.quantity, 0);
    const warnings: CartWarning[] = [];
    for (const code of codes) {
      const minimum = byCode.get(code)!.minimumSubtotal;
      if (minimum != null && subtotal < minimum) {
        warnings.push({ code: 'DISCOUNT_NOT_APPLICABLE', message: `${code} applies from a subtotal of ${minimum} minor units`, target: code });
      }
    }
    return warnings;
  });
}

const buyerModel = z.object({
  email: z.string().trim().email('Not a valid email address').max(320).nullish(),
  countryCode: z
    .string()
    .trim()
    .transform((c) => c.toUpperCase())
    .refine((c) => /^[A-Z]{2}$/.test(c), 'Country must be an ISO 3166-1 alpha-2 code such as US')
    .nullish(),
});

/** Set who is buying and where it ships; the country must be one we ship to (it sets tax and shipping). */
export async function updateBuyerIdentity(
  deps: CartMutationDeps,
  cartId: string,
  identity: Identity,
  input: { email?: string | null; countryCode?: string | null },
  expectedVersion?: number | null,
): Promise<CartResult> {
  return mutateCart(deps, cartId, identity, expectedVersion, async (tx, cart) => {
    const parsed = buyerModel.safeParse(input);
    if (!parsed.success) {
      refuse(...parsed.error.issues.map((issue) => userError('INVALID', issue.message, ['buyerIdentity', ...issue.path.map(String)])));
      return;
    }
    const { email, countryCode } = parsed.data;
    if (countryCode) {
      if (!(await shipsTo(tx, countryCode)))
        refuse(userError('UNSUPPORTED_COUNTRY', `We do not ship to ${countryCode}`, ['buyerIdentity', 'countryCode']));
    }
    await setBuyer(tx, cart.id, { email, countryCode });
  });
}
