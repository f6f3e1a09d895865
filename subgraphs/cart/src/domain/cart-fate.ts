import type { EntityManager } from '@mikro-orm/postgresql';
import type { OrderStatus, OrderStatusChanged } from '@shop/platform';
import type { CartLine, CartStatus } from '../data/cart.entity.ts';
import {
  anyCartDiffersOnVariant,
  bumpVersions,
  expireIdleCarts as expireCarts,
  lockCart,
  lockCartsHoldingVariant,
  reopenCart,
  setVariantAvailability,
  unconfirmRepricedLines,
} from '../data/cart.repository.ts';
import { copyOfLine, insertLine, linesOf, setVariantQuantity } from '../data/cart-line.repository.ts';
import { mergeCarts } from './cart-rules.ts';
import { completeCheckout, lockCheckout, setCheckoutStatus } from '../data/checkout.repository.ts';
import { recordCheckoutEnded } from './cart-metrics.ts';
import { catalogOrSnapshot, type ProductLookup } from './catalog-snapshot.ts';
import { releaseDiscountCodes } from '../data/discount.repository.ts';
import { releasePromotionUsages } from '../data/promotion-usage.repository.ts';

/** The statuses that change a cart (see applyOrderStatus); the cart's consumer skips the others without a transaction. */
export const CART_FOLLOWS = ['CONFIRMED', 'REJECTED', 'PAYMENT_FAILED', 'CANCELLED'] as const satisfies readonly OrderStatus[];

/**
 * The cart follows its order: CONFIRMED → cart CHECKED_OUT, checkout COMPLETED; REJECTED or
 * PAYMENT_FAILED → cart back to ACTIVE, checkout FAILED, discount and promotion usage given back.
 * When its customer has started another cart meanwhile, the failed one is closed (reopenCart) and
 * its lines move into the other (moveLines). Runs in the
 * inbox transaction, so a redelivered event changes nothing twice; a checkout that already ended
 * is left alone. Returns the cart id when the cart changed.
 */
export async function applyOrderStatus(tx: EntityManager, event: OrderStatusChanged): Promise<string | null> {
  return (await followOrderStatus(tx, event))?.cartId ?? null;
}

/** A change of the cart's status alone: what a cached copy of the version before needs to be current. */
export interface CartStatusMove {
  status: CartStatus;
  version: number;
  updatedAt: Date | string;
}

/**
 * applyOrderStatus, telling also when only the cart's status moved (`statusOnly`; else the cart must
 * be read again) and which other cart changed with it (`receiver`: the one a closed cart's lines moved to).
 */
export async function followOrderStatus(
  tx: EntityManager,
  event: OrderStatusChanged,
): Promise<{ cartId: string; statusOnly: CartStatusMove | null; receiver?: string } | null> {
  if (event.status === 'CONFIRMED') {
    const done = await completeCheckout(tx, event.orderId);
    if (!done) return null;
    recordCheckoutEnded(tx, done.createdAt, 'completed');
    return { cartId: done.cartId, statusOnly: done.moved && { status: 'CHECKED_OUT', ...done.moved } };
  }
  const checkout = await lockCheckout(tx, event.orderId);
  if (!checkout || checkout.status !== 'PENDING') return null;
  if (event.status === 'REJECTED' || event.status === 'PAYMENT_FAILED' || event.status === 'CANCELLED') {
    await setCheckoutStatus(tx, checkout.id, 'FAILED');
    recordCheckoutEnded(tx, checkout.createdAt, 'failed');
    // Cart before discount codes: the order a checkout takes them in.
    const reopened = await reopenCart(tx, checkout.cartId);
    const receiver = reopened?.activeCartId ? await moveLines(tx, checkout.cartId, reopened.activeCartId) : null;
    if (checkout.discountCodes.length) await releaseDiscountCodes(tx, checkout.discountCodes);
    await releasePromotionUsages(tx, checkout.id);
    // Discount codes given back change how the cart prices: read it again.
    return { cartId: checkout.cartId, statusOnly: null, ...(receiver ? { receiver } : {}) };
  }
  return null;
}

/**
 * A failed checkout's cart that reopenCart closed because its customer has another active cart: its
 * lines move there, so nothing the shopper chose is lost. Quantities of the same variant add up
 * within the cart's limits (999 a line, 250 lines: mergeCarts, as a sign-in merge); a moved line
 * keeps its snapshot (price, availability, when the catalog last confirmed it), and the next
 * checkout checks it against the catalog like any other. Both carts are locked, the closed one
 * first (reopenCart's update); no other transaction locks the two. Returns the receiving cart,
 * null when it is no longer ACTIVE once locked (checked out meanwhile).
 */
async function moveLines(tx: EntityManager, closedCartId: string, activeCartId: string): Promise<string | null> {
  const receiver = await lockCart(tx, activeCartId);
  if (!receiver || receiver.status !== 'ACTIVE') return null;
  const rows = await linesOf(tx, [closedCartId, receiver.id]);
  const linesIn = (cartId: string) => new Map(rows.filter((r) => r.cart.id === cartId).map((r) => [r.variantId, r]));
  const quantities = (lines: Map<string, CartLine>) => new Map([...lines].map(([variantId, line]) => [variantId, line.quantity]));
  const [held, moving] = [linesIn(receiver.id), linesIn(closedCartId)];
  for (const [variantId, quantity] of mergeCarts(quantities(held), quantities(moving), 'MERGE').quantities) {
    const line = held.get(variantId);
    if (line?.quantity === quantity) continue;
    if (line) await setVariantQuantity(tx, receiver.id, variantId, quantity);
    else await insertLine(tx, copyOfLine(moving.get(variantId)!, receiver.id, quantity));
  }
  await bumpVersions(tx, [receiver.id]);
  return receiver.id;
}

/**
 * Idle carts expire: ACTIVE carts past expires_at become EXPIRED (read-only). Claims a batch with
 * SKIP LOCKED so several cart processes can sweep side by side. Returns the ids it expired.
 */
export function expireIdleCarts(em: EntityManager, limit = 500): Promise<string[]> {
  return expireCarts(em, limit);
}

export type ProductChange = { variantId: string; available: boolean; priceAmount: number; discontinued?: boolean };

/**
 * What a variant's figures (a product.changed event's, or the catalog's answer) mean for cart lines.
 * `available` false: deleted, no longer sold (not merely out of stock).
 */
export function productChangeOf(variantId: string, figures: { available: boolean; availableQuantity: number; priceAmount: number }): ProductChange {
  return {
    variantId,
    available: figures.available && figures.availableQuantity > 0,
    priceAmount: figures.priceAmount,
    discontinued: !figures.available,
  };
}

/**
 * What a product.changed that concerns a cart line stands for: the variant as the catalog has it
 * now. Two changes of one variant close together can reach two cart processes in either order, so
 * the event names the variant and the catalog's current answer is what is applied — an older event
 * handled last applies the newer state, not its own. Without the catalog (or for an id it no longer
 * answers as one variant), the event's own figures, as before.
 */
export async function currentProductChange(lookup: ProductLookup, change: ProductChange): Promise<ProductChange> {
  const item = (await catalogOrSnapshot(lookup, [change.variantId]))?.get(change.variantId);
  return item && !item.variantRequired ? productChangeOf(change.variantId, item) : change;
}

function productChangeTarget(change: ProductChange) {
  const discontinued = change.discontinued ?? false;
  return { variantId: change.variantId, priceAmount: change.priceAmount, discontinued, available: change.available && !discontinued };
}

/**
 * Whether applyProductChange would change anything now: read-only, no lock. Most product changes
 * (a stock count moved by a reservation) touch no active cart line, and then need no transaction.
 */
export async function productChangeMatters(em: EntityManager, change: ProductChange): Promise<boolean> {
  const { variantId, priceAmount, available, discontinued } = productChangeTarget(change);
  return anyCartDiffersOnVariant(em, variantId, available, priceAmount, discontinued);
}

/**
 * Follow the catalog (product.changed): a product that stopped being sold (or ran out) shows as
 * `available: false` in every active cart that holds it, and available again when it comes back;
 * `discontinued` (deleted from the catalog) lets a checkout without the catalog say NO_LONGER_SOLD.
 * A line whose price the catalog changed keeps the price the shopper saw (checkout answers
 * PRICE_CHANGED) but is no longer confirmed, so a checkout without the catalog cannot sell it at
 * the old price. Returns the carts whose view changed (versions bumped so subscribers see it).
 */
export async function applyProductChange(tx: EntityManager, change: ProductChange): Promise<string[]> {
  const { variantId, priceAmount, available, discontinued } = productChangeTarget(change);
  // Carts first, in id order, then their lines: the order every cart mutation locks in (a
  // checkout holds its cart and then writes its lines), so the two can never deadlock.
  const carts = await lockCartsHoldingVariant(tx, variantId, available, priceAmount, discontinued);
  if (carts.length === 0) return [];
  await unconfirmRepricedLines(tx, carts, variantId, priceAmount);
  const cartIds = await setVariantAvailability(tx, carts, variantId, available, discontinued);
  await bumpVersions(tx, cartIds);
  return cartIds;
}
