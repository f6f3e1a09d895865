import { LockMode, raw } from '@mikro-orm/core';
import { FRESH, selectEntities, sql } from '@shop/platform';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CheckoutRequested } from '@shop/platform';
import { OrderLineSchema, OrderSchema, OrderStatusChangeSchema, type Order, type OrderLine, type OrderStatusChange } from './order.entity.ts';

/** What the saga and the admin changes read from a locked order (its times: for the saga's metrics). */
export type LockedOrder = Pick<
  Order,
  'id' | 'status' | 'customerId' | 'cartId' | 'totalAmount' | 'currency' | 'paymentToken' | 'createdAt' | 'updatedAt'
>;

interface LockedRow {
  status: Order['status'];
  customer_id: string | null;
  cart_id: string | null;
  total_amount: number;
  currency: string;
  payment_token: string | null;
  created_ms: number;
  updated_ms: number;
}

/**
 * Lock an order row for the rest of the transaction: changes to one order are applied one at a time.
 * Raw through sql(): a saga step's hot path, one prepared statement without the ORM's query building.
 */
export async function lockOrder(tx: EntityManager, id: string): Promise<LockedOrder | null> {
  const {
    rows: [row],
  } = await sql<LockedRow>(
    tx,
    `select status, customer_id, cart_id, total_amount, currency, payment_token,
            (extract(epoch from created_at) * 1000)::float8 as created_ms, (extract(epoch from updated_at) * 1000)::float8 as updated_ms
       from customer_order where id = $1 for update`,
    [id],
  );
  if (!row) return null;
  return {
    id,
    status: row.status,
    customerId: row.customer_id,
    cartId: row.cart_id,
    totalAmount: row.total_amount,
    currency: row.currency,
    paymentToken: row.payment_token,
    createdAt: new Date(Math.floor(row.created_ms)),
    updatedAt: new Date(Math.floor(row.updated_ms)),
  };
}

/** Ids of orders whose step deadline has passed, locked; SKIP LOCKED so several sweepers can run side by side. */
export async function lockTimedOut(tx: EntityManager, limit: number): Promise<string[]> {
  const timedOut = await tx.find(
    OrderSchema,
    { status: { $in: ['PENDING', 'AWAITING_PAYMENT'] }, stepDeadline: { $lt: raw('now()') } },
    { fields: ['id'], orderBy: { stepDeadline: 'asc' }, limit, lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE, ...FRESH },
  );
  return timedOut.map((order) => order.id);
}

export async function setTrackingNumber(tx: EntityManager, id: string, trackingNumber: string): Promise<void> {
  await tx.nativeUpdate(OrderSchema, { id }, { trackingNumber });
}

/**
 * Waits for the checkout step of this order to end, if one is running. The step creates the order
 * and asks for the payment before it commits, so a capture answered by event (late, or by the
 * recovery loop) can come while the order is not there yet to be seen: its handler waits here,
 * then reads the committed order.
 */
export async function awaitCheckoutStep(tx: EntityManager, id: string): Promise<void> {
  await sql(tx, `select pg_advisory_xact_lock(hashtextextended('checkout-step:' || $1, 0))`, [id]);
}

/**
 * The order of a checkout with its lines, PENDING: when it was written (its `updatedAt`, the
 * transaction's time, which every move in the same transaction keeps), or null when it exists
 * already (a redelivered checkout). One statement: `on conflict do nothing` on the order makes a redelivery a no-op, and
 * the lines and the history's PENDING entry (data-modifying CTEs) are inserted only with a new
 * order; it also takes the checkout step's lock (awaitCheckoutStep), held until the step commits.
 * Through sql(): prepared once.
 */
export async function insertOrder(tx: EntityManager, checkout: CheckoutRequested, deadline: Date): Promise<Date | null> {
  // The cart's note and attributes (absent in events from before them): stored when either is there.
  const noted = Boolean(checkout.note || checkout.attributes?.length);
  const lines = checkout.lines.map((line, position) => ({
    id: crypto.randomUUID(),
    product_id: line.productId,
    // Events from before variants: the product's only variant, which has the product's id.
    variant_id: line.variantId ?? line.productId,
    sku: line.sku ?? '',
    variant_title: line.variantTitle ?? null,
    selected_options: line.selectedOptions ?? [],
    name: line.name,
    quantity: line.quantity,
    unit_price_amount: line.unitPriceAmount,
    discount_allocations: line.discountAllocations ?? [],
    position,
  }));
  const {
    rows: [row],
  } = await sql<{ updated_ms: number }>(
    tx,
    `with o as (
       insert into customer_order (id, customer_id, cart_id, email, status, currency, subtotal_amount, discount_amount, shipping_amount, tax_amount,
                                   total_amount, shipping_address, payment_token, step_deadline, delivery_method, taxes_included, note, attributes,
                                   discount_allocations, created_at, updated_at)
       values ($1, $2, $3, $4, 'PENDING', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, now(), now()) on conflict (id) do nothing returning id, updated_at),
     l as (
       insert into order_line (id, order_id, product_id, variant_id, sku, variant_title, selected_options, name, quantity, unit_price_amount,
                               discount_allocations, position)
       select l.id, o.id, l.product_id, l.variant_id, l.sku, l.variant_title, l.selected_options, l.name, l.quantity, l.unit_price_amount,
              l.discount_allocations, l.position
         from o, jsonb_to_recordset($19::jsonb) as l(id uuid, product_id uuid, variant_id uuid, sku text, variant_title text, selected_options jsonb,
                                                  name text, quantity int, unit_price_amount int, discount_allocations jsonb, position int)),
     -- The history's first entry, with the order (clock_timestamp(): before any move of this step).
     h as (insert into order_status_change (id, order_id, status, reason, at) select $20, o.id, 'PENDING', null, clock_timestamp() from o),
     -- The checkout step's lock (see awaitCheckoutStep), taken with the insert: no extra round trip.
     step_lock as (select pg_advisory_xact_lock(hashtextextended('checkout-step:' || $1, 0)))
     select (extract(epoch from o.updated_at) * 1000)::float8 as updated_ms from o, step_lock`,
    [
      checkout.checkoutId,
      checkout.customerId,
      checkout.cartId,
      checkout.email,
      checkout.currency,
      checkout.totals.subtotal,
      checkout.totals.discount,
      checkout.totals.shipping,
      checkout.totals.tax,
      checkout.totals.total,
      JSON.stringify(checkout.shippingAddress),
      checkout.paymentToken,
      deadline,
      checkout.deliveryMethod ? JSON.stringify(checkout.deliveryMethod) : null,
      checkout.totals.taxesIncluded ?? false,
      noted ? (checkout.note ?? null) : null,
      JSON.stringify(noted ? (checkout.attributes ?? []) : []),
      // The promotions' allocations (absent in events from before promotions).
      JSON.stringify(checkout.discountAllocations ?? []),
      JSON.stringify(lines),
      crypto.randomUUID(),
    ],
  );
  return row ? new Date(Math.floor(row.updated_ms)) : null;
}

const POPULATE = ['lines', 'statusHistory'] as const;

/**
 * Orders by id, one query whatever the number of ids; lines and history are read only when asked
 * for (`linesOf`, `historyOf`): a status poll reads one row. `fresh`: read past the request's
 * identity map (the order as just committed by a transaction's own fork). Through selectEntities:
 * the live status reads behind `orderUpdated` run this for every change, and the ORM's query
 * building was most of their cost.
 */
export async function findOrdersByIds(em: EntityManager, ids: readonly string[], { fresh = false } = {}): Promise<Order[]> {
  return ids.length ? selectEntities(em, OrderSchema, 'id = any($1::uuid[])', [[...ids]], { fresh }) : [];
}

/** The lines of each order, in position order: one query for all of them. */
export async function linesOf(em: EntityManager, orderIds: readonly string[]): Promise<OrderLine[][]> {
  const rows = await em.find(OrderLineSchema, { order: { $in: [...orderIds] } }, { orderBy: { position: 'asc' } });
  return groupByOrder(orderIds, rows);
}

/** The status history of each order, oldest first: one query for all of them. */
export async function historyOf(em: EntityManager, orderIds: readonly string[]): Promise<OrderStatusChange[][]> {
  const rows = await em.find(OrderStatusChangeSchema, { order: { $in: [...orderIds] } }, { orderBy: { at: 'asc', id: 'asc' } });
  return groupByOrder(orderIds, rows);
}

function groupByOrder<T extends { order: { id: string } }>(orderIds: readonly string[], rows: T[]): T[][] {
  const byOrder = new Map(orderIds.map((id) => [id, [] as T[]]));
  for (const row of rows) byOrder.get(row.order.id)?.push(row);
  return orderIds.map((id) => byOrder.get(id)!);
}

/** The order with this number (lines and history), or null. */
export function findOrderByNumber(em: EntityManager, number: number): Promise<Order | null> {
  return em.findOne(OrderSchema, { number }, { populate: POPULATE });
}

/**
 * Guest orders (no customer) placed with `email`, compared case-insensitively, become the
 * customer's; returns their ids. Orders that already belong to someone are never touched, so a
 * second claim changes nothing. `updated_at` stays: it versions what the order shows (live
 * updates), and the owner is not part of that.
 */
export async function assignGuestOrders(tx: EntityManager, customerId: string, email: string): Promise<string[]> {
  // Raw: lower(email) is what the partial index customer_order_guest_email_idx covers.
  const rows = await tx.execute<Array<{ id: string }>>(
    'update customer_order set customer_id = ? where customer_id is null and lower(email) = lower(?) returning id',
    [customerId, email.trim()],
  );
  return rows.map((row) => row.id);
}

export interface OrderFilter {
  customerId?: string;
  status?: string | null;
}

/** A page of orders newest first (keyset on created_at desc, id desc), one more than `first` to tell whether more follow. */
export async function findOrderPage(
  em: EntityManager,
  filter: OrderFilter,
  first: number,
  after: { createdAt: Date; id: string } | null,
): Promise<{ rows: Order[]; totalCount: number }> {
  const where: Record<string, unknown> = {};
  if (filter.customerId !== undefined) where.customerId = filter.customerId;
  if (filter.status) where.status = filter.status;
  const totalCount = await em.count(OrderSchema, where);
  if (after) where.$or = [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, id: { $lt: after.id } }];
  const rows = await em.find(OrderSchema, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: first + 1, populate: POPULATE });
  return { rows, totalCount };
}
