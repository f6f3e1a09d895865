import { userError, type Identity, type UserError } from '@shop/platform';
import { replaceCartDiscountCodes } from '../data/discount.repository.ts';
import { loadCartView } from './cart-view.ts';
import { normalizeCode } from './cart-rules.ts';
import { mutateCart, refuse, type CartMutationDeps, type CartResult, type CartWarning } from './cart-mutation.ts';

export const MAX_DISCOUNT_CODES = 5;
/** How many distinct codes one request gets checked (beyond MAX_DISCOUNT_CODES it is refused anyway). */
const CHECKED_CODES = 50;
const MAX_CODE_LENGTH = 64;

/**
 * Replace the cart's discount codes. Unknown, archived, not yet started, expired or used-up codes
 * are refused, with too many codes, all in one answer (fields name each code's position in the
 * input); a code whose conditions the cart does not meet (a minimum, sign-in, items, another
 * promotion winning) is kept with a DISCOUNT_NOT_APPLICABLE warning saying why.
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
    // The codes are judged by the promotions engine on the cart as it would be with them (rolled
    // back when refused): what it cannot use now and never will is refused, what a change of cart
    // or a sign-in could make apply is kept with a warning.
    const checked = codes.slice(0, CHECKED_CODES);
    // No promotion has a code longer than the column holds: such a code is not valid, said without storing it.
    for (const code of checked.filter((c) => c.length > MAX_CODE_LENGTH))
      errors.push(
        userError('DISCOUNT_NOT_FOUND', `Discount code ${code.slice(0, MAX_CODE_LENGTH)}… is not valid`, [
          'discountCodes',
          String(positions.get(code)),
        ]),
      );
    await replaceCartDiscountCodes(
      tx,
      cart.id,
      checked.filter((c) => c.length <= MAX_CODE_LENGTH),
    );
    const view = (await loadCartView(tx, cart.id, deps.pricing))!;
    const warnings: CartWarning[] = [];
    for (const c of view.discountCodes) {
      if (c.applicable || !c.problem) continue;
      if (c.refusal) errors.push(userError(c.refusal, c.problem, ['discountCodes', String(positions.get(c.code))]));
      else warnings.push({ code: 'DISCOUNT_NOT_APPLICABLE', message: c.problem, target: c.code });
    }
    // Each code's problem in the order of the input (too many codes first).
    const at = (e: UserError) => (e.field?.[0] === 'discountCodes' && e.field[1] !== undefined ? Number(e.field[1]) : -1);
    if (errors.length) refuse(...errors.sort((a, b) => at(a) - at(b)));
    return warnings;
  });
}
