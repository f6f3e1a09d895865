import { formatMoney, userError, type Identity, type UserError } from '@shop/platform';
import { availableLineAmounts } from '../data/cart.repository.ts';
import { findDiscountCodes, replaceCartDiscountCodes } from '../data/discount.repository.ts';
import { normalizeCode } from './cart-rules.ts';
import { mutateCart, refuse, type CartMutationDeps, type CartResult, type CartWarning } from './cart-mutation.ts';

export const MAX_DISCOUNT_CODES = 5;
/** How many distinct codes one request gets checked (beyond MAX_DISCOUNT_CODES it is refused anyway). */
const CHECKED_CODES = 50;
/** Codes are at most 64 characters: a longer one is shown cut in messages. */
const shown = (code: string) => (code.length > 64 ? `${code.slice(0, 64)}…` : code);

/**
 * Replace the cart's discount codes. Unknown, inactive, expired or used-up codes are refused, with
 * too many codes, all in one answer (fields name each code's position in the input); a valid code
 * whose minimum subtotal is not reached is kept with a warning (it applies once the cart grows).
 */
export async function updateDiscountCodes(
  deps: CartMutationDeps,
  cartId: string,
  identity: Identity,
  rawCodes: readonly string[],
  expectedVersion?: number | null,
): Promise<CartResult> {
  // Each distinct code (case-insensitive, blanks ignored) with its first position in the input.
  const positions = new Map<string, number>();
  rawCodes.forEach((raw, i) => {
    const code = normalizeCode(raw);
    if (code && !positions.has(code)) positions.set(code, i);
  });
  const codes = [...positions.keys()];
  return mutateCart(deps, cartId, identity, expectedVersion, async (tx, cart) => {
    const errors: UserError[] = [];
    if (codes.length > MAX_DISCOUNT_CODES)
      errors.push(userError('INVALID', `You can use at most ${MAX_DISCOUNT_CODES} discount codes at once`, ['discountCodes']));
    const checked = codes.slice(0, CHECKED_CODES);
    const rows = await findDiscountCodes(tx, checked);
    const byCode = new Map(rows.map((r) => [r.code, r]));
    for (const code of checked) {
      const row = byCode.get(code);
      const field = ['discountCodes', String(positions.get(code))];
      if (!row || !row.active) errors.push(userError('DISCOUNT_NOT_FOUND', `Discount code ${shown(code)} is not valid`, field));
      else if (row.expiresAt && row.expiresAt.getTime() <= Date.now())
        errors.push(userError('DISCOUNT_EXPIRED', `Discount code ${code} has expired`, field));
      else if (row.usageLimit != null && row.usageCount >= row.usageLimit)
        errors.push(userError('DISCOUNT_EXPIRED', `Discount code ${code} has been used up`, field));
    }
    if (errors.length) refuse(...errors);
    await replaceCartDiscountCodes(tx, cart.id, codes);
    // Summed here, not in SQL: integer × integer could overflow Postgres `integer` on a costly cart.
    const lines = await availableLineAmounts(tx, cart.id);
    const subtotal = lines.reduce((sum, l) => sum + l.unitPriceAmount * l.quantity, 0);
    const warnings: CartWarning[] = [];
    for (const code of codes) {
      const minimum = byCode.get(code)!.minimumSubtotal;
      if (minimum != null && subtotal < minimum) {
        const from = formatMoney(minimum, cart.currency);
        warnings.push({ code: 'DISCOUNT_NOT_APPLICABLE', message: `Discount code ${code} applies from a subtotal of ${from}`, target: code });
      }
    }
    return warnings;
  });
}
