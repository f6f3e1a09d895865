import type { EntityManager } from '@mikro-orm/postgresql';
import { linesForCheckout, repriceLine, setLineAvailable, type CheckoutLine } from '../data/cart-line.repository.ts';
import { formatMoney, userError, type ProductLookupItem, type UserError } from '@shop/platform';
import { itemLabel } from './cart-rules.ts';

export interface LineCheck {
  errors: UserError[];
  /** A line got the catalog's new price (the shopper must see it before paying it). */
  repriced: boolean;
  /** Without the catalog: a line the catalog has not confirmed recently (only the catalog can vouch for it). */
  unconfirmed: boolean;
  /** The lines the catalog confirmed just now, for the caller to record (with the checkout's start, or alone). */
  confirmed: string[];
}

const label = (line: CheckoutLine) => itemLabel(line.name, line.variantTitle);
const at = (line: CheckoutLine) => ['lines', line.id];

/** The line's variant is gone from the catalog: it cannot be bought again, unlike a line out of stock. */
const noLongerSold = (line: CheckoutLine) =>
  userError('NO_LONGER_SOLD', `${label(line)} is no longer sold; remove it from your cart to check out`, at(line));

function outOfStock(line: CheckoutLine, left: number): UserError {
  const message = left <= 0 ? `${label(line)} is out of stock` : `Only ${left} of ${label(line)} ${left === 1 ? 'is' : 'are'} available`;
  return userError('OUT_OF_STOCK', message, at(line));
}

/**
 * Every line of a cart about to be checked out, inside the checkout's transaction (cart locked),
 * every problem at once. With the catalog's answer: a variant it no longer sells (deleted, or an id
 * that now names a product sold in several variants) is NO_LONGER_SOLD and too little stock
 * OUT_OF_STOCK (either way the line is marked unavailable); a changed price is PRICE_CHANGED and
 * written to the line; lines that match are confirmed now (`confirmed`). Without it (`products` null): each
 * line's snapshot stands in for the catalog — a line known to be no longer sold or unavailable is
 * refused the same way, and every other line must have been confirmed by the catalog within
 * `maxAgeSeconds` (product.changed events revoke a line whose price changed), so the price charged
 * is the price the shopper was shown; the order's stock reservation re-checks stock.
 */
const sameCategories = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((id, i) => id === b[i]);

export async function checkLines(
  tx: EntityManager,
  cartId: string,
  products: Map<string, ProductLookupItem> | null,
  maxAgeSeconds: number,
): Promise<LineCheck> {
  const rows = await linesForCheckout(tx, cartId, maxAgeSeconds);
  const check: LineCheck = { errors: [], repriced: false, unconfirmed: false, confirmed: [] };
  if (rows.length === 0) check.errors.push(userError('INVALID', 'Your cart is empty', ['cartId']));
  if (!products) {
    for (const line of rows) {
      if (line.discontinued) check.errors.push(noLongerSold(line));
      else if (!line.available) check.errors.push(outOfStock(line, 0));
      else if (!line.confirmed) check.unconfirmed = true;
    }
    return check;
  }
  for (const line of rows) {
    const product = products.get(line.variantId);
    if (!product || !product.available || product.variantRequired) {
      check.errors.push(noLongerSold(line));
      await setLineAvailable(tx, line.id, false, true);
    } else if (product.availableQuantity < line.quantity) {
      check.errors.push(outOfStock(line, product.availableQuantity));
      await setLineAvailable(tx, line.id, product.availableQuantity > 0);
    } else {
      // Shown unavailable (left out of the total) and sold again now: back in the total, so what is
      // ordered is what is charged (an expectedTotal it changes is refused as TOTAL_CHANGED).
      if (!line.available || line.discontinued) await setLineAvailable(tx, line.id, true);
      await confirmOrReprice(tx, line, product, check);
    }
  }
  return check;
}

/** A line the catalog sells in the quantity asked for: its price and categories as the catalog has them now. */
async function confirmOrReprice(tx: EntityManager, line: CheckoutLine, product: ProductLookupItem, check: LineCheck): Promise<void> {
  if (product.priceAmount !== line.unitPriceAmount) {
    const now = formatMoney(product.priceAmount, product.currency);
    const was = formatMoney(line.unitPriceAmount, product.currency);
    check.errors.push(userError('PRICE_CHANGED', `${label(line)} now costs ${now}, was ${was}`, at(line)));
    await repriceLine(tx, line.id, product);
    check.repriced = true;
  } else if (!sameCategories(product.categoryIds ?? [], line.categoryIds)) {
    // Moved to another category: the total is computed with the new ones (an expectedTotal it
    // changes is refused as TOTAL_CHANGED), so what targets a category is judged as the catalog is now.
    await repriceLine(tx, line.id, product);
  } else {
    check.confirmed.push(line.id);
  }
}
