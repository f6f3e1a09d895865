import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '@shop/platform';
import type { Checkout } from './checkout.entity.ts';

export type CheckoutRecord = Pick<Checkout, 'id' | 'cartId' | 'customerId' | 'status'>;

// Raw through sql(): checkouts are on the checkout and order-status paths; the same texts every
// time, prepared once per connection.
const VIEW_COLUMNS = 'id, cart_id as "cartId", customer_id as "customerId", status';

export async function findCheckout(em: EntityManager, id: string): Promise<CheckoutRecord | null> {
  return (await sql<CheckoutRecord>(em, `select ${VIEW_COLUMNS} from checkout where id = $1`, [id])).rows[0] ?? null;
}

/** The checkout an idempotency key already made for this cart, if any. */
export async function findCheckoutByKey(em: EntityManager, cartId: string, idempotencyKey: string): Promise<CheckoutRecord | null> {
  const { rows } = await sql<CheckoutRecord>(em, `select ${VIEW_COLUMNS} from checkout where cart_id = $1 and idempotency_key = $2`, [
    cartId,
    idempotencyKey,
  ]);
  return rows[0] ?? null;
}

/**
 * A checkout starts, in one statement: its row (PENDING), the lines the catalog just confirmed
 * (priced now), and the locked cart frozen — CHECKING_OUT, version + 1, idle expiry renewed.
 * Returns the cart's new version and time.
 */
export async function startCheckout(
  tx: EntityManager,
  checkout: { id: string; cartId: string; customerId: string | null; idempotencyKey: string; discountCodes: string[] },
  confirmedLineIds: readonly string[],
  expiresAt: Date,
): Promise<{ version: number; updatedAt: Date | string }> {
  const { rows } = await sql<{ version: number; updatedAt: Date | string }>(
    tx,
    `with started as (
       insert into checkout (id, cart_id, customer_id, idempotency_key, status, discount_codes, created_at, updated_at)
       values ($1, $2, $3, $4, 'PENDING', $5::text[], now(), now())),
     priced as (update cart_line set priced_at = now() where id = any($6::uuid[]))
     update cart set status = 'CHECKING_OUT', version = version + 1, updated_at = now(), expires_at = $7 where id = $2
     returning version, updated_at as "updatedAt"`,
    [checkout.id, checkout.cartId, checkout.customerId, checkout.idempotencyKey, checkout.discountCodes, confirmedLineIds, expiresAt],
  );
  return rows[0]!;
}

/** `createdMs`, the checkout's `created_at` read as epoch milliseconds (CREATED_MS), as a Date. */
const createdAtOf = (row: { createdMs: number }) => new Date(Math.floor(row.createdMs));
const CREATED_MS = '(extract(epoch from created_at) * 1000)::float8';

/** Lock a checkout for the rest of the transaction (a redelivered order status waits, then sees the first one's result). */
export async function lockCheckout(
  tx: EntityManager,
  id: string,
): Promise<Pick<Checkout, 'id' | 'cartId' | 'status' | 'discountCodes' | 'createdAt'> | null> {
  const { rows } = await sql<Pick<Checkout, 'id' | 'cartId' | 'status' | 'discountCodes'> & { createdMs: number }>(
    tx,
    `select id, cart_id as "cartId", status, discount_codes as "discountCodes", ${CREATED_MS} as "createdMs"
       from checkout where id = $1 for update`,
    [id],
  );
  const row = rows[0];
  return row ? { id: row.id, cartId: row.cartId, status: row.status, discountCodes: row.discountCodes, createdAt: createdAtOf(row) } : null;
}

export async function setCheckoutStatus(tx: EntityManager, id: string, status: Checkout['status']): Promise<void> {
  await sql(tx, 'update checkout set status = $1, updated_at = now() where id = $2', [status, id]);
}

/**
 * CONFIRMED, in one statement (every checkout's order-status step): the PENDING checkout becomes
 * COMPLETED and its cart CHECKING_OUT → CHECKED_OUT. Conditional on PENDING: a redelivery waits on
 * the row, then finds it COMPLETED and changes nothing (null), as lockCheckout's read-then-write
 * did. `moved` is null when the cart was not CHECKING_OUT.
 */
export async function completeCheckout(
  tx: EntityManager,
  id: string,
): Promise<{ cartId: string; createdAt: Date; moved: { version: number; updatedAt: Date | string } | null } | null> {
  const { rows } = await sql<{ cartId: string; createdMs: number; version: number | null; updatedAt: Date | string | null }>(
    tx,
    `with done as (
       update checkout set status = 'COMPLETED', updated_at = now() where id = $1 and status = 'PENDING'
       returning cart_id, ${CREATED_MS} as created_ms),
     moved as (
       update cart c set status = 'CHECKED_OUT', version = c.version + 1, updated_at = now()
         from done where c.id = done.cart_id and c.status = 'CHECKING_OUT'
       returning c.version, c.updated_at)
     select done.cart_id as "cartId", done.created_ms as "createdMs", moved.version, moved.updated_at as "updatedAt" from done left join moved on true`,
    [id],
  );
  const row = rows[0];
  if (!row) return null;
  const moved = row.version === null ? null : { version: row.version, updatedAt: row.updatedAt! };
  return { cartId: row.cartId, createdAt: createdAtOf(row), moved };
}
