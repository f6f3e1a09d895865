import type { EntityManager } from '@mikro-orm/postgresql';
import { confirmLines, linesForCheckout, repriceLine, setLineAvailable } from '../data/cart-line.repository.ts';
import { userError, type ProductLookupItem, type UserError } from '@shop/platform';

export interface LineCheck {
  errors: UserError[];
  /** A line got the catalog's new price (the shopper must see it before paying it). */
  repriced: boolean;
  /** Without the catalog: a line the catalog has not confirmed recently (only the catalog can vouch for it). */
  unconfirmed: boolean;
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
  const rows = await linesForCheckout(tx, cartId, maxAgeSeconds);
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
    const product = products.get(line.variantId);
    if (!product || !product.available || product.variantRequired || product.availableQuantity < line.quantity) {
      const left = product?.available && !product.variantRequired ? product.availableQuantity : 0;
      check.errors.push(userError('OUT_OF_STOCK', `${line.name}: only ${left} available`, ['lines', line.id]));
      await setLineAvailable(tx, line.id, left > 0);
    } else if (product.priceAmount !== line.unitPriceAmount) {
      check.errors.push(
        userError('PRICE_CHANGED', `${line.name} now costs ${product.priceAmount} (was ${line.unitPriceAmount}) minor units`, ['lines', line.id]),
      );
      await repriceLine(tx, line.id, product);
      check.repriced = true;
    } else {
      confirmed.push(line.id);
    }
  }
  await confirmLines(tx, confirmed);
  return check;
}
