import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CartLineSchema, type CartLine } from './cart.entity.ts';

export function cartProductIds(em: EntityManager, cartId: string): Promise<string[]> {
  return em.find(CartLineSchema, { cart: cartId }, { fields: ['productId'] }).then((lines) => lines.map((l) => l.productId));
}

/** A line as checkout checks it; `confirmed`: the catalog confirmed its price within the maximum age. */
export type CheckoutLine = Pick<CartLine, 'id' | 'productId' | 'quantity' | 'unitPriceAmount' | 'name' | 'available'> & { confirmed: boolean };

export async function linesForCheckout(tx: EntityManager, cartId: string, maxAgeSeconds: number): Promise<CheckoutLine[]> {
  // Raw: the age is judged by the database clock, the one that wrote priced_at.
  const rows = await tx.execute<
    Array<{ id: string; product_id: string; quantity: number; unit_price_amount: number; name: string; available: boolean; confirmed: boolean }>
  >(
    `select id, product_id, quantity, unit_price_amount, name, available,
            coalesce(priced_at >= now() - make_interval(secs => ?), false) as confirmed
       from cart_line where cart_id = ? order by created_at, id`,
    [maxAgeSeconds, cartId],
  );
  return rows.map((r) => ({
    id: r.id,
    productId: r.product_id,
    quantity: r.quantity,
    unitPriceAmount: r.unit_price_amount,
    name: r.name,
    available: r.available,
    confirmed: r.confirmed,
  }));
}

export async function setLineAvailable(tx: EntityManager, lineId: string, available: boolean): Promise<void> {
  await tx.nativeUpdate(CartLineSchema, { id: lineId }, { available });
}

/** The catalog's new price and name, confirmed now. */
export async function repriceLine(tx: EntityManager, lineId: string, unitPriceAmount: number, name: string): Promise<void> {
  await tx.nativeUpdate(CartLineSchema, { id: lineId }, { unitPriceAmount, name, pricedAt: raw('now()'), updatedAt: raw('now()') });
}

/** The catalog has just confirmed these lines' price and name. */
export async function confirmLines(tx: EntityManager, lineIds: readonly string[]): Promise<void> {
  if (lineIds.length) await tx.nativeUpdate(CartLineSchema, { id: { $in: [...lineIds] } }, { pricedAt: raw('now()') });
}
