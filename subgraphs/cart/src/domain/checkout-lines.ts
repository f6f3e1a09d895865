import type { EntityManager } from '@mikro-orm/postgresql';
import { userError, type ProductLookupItem, type UserError } from '@shop/platform';

export interface LineCheck {
  errors: UserError[];
  /** A line got the catalog's new price (the shopper must see it before paying it). */
  repriced: boolean;
  /** Without the catalog: a line the catalog has not confirmed recently (only the catalog can vouch for it). */
  unconfirmed: boolean;
}

interface LineRow {
  id: string;
  product_id: string;
  quantity: number;
  unit_price_amount: number;
  name: string;
  available: boolean;
  /** priced_at within the snapshot's maximum age. */
  confirmed: boolean;
}

/**
 * Every line of a cart about to be checked out, inside the checkout's transaction (cart locked).
 * With the catalog's answer: too little stock is OUT_OF_STOCK (the line marked unavailable), a
 * changed price is PRICE_CHANGED and written to the line; lines that match are confirmed now.
 * Without it (`products` null): each line's snapshot stands in for the catalog — a line the cart
 * knows is unavailable is OUT_OF_STOCK, and every other line must have been confirmed by the
 * catalog within `maxAgeSeconds` (product.changed events revoke a line whose price changed), so the
 * price charged is the price the shopper was shown; the order's stock reservation re-checks stock.
 */
export async function checkLines(
  tx: EntityManager,
  cartId: string,
  products: Map<string, ProductLookupItem> | null,
  maxAgeSeconds: number,
): Promise<LineCheck> {
  const rows = await tx.execute<LineRow[]>(
    `select id, product_id, quantity, unit_price_amount, name, available,
            coalesce(priced_at >= now() - make_interval(secs => ?), false) as confirmed
       from cart_line where cart_id = ? order by created_at, id`,
    [maxAgeSeconds, cartId],
  );
  const check: LineCheck = { errors: [], repriced: false, unconfirmed: false };
  if (rows.length === 0) check.errors.push(userError('INVALID', 'The cart is empty', ['cartId']));
  if (!products) {
    for (const line of rows) {
      if (!line.available) check.errors.push(userError('OUT_OF_STOCK', `${line.name}: not available`, ['lines', line.id]));
      else if (!line.confirmed) check.unconfirmed = true;
    }
    return check;
  }
  const confirmed: string[] = [];
  for (const line of rows) {
    const product = products.get(line.product_id);
    if (!product || !product.available || product.availableQuantity < line.quantity) {
      const left = product?.available ? product.availableQuantity : 0;
      check.errors.push(userError('OUT_OF_STOCK', `${line.name}: only ${left} available`, ['lines', line.id]));
      await tx.execute('update cart_line set available = ? where id = ?', [left > 0, line.id]);
    } else if (product.priceAmount !== line.unit_price_amount) {
      check.errors.push(
        userError('PRICE_CHANGED', `${line.name} now costs ${product.priceAmount} (was ${line.unit_price_amount}) minor units`, ['lines', line.id]),
      );
      await tx.execute('update cart_line set unit_price_amount = ?, name = ?, priced_at = now(), updated_at = now() where id = ?', [
        product.priceAmount,
        product.name,
        line.id,
      ]);
      check.repriced = true;
    } else {
      confirmed.push(line.id);
    }
  }
  if (confirmed.length) await tx.execute('update cart_line set priced_at = now() where id in (?)', [confirmed]);
  return check;
}
