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

/** Every line of these carts (all columns). */
export function linesOf(tx: EntityManager, cartIds: readonly string[]): Promise<CartLine[]> {
  return tx.find(CartLineSchema, { cart: { $in: [...cartIds] } });
}

/** Write a line with the catalog's current price and name, confirmed now (insert, or replace the quantity). */
export async function upsertPricedLine(
  tx: EntityManager,
  cartId: string,
  product: { id: string; priceAmount: number; name: string },
  quantity: number,
): Promise<void> {
  // Raw: `on conflict (cart_id, product_id) do update`; clock_timestamp() keeps lines in the order they were added.
  await tx.execute(
    `insert into cart_line (id, cart_id, product_id, quantity, unit_price_amount, name, available, priced_at, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, true, now(), clock_timestamp(), now())
     on conflict (cart_id, product_id) do update
       set quantity = excluded.quantity, unit_price_amount = excluded.unit_price_amount, name = excluded.name, available = true,
           priced_at = now(), updated_at = now()`,
    [crypto.randomUUID(), cartId, product.id, quantity, product.priceAmount, product.name],
  );
}

/** A new line; clock_timestamp() keeps lines in the order they were added. */
export async function insertLine(
  tx: EntityManager,
  line: Pick<CartLine, 'productId' | 'quantity' | 'unitPriceAmount' | 'name' | 'available'> & { cartId: string; pricedAt: Date | null | 'now' },
): Promise<void> {
  const { cartId, pricedAt, ...rest } = line;
  await tx.insert(CartLineSchema, {
    ...rest,
    id: crypto.randomUUID(),
    cart: cartId,
    pricedAt: pricedAt === 'now' ? raw('now()') : pricedAt,
    createdAt: raw('clock_timestamp()'),
    updatedAt: raw('now()'),
  });
}

export async function setLineQuantity(tx: EntityManager, lineId: string, quantity: number): Promise<void> {
  await tx.nativeUpdate(CartLineSchema, { id: lineId }, { quantity, updatedAt: raw('now()') });
}

export async function setProductQuantity(tx: EntityManager, cartId: string, productId: string, quantity: number): Promise<void> {
  await tx.nativeUpdate(CartLineSchema, { cart: cartId, productId }, { quantity, updatedAt: raw('now()') });
}

/** The catalog no longer sells the product: the line stays, unavailable, with the quantity asked for. */
export async function setLineUnavailable(tx: EntityManager, lineId: string, quantity: number): Promise<void> {
  await tx.nativeUpdate(CartLineSchema, { id: lineId }, { quantity, available: false, updatedAt: raw('now()') });
}

export async function deleteLine(tx: EntityManager, lineId: string): Promise<void> {
  await tx.nativeDelete(CartLineSchema, { id: lineId });
}

/** These lines of the cart, or all of them when `lineIds` is undefined. */
export async function deleteLines(tx: EntityManager, cartId: string, lineIds?: readonly string[]): Promise<void> {
  await tx.nativeDelete(CartLineSchema, lineIds ? { cart: cartId, id: { $in: [...lineIds] } } : { cart: cartId });
}
