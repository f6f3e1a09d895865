import type { EntityManager } from '@mikro-orm/postgresql';
import { CartDiscountCodeSchema } from './cart.entity.ts';
import { DiscountCodeSchema, type DiscountCode } from './discount-code.entity.ts';

// discount_code is a view over the promotions that are discount codes (migration 20261216000030):
// these read and claim through it until the cart prices with the promotions engine.

export function findDiscountCodes(em: EntityManager, codes: readonly string[]): Promise<DiscountCode[]> {
  return codes.length ? em.find(DiscountCodeSchema, { code: { $in: [...codes] } }) : Promise.resolve([]);
}

/** Replace a cart's codes, keeping the order they were given in. */
export async function replaceCartDiscountCodes(tx: EntityManager, cartId: string, codes: readonly string[]): Promise<void> {
  await tx.nativeDelete(CartDiscountCodeSchema, { cart: cartId });
  if (codes.length)
    await tx.insertMany(
      CartDiscountCodeSchema,
      codes.map((code, position) => ({ cart: cartId, code, position })),
    );
}

/** Count one use of a code if it may still be used; false when it ran out, expired or was switched off. */
export async function claimDiscountCode(tx: EntityManager, code: string): Promise<boolean> {
  // Raw: a conditional update, so concurrent checkouts can never use a code more often than its limit.
  const claimed = await tx.execute<{ affectedRows: number }>(
    `update discount_code set usage_count = usage_count + 1, updated_at = now()
      where code = ? and active and (expires_at is null or expires_at > now()) and (usage_limit is null or usage_count < usage_limit)`,
    [code],
    'run',
  );
  return claimed.affectedRows > 0;
}

/** Give back one use of each code (a checkout that failed). */
export async function releaseDiscountCodes(tx: EntityManager, codes: readonly string[]): Promise<void> {
  // Raw: the new count is computed from the row's own value, never below zero.
  await tx.execute('update discount_code set usage_count = greatest(usage_count - 1, 0), updated_at = now() where code in (?)', [codes]);
}
