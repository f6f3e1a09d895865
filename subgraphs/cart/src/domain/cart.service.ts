import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  hasAdminRole,
  isUuid,
  signOrderAccessToken,
  transaction,
  verifyOrderAccessToken,
  type Identity,
  type Logger,
  type Transaction,
} from '@shop/platform';
import { findActiveCartId, insertCustomerCartIfNone, insertGuestCart } from '../data/cart.repository.ts';
import { countCartCreated } from './cart-metrics.ts';
import { findCheckout } from '../data/checkout.repository.ts';
import { canAccessCart } from './cart-access.ts';
import { loadCartView, type CartPricing, type CartView } from './cart-view.ts';
import type { CartMutationDeps, CartResult } from './cart-mutation.ts';
import { addLines, removeAllLines, removeLines, updateLines, type LineInput } from './cart-lines.ts';
import { updateAttributes, updateNote } from './cart-note.ts';
import { catalogNeededForNewProduct, catalogOrSnapshot } from './catalog-snapshot.ts';
import type { ProductLookup } from './catalog-snapshot.ts';
import { updateDiscountCodes } from './cart-details.ts';
import { selectDeliveryOption, updateBuyerIdentity, type BuyerIdentityInput } from './cart-buyer.ts';
import { mergeGuestCart } from './cart-merge.ts';
import { checkout, type CheckoutResult, type CheckoutView } from './cart-checkout.ts';
import type { MergeStrategy } from './cart-rules.ts';
import type { CartStatusMove } from './cart-fate.ts';

export interface CartPolicy extends CartPricing {
  currency: string;
  guestTtlHours: number;
  customerTtlHours: number;
  /** How recently the catalog must have confirmed every line for a checkout without the catalog. */
  snapshotMaxAgeSeconds: number;
  /** Signs the order access token a checkout hands its buyer (ORDER_ACCESS_TOKEN_SECRET). */
  orderAccessTokenSecret: string;
}

/** Where cart copies live besides Postgres (Redis); a no-op cache is valid. */
export interface CartViewCache {
  readThrough(id: string, load: () => Promise<CartView | null>): Promise<CartView | null>;
  put(view: CartView): Promise<void>;
  /** Refuse copies of this cart for a while (or those up to `version`): the next reads go to Postgres. */
  invalidate(id: string, version?: number): Promise<void>;
}

export interface CartServiceDeps {
  /** The request's (or the background message's) EntityManager; transactions fork from it. */
  em: EntityManager;
  policy: CartPolicy;
  cache: CartViewCache;
  /** Tell subscribers a cart changed (after the commit). Never throws. */
  publishChanged: (change: { cartId: string; version: number }) => Promise<void>;
  lookup: ProductLookup;
  /** Wake the outbox relay after a commit that wrote events. */
  notifyOutbox: () => void;
  log?: Logger;
  /**
   * Where changes are written. Default: a transaction of their own. An event consumer passes its
   * inbox unit of work, so the change and the inbox row commit together.
   */
  transaction?: Transaction;
}

/** 144 random bits, URL-safe: unguessable, so a guest cart's id can act as its access key. */
export const newCartId = () => randomBytes(18).toString('base64url');

/** Cart use-cases; no GraphQL here. Reads go through the cache, writes through mutateCart. */
export class CartService {
  private readonly deps: CartServiceDeps;
  private readonly mutation: CartMutationDeps & { lookup: ProductLookup };
  constructor(deps: CartServiceDeps) {
    this.deps = deps;
    this.mutation = {
      em: deps.em,
      lookup: deps.lookup,
      expiresAt: (owned) => this.expiresAt(owned),
      current: (id) => this.read(id),
      pricing: {
        defaultCountry: deps.policy.defaultCountry,
        pricesIncludeTax: deps.policy.pricesIncludeTax,
        pricingStamp: deps.policy.pricingStamp,
      },
      transaction: deps.transaction ?? ((work) => transaction(deps.em, work, { log: deps.log, outbox: { notify: deps.notifyOutbox } })),
      store: async (view) => {
        await deps.cache.put(view);
        await deps.publishChanged({ cartId: view.id, version: view.version });
      },
      refresh: async (id) => {
        let view: CartView | null;
        try {
          view = await loadCartView(deps.em, id, this.mutation.pricing);
        } catch (error) {
          // Committed but not re-read (Postgres lost just after the commit): fence the cached copy,
          // which is older than the commit, so reads go to Postgres instead of serving it.
          await deps.cache.invalidate(id);
          throw error;
        }
        if (view) await this.mutation.store(view);
        return view;
      },
    };
  }

  private expiresAt(ownedByCustomer: boolean): Date {
    const hours = ownedByCustomer ? this.deps.policy.customerTtlHours : this.deps.policy.guestTtlHours;
    return new Date(Date.now() + hours * 3_600_000);
  }

  private read(id: string): Promise<CartView | null> {
    return this.deps.cache.readThrough(id, () => loadCartView(this.deps.em, id, this.mutation.pricing));
  }

  /** A cart the caller may see; null both when it does not exist and when it is someone else's. */
  async view(id: string, identity: Identity): Promise<CartView | null> {
    const cart = await this.read(id);
    return cart && canAccessCart(cart, identity) ? cart : null;
  }

  /** Guests get a new cart; a customer gets their active cart (created if there is none). */
  async create(identity: Identity): Promise<CartView> {
    if (identity.sub) return (await this.activeCartOf(identity.sub))!;
    return (await this.mutation.refresh(await this.insertGuestCart()))!;
  }

  /**
   * cartCreate with lines. A guest's new cart is inserted by the transaction that adds them: no
   * empty cart is written, locked and read first (two statements fewer), and nobody can be watching
   * a cart whose id has not been handed out yet. Refused lines still leave the new, empty cart. A
   * customer's lines go to their active cart. The catalog is asked first (the request's loader
   * keeps the answer for the lines).
   */
  async createWithLines(identity: Identity, lines: readonly LineInput[]): Promise<{ id: string; result: CartResult }> {
    await this.catalogForNewCart(lines.flatMap((l) => l.merchandiseId ?? l.productId ?? []));
    if (identity.sub) {
      const id = (await this.activeCartOf(identity.sub)).id;
      return { id, result: await this.addLines(id, identity, lines) };
    }
    const id = newCartId();
    const { currency } = this.deps.policy;
    const expiresAt = this.expiresAt(false);
    const result = await addLines(this.mutation, id, identity, lines, null, {
      // Stored at version 2, as an empty insert and the lines' mutation left it; the mutation sees
      // the cart as before it (version 1), as lockAndTouchCart answers.
      insert: async (tx) => ({ ...(await insertGuestCart(tx, id, currency, expiresAt, 2)), version: 1 }),
      insertEmpty: async () => void (await insertGuestCart(this.deps.em, id, currency, expiresAt)),
    });
    countCartCreated('guest');
    return { id, result };
  }

  /** A new cart has no snapshot to price from: without the catalog no cart is made (no empty orphan). */
  private async catalogForNewCart(variantIds: readonly string[]): Promise<void> {
    // (Malformed ids are left to addLines, which answers them as UNKNOWN_PRODUCT.)
    const wellFormed = variantIds.filter(isUuid);
    if (wellFormed.length && !(await catalogOrSnapshot(this.mutation.lookup, wellFormed))) throw catalogNeededForNewProduct();
  }

  private async insertGuestCart(): Promise<string> {
    const id = newCartId();
    await insertGuestCart(this.deps.em, id, this.deps.policy.currency, this.expiresAt(false));
    countCartCreated('guest');
    return id;
  }

  /**
   * The customer's active cart, created on first use. Reads first (the common case writes
   * nothing); creation is race-free: an upsert on a partial unique index.
   */
  async activeCartOf(customerId: string): Promise<CartView> {
    const { em } = this.deps;
    let id = await findActiveCartId(em, customerId);
    if (!id) {
      const fresh = newCartId();
      await insertCustomerCartIfNone(em, fresh, customerId, this.deps.policy.currency, this.expiresAt(true));
      id = (await findActiveCartId(em, customerId))!;
      // Another request may have created it first (the upsert then inserted nothing).
      if (id === fresh) countCartCreated('customer');
    }
    return (await this.read(id))!;
  }

  addLines(cartId: string, identity: Identity, lines: readonly LineInput[], expectedVersion?: number | null): Promise<CartResult> {
    return addLines(this.mutation, cartId, identity, lines, expectedVersion);
  }

  updateLines(
    cartId: string,
    identity: Identity,
    lines: ReadonlyArray<{ id: string; quantity: number }>,
    expectedVersion?: number | null,
  ): Promise<CartResult> {
    return updateLines(this.mutation, cartId, identity, lines, expectedVersion);
  }

  removeLines(cartId: string, identity: Identity, lineIds: readonly string[], expectedVersion?: number | null): Promise<CartResult> {
    return removeLines(this.mutation, cartId, identity, lineIds, expectedVersion);
  }

  removeAllLines(cartId: string, identity: Identity, expectedVersion?: number | null): Promise<CartResult> {
    return removeAllLines(this.mutation, cartId, identity, expectedVersion);
  }

  updateNote(cartId: string, identity: Identity, note: string, expectedVersion?: number | null): Promise<CartResult> {
    return updateNote(this.mutation, cartId, identity, note, expectedVersion);
  }

  updateAttributes(
    cartId: string,
    identity: Identity,
    attributes: ReadonlyArray<{ key: string; value?: string | null }>,
    expectedVersion?: number | null,
  ): Promise<CartResult> {
    return updateAttributes(this.mutation, cartId, identity, attributes, expectedVersion);
  }

  updateDiscountCodes(cartId: string, identity: Identity, codes: readonly string[], expectedVersion?: number | null): Promise<CartResult> {
    return updateDiscountCodes(this.mutation, cartId, identity, codes, expectedVersion);
  }

  updateBuyerIdentity(cartId: string, identity: Identity, input: BuyerIdentityInput, expectedVersion?: number | null): Promise<CartResult> {
    return updateBuyerIdentity(this.mutation, cartId, identity, input, expectedVersion);
  }

  selectDeliveryOption(cartId: string, identity: Identity, handle: string, expectedVersion?: number | null): Promise<CartResult> {
    return selectDeliveryOption(this.mutation, cartId, identity, handle, expectedVersion);
  }

  merge(identity: Identity, guestCartId: string, strategy: MergeStrategy): Promise<CartResult> {
    return mergeGuestCart({ ...this.mutation, activeCartOf: (customerId) => this.activeCartOf(customerId) }, identity, guestCartId, strategy);
  }

  /**
   * Check out; a started checkout comes with its order access token (the checkout id is the order's
   * id), which lets the buyer, signed in or not, read and follow that one order. Signed, not stored:
   * a replay with the same idempotency key answers the same token.
   */
  async checkout(cartId: string, identity: Identity, input: unknown): Promise<CheckoutResult & { orderAccessToken: string | null }> {
    const result = await checkout({ ...this.mutation, snapshotMaxAgeSeconds: this.deps.policy.snapshotMaxAgeSeconds }, cartId, identity, input);
    const orderAccessToken = result.checkout ? signOrderAccessToken(this.deps.policy.orderAccessTokenSecret, result.checkout.id) : null;
    return { ...result, orderAccessToken };
  }

  /**
   * A checkout its signed-in buyer or an admin may see, and whoever holds its order access token.
   * A guest checkout only with its token: its id is the order's, which is no secret, and the
   * checkout leads to the guest cart (its id is the cart's capability) and the buyer's contact
   * details on it.
   */
  async findCheckout(id: string, identity: Identity, orderAccessToken: string | null = null): Promise<CheckoutView | null> {
    if (!isUuid(id)) return null;
    const found = await findCheckout(this.deps.em, id);
    if (!found) return null;
    const customerId = found.customerId ?? null;
    const visible =
      verifyOrderAccessToken(this.deps.policy.orderAccessTokenSecret, found.id, orderAccessToken) ||
      hasAdminRole(identity) ||
      (customerId !== null && canAccessCart({ customerId }, identity));
    return visible ? { id: found.id, cartId: found.cartId, customerId, status: found.status } : null;
  }

  /** After a background change (order status, expiry): fresh copy to the cache and subscribers. */
  refresh(cartId: string): Promise<CartView | null> {
    return this.mutation.refresh(cartId);
  }

  /**
   * After a committed change of the status alone (the saga's CHECKED_OUT): the cached copy of the
   * version before, with the new status, version and time, is the fresh copy (status changes nothing
   * else in a view) and saves reading the whole cart again. Without that copy the cached one is
   * dropped (the next read fills from Postgres). Subscribers are told either way.
   */
  async refreshStatus(cartId: string, move: CartStatusMove): Promise<void> {
    const { cache } = this.deps;
    const before = await cache.readThrough(cartId, async () => null);
    if (before && before.version === move.version - 1) {
      return this.mutation.store({ ...before, status: move.status, version: move.version, updatedAt: new Date(move.updatedAt).toISOString() });
    }
    await cache.invalidate(cartId, move.version);
    await this.deps.publishChanged({ cartId, version: move.version });
  }
}
