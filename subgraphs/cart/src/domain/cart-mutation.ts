import type { EntityManager } from '@mikro-orm/postgresql';
import { ForbiddenError, userError, type Identity, type Transaction, type UnitOfWork, type UserError } from '@shop/platform';
import { lockAndTouchCart, type LockedCart } from '../data/cart.repository.ts';
import { canAccessCart } from './cart-access.ts';
import { cartStatusPhrase } from './cart-rules.ts';
import type { CartPricing, CartView } from './cart-view.ts';

export interface CartWarning {
  code: 'QUANTITY_CLAMPED' | 'DISCOUNT_NOT_APPLICABLE' | 'PRODUCT_UNAVAILABLE' | 'DELIVERY_OPTION_CHANGED';
  message: string;
  target: string | null;
}

/** What every cart mutation returns: the cart as committed (or as it is, when nothing changed). */
export interface CartResult {
  cart: CartView | null;
  userErrors: UserError[];
  warnings: CartWarning[];
}

export type { LockedCart };

/** Thrown inside a transaction to roll it back and answer with userErrors instead. */
class Refused extends Error {
  readonly userErrors: UserError[];
  constructor(userErrors: UserError[]) {
    super('refused');
    this.userErrors = userErrors;
  }
}

export const refuse = (...userErrors: UserError[]): never => {
  throw new Refused(userErrors);
};

export interface CartMutationDeps {
  em: EntityManager;
  /** The cart's idle expiry from now (a customer's cart lives longer than a guest's). */
  expiresAt: (ownedByCustomer: boolean) => Date;
  /** The cart's unit of work: one transaction, after-commit steps, the outbox woken after a checkout. */
  transaction: Transaction;
  /** Fresh view into the cache, cart-changed message out (after a commit). Returns the fresh view. */
  refresh: (cartId: string) => Promise<CartView | null>;
  /** A fresh view at hand after a commit (no read): into the cache, cart-changed message out. */
  store: (view: CartView) => Promise<void>;
  /** Current view without changes (cache first). */
  current: (cartId: string) => Promise<CartView | null>;
  /** The store's settings every cart is priced with (default country, tax-inclusive prices). */
  pricing: CartPricing;
}

/**
 * Registers the refresh of a changed cart for after the commit; the returned function answers with
 * the fresh copy (or reads it again when the refresh failed: that failure is only logged).
 */
export function refreshAfterCommit(deps: CartMutationDeps, afterCommit: UnitOfWork['afterCommit'], cartId: string): () => Promise<CartView | null> {
  let fresh: CartView | null | undefined;
  afterCommit(async () => void (fresh = await deps.refresh(cartId)));
  return async () => (fresh === undefined ? deps.current(cartId) : fresh);
}

/**
 * A mutation with nothing to do (an empty list of lines): no transaction, no version bump, no
 * cart-changed message; the cart as it is, to whoever may see it (others: FORBIDDEN, as always).
 */
export async function unchanged(deps: CartMutationDeps, cartId: string, identity: Identity): Promise<CartResult> {
  const cart = await deps.current(cartId);
  if (!cart || !canAccessCart(cart, identity)) throw new ForbiddenError('Cart not found or not yours');
  return { cart, userErrors: [], warnings: [] };
}

/**
 * A guest's cart that does not exist yet (cartCreate with lines): inserted by the mutation's
 * transaction instead of locked; a refused mutation still leaves the new, empty cart.
 */
export interface NewCart {
  insert: (tx: EntityManager) => Promise<LockedCart>;
  insertEmpty: () => Promise<void>;
}

/**
 * The frame of every cart mutation: one transaction that locks the cart row (so concurrent
 * changes apply one after another and none is lost) while bumping its version by one and renewing
 * its expiry, checks access, status and expected version, and runs `work`. Not the caller's cart,
 * or no such cart: FORBIDDEN, the same answer for both so it gives no hint. After the commit the
 * fresh copy goes to the cache and subscribers.
 */
export async function mutateCart(
  deps: CartMutationDeps,
  cartId: string,
  identity: Identity,
  expectedVersion: number | null | undefined,
  work: (tx: EntityManager, cart: LockedCart) => Promise<CartWarning[] | void>,
  newCart?: NewCart,
): Promise<CartResult> {
  let warnings: CartWarning[] = [];
  let answer: () => Promise<CartView | null>;
  try {
    answer = await deps.transaction(async ({ em: tx, afterCommit }) => {
      // Locked and touched (version + 1, new expiry) in one statement, or a new cart inserted; a refusal below rolls it back.
      const cart = newCart
        ? await newCart.insert(tx)
        : await lockAndTouchCart(tx, cartId, { guest: deps.expiresAt(false), customer: deps.expiresAt(true) });
      if (!cart || !canAccessCart({ customerId: cart.customerId }, identity)) throw new ForbiddenError('Cart not found or not yours');
      if (cart.status !== 'ACTIVE') refuse(userError('CART_NOT_ACTIVE', `${cartStatusPhrase(cart.status)} and can no longer change`, ['cartId']));
      if (expectedVersion != null && expectedVersion !== cart.version) {
        // The payload carries the current cart (and its version) to reload from.
        refuse(userError('CONFLICT', 'Your cart was changed elsewhere (another tab or device); reload it and try again', ['expectedVersion']));
      }
      warnings = (await work(tx, cart)) ?? [];
      return refreshAfterCommit(deps, afterCommit, cartId);
    });
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    if (newCart) await newCart.insertEmpty();
    return { cart: await deps.current(cartId), userErrors: error.userErrors, warnings: [] };
  }
  return { cart: await answer(), userErrors: [], warnings };
}
