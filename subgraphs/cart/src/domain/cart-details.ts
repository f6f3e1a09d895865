import { z } from 'zod';
import { userError, type Identity, type UserError } from '@shop/platform';
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
    const rows = codes.length
      ? await tx.execute<Array<{ code: string; active: boolean; expired: boolean; used_up: boolean; minimum_subtotal: number | null }>>(
          `select code, active, (expires_at is not null and expires_at <= now()) as expired,
                  (usage_limit is not null and usage_count >= usage_limit) as used_up, minimum_subtotal
             from discount_code where code in (?)`,
          [codes],
        )
      : [];
    const byCode = new Map(rows.map((r) => [r.code, r]));
    const errors: UserError[] = [];
    codes.forEach((code, i) => {
      const row = byCode.get(code);
      if (!row || !row.active) errors.push(userError('DISCOUNT_NOT_FOUND', `Unknown discount code ${code}`, ['discountCodes', String(i)]));
      else if (row.expired) errors.push(userError('DISCOUNT_EXPIRED', `Discount code ${code} has expired`, ['discountCodes', String(i)]));
      else if (row.used_up) errors.push(userError('DISCOUNT_EXPIRED', `Discount code ${code} has been used up`, ['discountCodes', String(i)]));
    });
    if (errors.length) refuse(...errors);
    await tx.execute('delete from cart_discount_code where cart_id = ?', [cart.id]);
    for (const [position, code] of codes.entries()) {
      await tx.execute('insert into cart_discount_code (cart_id, code, position) values (?, ?, ?)', [cart.id, code, position]);
    }
    // Summed here, not in SQL: integer × integer could overflow Postgres `integer` on a costly cart.
    const lines = await tx.execute<Array<{ unit_price_amount: number; quantity: number }>>(
      'select unit_price_amount, quantity from cart_line where cart_id = ? and available',
      [cart.id],
    );
    const subtotal = lines.reduce((sum, l) => sum + l.unit_price_amount * l.quantity, 0);
    const warnings: CartWarning[] = [];
    for (const code of codes) {
      const minimum = byCode.get(code)!.minimum_subtotal;
      if (minimum !== null && subtotal < minimum) {
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
      const [known] = await tx.execute<Array<{ n: number }>>('select count(*)::int as n from shipping_country where country_code = ?', [countryCode]);
      if (!known?.n) refuse(userError('UNSUPPORTED_COUNTRY', `We do not ship to ${countryCode}`, ['buyerIdentity', 'countryCode']));
    }
    await tx.execute(
      `update cart set email = case when ? then ? else email end, country_code = case when ? then ? else country_code end where id = ?`,
      [email !== undefined, email ?? null, countryCode !== undefined, countryCode ?? null, cart.id],
    );
  });
}
