import type { EntityManager } from '@mikro-orm/postgresql';
import {
  emitEvent,
  ORDER_PAYMENT_REFUND,
  ORDER_PAYMENT_REQUESTED,
  ORDER_STOCK_COMMIT,
  ORDER_STOCK_RELEASE,
  ORDER_STOCK_RESERVE,
  orderStatusSubject,
  type CheckoutRequested,
} from '@shop/platform';
import type { OrderStatus } from '../data/order.entity.ts';
import { canMove } from './order-transitions.ts';

export interface SagaTimeouts {
  /** How long the catalog may take to answer a reservation. */
  reserveMs: number;
  /** How long the payment may take. */
  paymentMs: number;
}

export interface OrderRow {
  id: string;
  status: OrderStatus;
  customer_id: string | null;
  cart_id: string | null;
  total_amount: number;
  currency: string;
  payment_token: string | null;
}

export async function lockOrder(tx: EntityManager, id: string): Promise<OrderRow | null> {
  const [row] = await tx.execute<OrderRow[]>(
    'select id, status, customer_id, cart_id, total_amount, currency, payment_token from customer_order where id = ? for update',
    [id],
  );
  return row ?? null;
}

/**
 * Move an order to `to` if the transition is allowed: status, history, the step deadline, and the
 * `order.status.<to>` event in the same transaction. Returns false (and changes nothing) otherwise,
 * which is how redelivered or late events become no-ops. Every move leaves PENDING, the only status
 * that still needs the payment token (the caller has it in `order`), so every move erases it:
 * whether the payment was requested, the stock rejected, the order cancelled or timed out.
 */
export async function moveOrder(tx: EntityManager, order: OrderRow, to: OrderStatus, reason: string | null, deadline: Date | null): Promise<boolean> {
  if (!canMove(order.status, to)) return false;
  await tx.execute('update customer_order set status = ?, step_deadline = ?, payment_token = null, updated_at = now() where id = ?', [
    to,
    deadline,
    order.id,
  ]);
  await tx.execute('insert into order_status_change (id, order_id, status, reason, at) values (gen_random_uuid(), ?, ?, ?, clock_timestamp())', [
    order.id,
    to,
    reason,
  ]);
  await emitEvent(tx, orderStatusSubject(to), { orderId: order.id, cartId: order.cart_id ?? '', status: to, reason });
  order.status = to;
  return true;
}

const inMs = (ms: number) => new Date(Date.now() + ms);

/** checkout.requested → the order (once, with the checkout's id) and the stock reservation request. */
export async function startOrder(tx: EntityManager, checkout: CheckoutRequested, timeouts: SagaTimeouts): Promise<boolean> {
  const inserted = await tx.execute<{ affectedRows: number }>(
    `insert into customer_order (id, customer_id, cart_id, email, status, currency, subtotal_amount, discount_amount, shipping_amount, tax_amount,
                                 total_amount, shipping_address, payment_token, step_deadline, created_at, updated_at)
     values (?, ?, ?, ?, 'PENDING', ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), now()) on conflict (id) do nothing`,
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
      inMs(timeouts.reserveMs),
    ],
    'run',
  );
  if (inserted.affectedRows === 0) return false;
  for (const [position, line] of checkout.lines.entries()) {
    await tx.execute(
      'insert into order_line (id, order_id, product_id, name, quantity, unit_price_amount, position) values (gen_random_uuid(), ?, ?, ?, ?, ?, ?)',
      [checkout.checkoutId, line.productId, line.name, line.quantity, line.unitPriceAmount, position],
    );
  }
  await tx.execute(
    `insert into order_status_change (id, order_id, status, reason, at) values (gen_random_uuid(), ?, 'PENDING', null, clock_timestamp())`,
    [checkout.checkoutId],
  );
  await emitEvent(tx, orderStatusSubject('PENDING'), { orderId: checkout.checkoutId, cartId: checkout.cartId, status: 'PENDING', reason: null });
  await emitEvent(tx, ORDER_STOCK_RESERVE, {
    orderId: checkout.checkoutId,
    lines: checkout.lines.map((l) => ({ productId: l.productId, quantity: l.quantity })),
  });
  return true;
}

/** Stock reserved → ask for the payment. */
export async function onStockReserved(tx: EntityManager, orderId: string, timeouts: SagaTimeouts): Promise<boolean> {
  const order = await lockOrder(tx, orderId);
  if (!order || !(await moveOrder(tx, order, 'AWAITING_PAYMENT', null, inMs(timeouts.paymentMs)))) return false;
  await emitEvent(tx, ORDER_PAYMENT_REQUESTED, {
    orderId,
    customerId: order.customer_id,
    amount: order.total_amount,
    currency: order.currency,
    paymentToken: order.payment_token ?? '',
  });
  return true;
}

export async function onStockRejected(tx: EntityManager, orderId: string, reason: string): Promise<boolean> {
  const order = await lockOrder(tx, orderId);
  return Boolean(order && (await moveOrder(tx, order, 'REJECTED', reason, null)));
}

/** Payment captured → confirmed and the reservation committed; captured too late → refunded. */
export async function onPaymentCaptured(tx: EntityManager, orderId: string): Promise<boolean> {
  const order = await lockOrder(tx, orderId);
  if (!order) return false;
  if (await moveOrder(tx, order, 'CONFIRMED', null, null)) {
    await emitEvent(tx, ORDER_STOCK_COMMIT, { orderId });
    return true;
  }
  if (order.status === 'PAYMENT_FAILED' || order.status === 'CANCELLED' || order.status === 'REJECTED') {
    // The money arrived after the order gave up (e.g. a timeout): give it back.
    await emitEvent(tx, ORDER_PAYMENT_REFUND, { orderId, amount: null, reason: `order ${order.status}`, idempotencyKey: `late-capture:${orderId}` });
  }
  return false;
}

export async function onPaymentFailed(tx: EntityManager, orderId: string, reason: string): Promise<boolean> {
  const order = await lockOrder(tx, orderId);
  if (!order || !(await moveOrder(tx, order, 'PAYMENT_FAILED', reason, null))) return false;
  await emitEvent(tx, ORDER_STOCK_RELEASE, { orderId, reason: 'PAYMENT_FAILED' });
  return true;
}

/**
 * A step that did not answer in time fails the order like its compensation would: no reservation
 * answer → REJECTED, no payment answer → PAYMENT_FAILED; the stock is released either way (the
 * catalog records a release, so a late reservation has no effect). SKIP LOCKED: several order
 * processes may sweep side by side.
 */
export async function failTimedOut(tx: EntityManager, limit = 100): Promise<string[]> {
  const due = await tx.execute<Array<{ id: string }>>(
    `select id from customer_order where status in ('PENDING', 'AWAITING_PAYMENT') and step_deadline < now() order by step_deadline limit ? for update skip locked`,
    [limit],
  );
  const failed: string[] = [];
  for (const { id } of due) {
    const order = (await lockOrder(tx, id))!;
    const to = order.status === 'PENDING' ? 'REJECTED' : 'PAYMENT_FAILED';
    if (await moveOrder(tx, order, to, 'TIMEOUT', null)) {
      await emitEvent(tx, ORDER_STOCK_RELEASE, { orderId: id, reason: 'TIMEOUT' });
      failed.push(id);
    }
  }
  return failed;
}
