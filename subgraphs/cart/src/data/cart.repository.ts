import { raw } from '@mikro-orm/core';
import { sql } from '@shop/platform';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CartLineSchema, CartSchema, type Cart, type CartLine, type CartStatus } from './cart.entity.ts';

/** What a cart mutation reads from its locked cart. */
export type LockedCart = Pick<Cart, 'id' | 'status' | 'version' | 'currency'> & { customerId: string | null };

const LOCKED_CART_SELECT = 'id, customer_id as "customerId", status, version, currency';

/** Lock a cart row for the rest of the transaction: changes to one cart are applied one at a time. */
export async function lockCart(tx: EntityManager, id: string): Promise<LockedCart | null> {
  const { rows } = await sql<LockedCart>(tx, `select ${LOCKED_CART_SELECT} from cart where id = $1 for update`, [id]);
  return rows[0] ?? null;
}

const BUYER_SELECT = `email, country_code as "countryCode", delivery_address as "deliveryAddress", delivery_method_handle as "deliveryMethodHandle",
            address_from_default as "addressFromDefault"`;

/**
 * lockCart that also answers the cart's buyer fields (readBuyer) in the same statement: only a
 * transaction holding this lock changes them, so the locked row's values are current.
 */
export async function lockCartWithBuyer(tx: EntityManager, id: string): Promise<(LockedCart & { buyer: BuyerState }) | null> {
  const { rows } = await sql<LockedCart & BuyerState>(tx, `select ${LOCKED_CART_SELECT}, ${BUYER_SELECT} from cart where id = $1 for update`, [id]);
  const row = rows[0];
  if (!row) return null;
  const { email, countryCode, deliveryAddress, deliveryMethodHandle, addressFromDefault, ...cart } = row;
  return { ...cart, buyer: { email, countryCode, deliveryAddress, deliveryMethodHandle, addressFromDefault } };
}

/**
 * Locks the cart row for a mutation and, in the same statement, bumps its version and renews its
 * idle expiry (by whether a customer owns it, as it was before the mutation). Answers the cart as
 * it was before: its version is the one a client's expectedVersion is compared with.
 */
export async function lockAndTouchCart(tx: EntityManager, id: string, expiry: { guest: Date; customer: Date }): Promise<LockedCart | null> {
  const { rows } = await sql<LockedCart>(
    tx,
    `update cart set version = version + 1, updated_at = now(), expires_at = case when customer_id is null then $2::timestamptz else $3::timestamptz end
      where id = $1 returning id, customer_id as "customerId", status, version - 1 as version, currency`,
    [id, expiry.guest, expiry.customer],
  );
  return rows[0] ?? null;
}

/** Record a committed change: version + 1, fresh timestamps, idle expiry pushed forward. */
export async function touchCart(tx: EntityManager, id: string, expiresAt: Date): Promise<void> {
  await sql(tx, 'update cart set version = version + 1, updated_at = now(), expires_at = $1 where id = $2', [expiresAt, id]);
}

/** Price and quantity of the cart's available lines (the subtotal discount minimums compare with). */
export function availableLineAmounts(tx: EntityManager, cartId: string): Promise<Array<Pick<CartLine, 'unitPriceAmount' | 'quantity'>>> {
  return tx.find(CartLineSchema, { cart: cartId, available: true }, { fields: ['unitPriceAmount', 'quantity'] });
}

/** What cartBuyerIdentityUpdate and a checkout write; a field left undefined keeps its value. */
export interface BuyerFields {
  email?: string | null;
  countryCode?: string | null;
  phone?: string | null;
  /** Stored as jsonb: a CartAddress. */
  deliveryAddress?: object | null;
  billingAddress?: object | null;
  addressFromDefault?: boolean;
  deliveryMethodHandle?: string | null;
}

export interface BuyerState {
  email: string | null;
  countryCode: string | null;
  /** jsonb as stored (a CartAddress). */
  deliveryAddress: unknown;
  deliveryMethodHandle: string | null;
  addressFromDefault: boolean;
}

/** The buyer fields a change of address is judged against (read in the cart's transaction). */
export async function readBuyer(tx: EntityManager, cartId: string): Promise<BuyerState> {
  const { rows } = await sql<BuyerState>(tx, `select ${BUYER_SELECT} from cart where id = $1`, [cartId]);
  return rows[0]!;
}

/** Set the buyer's fields; a field left undefined keeps its value. */
export async function setBuyer(tx: EntityManager, cartId: string, buyer: BuyerFields): Promise<void> {
  // Columns in a fixed order: each set of fields written is one text, prepared once.
  const set = (Object.keys(BUYER_COLUMNS) as Array<keyof BuyerFields>).filter((field) => buyer[field] !== undefined);
  if (set.length === 0) return;
  const assignments = set.map((field, i) => `${BUYER_COLUMNS[field]} = $${i + 2}`).join(', ');
  // An address (an object) goes as JSON text, as node-postgres sends every object.
  await sql(tx, `update cart set ${assignments} where id = $1`, [cartId, ...set.map((field) => buyer[field])]);
}

const BUYER_COLUMNS: Record<keyof BuyerFields, string> = {
  email: 'email',
  countryCode: 'country_code',
  phone: 'phone',
  deliveryAddress: 'delivery_address',
  billingAddress: 'billing_address',
  addressFromDefault: 'address_from_default',
  deliveryMethodHandle: 'delivery_method_handle',
};

/**
 * A failed checkout's cart goes back to ACTIVE, unless its customer has started another active cart
 * meanwhile (a customer has one active cart: asking for `me { cart }` during a checkout makes one):
 * then it is closed (EXPIRED), its lines still readable, rather than breaking that rule — which
 * failed the whole transaction, retried forever, and kept the checkout and its promotion uses.
 * `activeCartId`: that other cart, where its lines go (null when reopened). Null: not CHECKING_OUT.
 */
export async function reopenCart(tx: EntityManager, id: string): Promise<{ status: CartStatus; activeCartId: string | null } | null> {
  const { rows } = await sql<{ status: CartStatus; activeCartId: string | null }>(
    tx,
    `update cart c set version = c.version + 1, updated_at = now(),
            status = case when other.id is null then 'ACTIVE' else 'EXPIRED' end
       from (select (select o.id from cart o join cart f on f.id = $1
                      where o.customer_id = f.customer_id and o.status = 'ACTIVE' and o.id <> f.id limit 1) as id) other
      where c.id = $1 and c.status = 'CHECKING_OUT' returning c.status, other.id as "activeCartId"`,
    [id],
  );
  return rows[0] ?? null;
}

/** ACTIVE carts past their expiry become EXPIRED, a batch at a time; returns their ids. */
export async function expireIdleCarts(em: EntityManager, limit: number): Promise<string[]> {
  // Raw: claims the batch with `for update skip locked`, so several sweepers can run side by side.
  const { rows } = await sql<{ id: string }>(
    em,
    `update cart set status = 'EXPIRED', version = version + 1, updated_at = now()
      where id in (select id from cart where status = 'ACTIVE' and expires_at < now() order by expires_at limit $1 for update skip locked)
      returning id`,
    [limit],
  );
  return rows.map((r) => r.id);
}

/** A guest's new cart at `version` (1; 2 when its first lines are added in the same transaction), as stored. */
export async function insertGuestCart(em: EntityManager, id: string, currency: string, expiresAt: Date, version = 1): Promise<LockedCart> {
  const { rows } = await sql<LockedCart>(
    em,
    `insert into cart (id, customer_id, status, version, currency, created_at, updated_at, expires_at)
     values ($1, null, 'ACTIVE', $4, $2, now(), now(), $3) returning id, customer_id as "customerId", status, version, currency`,
    [id, currency, expiresAt, version],
  );
  return rows[0]!;
}

export async function findActiveCartId(em: EntityManager, customerId: string): Promise<string | undefined> {
  const { rows } = await sql<{ id: string }>(em, `select id from cart where customer_id = $1 and status = 'ACTIVE' limit 1`, [customerId]);
  return rows[0]?.id;
}

/**
 * The customer's active cart unless they have one already (a concurrent request may have made it).
 * It starts with the customer's default address (the account's last announcement) when a zone
 * delivers to its country: in the same statement, so no copy of the cart without it is ever read.
 */
export async function insertCustomerCartIfNone(em: EntityManager, id: string, customerId: string, currency: string, expiresAt: Date): Promise<void> {
  // Raw: `on conflict` on the partial unique index (one active cart per customer) makes creation race-free.
  // Casts: a value in a select list would otherwise be taken as text.
  await sql(
    em,
    `insert into cart (id, customer_id, status, version, currency, created_at, updated_at, expires_at, country_code, delivery_address, address_from_default)
     select $1::varchar, $2::varchar, 'ACTIVE', 1, $3::varchar, now(), now(), $4::timestamptz, d.address->>'countryCode', d.address, d.address is not null
       from (select 1) one
       left join customer_default_address d on d.customer_id = $2 and d.address is not null
            and exists (select 1 from shipping_zone_country z where z.country_code = d.address->>'countryCode')
     on conflict (customer_id) where status = 'ACTIVE' and customer_id is not null do nothing`,
    [id, customerId, currency, expiresAt],
  );
}

/**
 * A line of the variant $1 in an active cart, written as the expression cart_line is indexed on
 * (migration 20261228000010) so the planner reads it through that index with that index's
 * statistics, however many checked-out carts held the variant.
 */
const ACTIVE_LINE_OF_VARIANT = '(case when l.in_active_cart then l.variant_id end) = $1';

/**
 * Lock the ACTIVE carts whose lines a variant's change affects: carts first, in id order, then their
 * lines — the order every cart mutation locks in (a checkout holds its cart and then writes its
 * lines), so the two can never deadlock. Returns their ids.
 */
export async function lockCartsHoldingVariant(
  tx: EntityManager,
  variantId: string,
  available: boolean,
  priceAmount: number,
  discontinued = false,
): Promise<string[]> {
  // Raw: `order by id for update` fixes the locking order.
  const { rows: carts } = await sql<{ id: string }>(
    tx,
    `select c.id from cart c
      where c.status = 'ACTIVE' and exists (select 1 from cart_line l where l.cart_id = c.id and ${ACTIVE_LINE_OF_VARIANT}
                                              and (l.available <> $2 or l.discontinued <> $3 or (l.priced_at is not null and l.unit_price_amount <> $4)))
      order by c.id for update`,
    [variantId, available, discontinued, priceAmount],
  );
  return carts.map((c) => c.id);
}

/**
 * Whether an active cart holds a line of the variant that differs from this: the read-only test of
 * lockCartsHoldingVariant.
 */
export async function anyCartDiffersOnVariant(
  em: EntityManager,
  variantId: string,
  available: boolean,
  priceAmount: number,
  discontinued: boolean,
): Promise<boolean> {
  const { rows } = await sql<{ one: number }>(
    em,
    `select 1 as one from cart_line l join cart c on c.id = l.cart_id
      where ${ACTIVE_LINE_OF_VARIANT} and c.status = 'ACTIVE'
        and (l.available <> $2 or l.discontinued <> $3 or (l.priced_at is not null and l.unit_price_amount <> $4))
      limit 1`,
    [variantId, available, discontinued, priceAmount],
  );
  return rows.length > 0;
}

/** Lines of the variant whose price the catalog changed are no longer confirmed. */
export async function unconfirmRepricedLines(tx: EntityManager, cartIds: readonly string[], variantId: string, priceAmount: number): Promise<void> {
  await sql(
    tx,
    'update cart_line set priced_at = null where cart_id = any($1::varchar[]) and variant_id = $2 and priced_at is not null and unit_price_amount <> $3',
    [cartIds, variantId, priceAmount],
  );
}

/** The variant's lines in these (ACTIVE) carts show `available` (and `discontinued`); returns the carts whose lines changed. */
export async function setVariantAvailability(
  tx: EntityManager,
  cartIds: readonly string[],
  variantId: string,
  available: boolean,
  discontinued = false,
): Promise<string[]> {
  // Raw: an update joined to its cart's status, returning the carts it changed.
  const { rows } = await sql<{ cart_id: string }>(
    tx,
    `update cart_line l set available = $1, discontinued = $2, updated_at = now()
       from cart c
      where l.cart_id = c.id and c.id = any($3::varchar[]) and c.status = 'ACTIVE' and l.variant_id = $4 and (l.available <> $1 or l.discontinued <> $2)
      returning l.cart_id`,
    [available, discontinued, cartIds, variantId],
  );
  return [...new Set(rows.map((r) => r.cart_id))];
}

/** A change made outside a cart mutation: version + 1 so subscribers see it. */
export async function bumpVersions(tx: EntityManager, cartIds: readonly string[]): Promise<void> {
  if (cartIds.length) await sql(tx, 'update cart set version = version + 1, updated_at = now() where id = any($1::varchar[])', [cartIds]);
}

/** A guest cart merged into a customer's: read-only from now on. */
export async function expireCart(tx: EntityManager, id: string): Promise<void> {
  await tx.nativeUpdate(CartSchema, { id }, { status: 'EXPIRED', version: raw('version + 1'), updatedAt: raw('now()') });
}
