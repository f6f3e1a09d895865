import { LockMode, raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CartDiscountCodeSchema, CartLineSchema, CartSchema, type Cart, type CartLine, type CartStatus } from './cart.entity.ts';
import { DiscountCodeSchema, type DiscountCode } from './discount-code.entity.ts';
import { ShippingCountrySchema, type ShippingCountry } from './shipping-country.entity.ts';

/** Read past the identity map: the rows as committed (or as written in `tx`), never an older copy this manager holds. */
const FRESH = { disableIdentityMap: true } as const;

/** What a cart mutation reads from its locked cart. */
export type LockedCart = Pick<Cart, 'id' | 'status' | 'version'> & { customerId: string | null };

/** Lock a cart row for the rest of the transaction: changes to one cart are applied one at a time. */
export async function lockCart(tx: EntityManager, id: string): Promise<LockedCart | null> {
  // `for update` on an unmanaged copy (FRESH): a managed entity would be flushed again at commit.
  const fields = ['id', 'customerId', 'status', 'version'] as const;
  const cart = await tx.findOne(CartSchema, { id }, { fields, lockMode: LockMode.PESSIMISTIC_WRITE, ...FRESH });
  return cart && { id: cart.id, status: cart.status, version: cart.version, customerId: cart.customerId ?? null };
}

/** Everything a cart's view is computed from (domain/cart-view.ts turns it into the view). */
export interface CartState {
  cart: Cart;
  /** Oldest first. */
  lines: CartLine[];
  /** The cart's codes in the shopper's order, each with its definition (null: no such code any more). */
  codes: Array<{ code: string; definition: DiscountCode | null }>;
  country: ShippingCountry | null;
}

/**
 * One cart's state: small queries by primary key or index, read FRESH so a mutation's re-read
 * (in its transaction or after its commit) sees what it wrote.
 */
export async function readCartState(em: EntityManager, id: string): Promise<CartState | null> {
  const cart = await em.findOne(CartSchema, { id }, FRESH);
  if (!cart) return null;
  const lines = await em.find(CartLineSchema, { cart: id }, { orderBy: { createdAt: 'asc', id: 'asc' }, ...FRESH });
  const applied = await em.find(CartDiscountCodeSchema, { cart: id }, { orderBy: { position: 'asc' }, ...FRESH });
  const definitions = applied.length ? await em.find(DiscountCodeSchema, { code: { $in: applied.map((a) => a.code) } }, FRESH) : [];
  const country = cart.countryCode ? await em.findOne(ShippingCountrySchema, { countryCode: cart.countryCode }, FRESH) : null;
  const byCode = new Map(definitions.map((d) => [d.code, d]));
  return { cart, lines, codes: applied.map((a) => ({ code: a.code, definition: byCode.get(a.code) ?? null })), country };
}

/** Record a committed change: version + 1, fresh timestamps, idle expiry pushed forward. */
export async function touchCart(tx: EntityManager, id: string, expiresAt: Date): Promise<void> {
  await tx.execute('update cart set version = version + 1, updated_at = now(), expires_at = ? where id = ?', [expiresAt, id]);
}

/** Price and quantity of the cart's available lines (the subtotal discount minimums compare with). */
export function availableLineAmounts(tx: EntityManager, cartId: string): Promise<Array<Pick<CartLine, 'unitPriceAmount' | 'quantity'>>> {
  return tx.find(CartLineSchema, { cart: cartId, available: true }, { fields: ['unitPriceAmount', 'quantity'] });
}

/** Set the buyer's email and/or country; a field left undefined keeps its value. */
export async function setBuyer(tx: EntityManager, cartId: string, buyer: { email?: string | null; countryCode?: string | null }): Promise<void> {
  const data: Partial<Pick<Cart, 'email' | 'countryCode'>> = {};
  if (buyer.email !== undefined) data.email = buyer.email;
  if (buyer.countryCode !== undefined) data.countryCode = buyer.countryCode;
  if (Object.keys(data).length) await tx.nativeUpdate(CartSchema, { id: cartId }, data);
}

export async function setCartStatus(tx: EntityManager, id: string, status: CartStatus): Promise<void> {
  await tx.nativeUpdate(CartSchema, { id }, { status });
}

/** `from` → `to` as a committed change (version + 1); nothing when the cart is no longer `from`. */
export async function moveCartStatus(tx: EntityManager, id: string, from: CartStatus, to: CartStatus): Promise<void> {
  await tx.nativeUpdate(CartSchema, { id, status: from }, { status: to, version: raw('version + 1'), updatedAt: raw('now()') });
}

/** ACTIVE carts past their expiry become EXPIRED, a batch at a time; returns their ids. */
export async function expireIdleCarts(em: EntityManager, limit: number): Promise<string[]> {
  // Raw: claims the batch with `for update skip locked`, so several sweepers can run side by side.
  const rows = await em.execute<Array<{ id: string }>>(
    `update cart set status = 'EXPIRED', version = version + 1, updated_at = now()
      where id in (select id from cart where status = 'ACTIVE' and expires_at < now() order by expires_at limit ? for update skip locked)
      returning id`,
    [limit],
  );
  return rows.map((r) => r.id);
}

export async function insertGuestCart(em: EntityManager, id: string, currency: string, expiresAt: Date): Promise<void> {
  await em.insert(CartSchema, {
    id,
    customerId: null,
    status: 'ACTIVE',
    version: 1,
    currency,
    createdAt: raw('now()'),
    updatedAt: raw('now()'),
    expiresAt,
  });
}

export async function findActiveCartId(em: EntityManager, customerId: string): Promise<string | undefined> {
  return (await em.findOne(CartSchema, { customerId, status: 'ACTIVE' }, { fields: ['id'] }))?.id;
}

/** The customer's active cart unless they have one already (a concurrent request may have made it). */
export async function insertCustomerCartIfNone(em: EntityManager, id: string, customerId: string, currency: string, expiresAt: Date): Promise<void> {
  // Raw: `on conflict` on the partial unique index (one active cart per customer) makes creation race-free.
  await em.execute(
    `insert into cart (id, customer_id, status, version, currency, created_at, updated_at, expires_at)
     values (?, ?, 'ACTIVE', 1, ?, now(), now(), ?)
     on conflict (customer_id) where status = 'ACTIVE' and customer_id is not null do nothing`,
    [id, customerId, currency, expiresAt],
  );
}

/**
 * Lock the ACTIVE carts whose lines a product change affects: carts first, in id order, then their
 * lines — the order every cart mutation locks in (a checkout holds its cart and then writes its
 * lines), so the two can never deadlock. Returns their ids.
 */
export async function lockCartsHoldingProduct(tx: EntityManager, productId: string, available: boolean, priceAmount: number): Promise<string[]> {
  // Raw: `order by id for update` fixes the locking order.
  const carts = await tx.execute<Array<{ id: string }>>(
    `select c.id from cart c
      where c.status = 'ACTIVE' and exists (select 1 from cart_line l where l.cart_id = c.id and l.product_id = ?
                                              and (l.available <> ? or (l.priced_at is not null and l.unit_price_amount <> ?)))
      order by c.id for update`,
    [productId, available, priceAmount],
  );
  return carts.map((c) => c.id);
}

/** Lines of the product whose price the catalog changed are no longer confirmed. */
export async function unconfirmRepricedLines(tx: EntityManager, cartIds: readonly string[], productId: string, priceAmount: number): Promise<void> {
  await tx.nativeUpdate(
    CartLineSchema,
    { cart: { $in: [...cartIds] }, productId, pricedAt: { $ne: null }, unitPriceAmount: { $ne: priceAmount } },
    { pricedAt: null },
  );
}

/** The product's lines in these (ACTIVE) carts show `available`; returns the carts whose lines changed. */
export async function setProductAvailability(
  tx: EntityManager,
  cartIds: readonly string[],
  productId: string,
  available: boolean,
): Promise<string[]> {
  // Raw: an update joined to its cart's status, returning the carts it changed.
  const rows = await tx.execute<Array<{ cart_id: string }>>(
    `update cart_line l set available = ?, updated_at = now()
       from cart c
      where l.cart_id = c.id and c.id in (?) and c.status = 'ACTIVE' and l.product_id = ? and l.available <> ?
      returning l.cart_id`,
    [available, [...cartIds], productId, available],
  );
  return [...new Set(rows.map((r) => r.cart_id))];
}

/** A change made outside a cart mutation: version + 1 so subscribers see it. */
export async function bumpVersions(tx: EntityManager, cartIds: readonly string[]): Promise<void> {
  if (cartIds.length) await tx.nativeUpdate(CartSchema, { id: { $in: [...cartIds] } }, { version: raw('version + 1'), updatedAt: raw('now()') });
}

/** A guest cart merged into a customer's: read-only from now on. */
export async function expireCart(tx: EntityManager, id: string): Promise<void> {
  await tx.nativeUpdate(CartSchema, { id }, { status: 'EXPIRED', version: raw('version + 1'), updatedAt: raw('now()') });
}
