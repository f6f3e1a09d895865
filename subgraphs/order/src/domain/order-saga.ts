import type { EntityManager } from '@mikro-orm/postgresql';
import {
  emitEvent,
  ORDER_PAYMENT_REFUND,
  ORDER_PAYMENT_REQUESTED,
  ORDER_STOCK_COMMIT,
  ORDER_STOCK_RELEASE,
  ORDER_STOCK_RESERVE,
  orderStatusSubject,
  type CapturePayment,
  type CheckoutRequested,
  type PaymentRequested,
  type ReserveStock,
} from '@shop/platform';
import type { OrderStatus } from '../data/order.entity.ts';
import { awaitCheckoutStep, insertOrder, lockOrder, lockTimedOut, type LockedOrder } from '../data/order.repository.ts';
import { loadOrderDetails, recordStatusChange, type StatusChange } from '../data/order-details.ts';
import { canMove } from './order-transitions.ts';
import { recordLateCapture, recordMove, recordOrderCreated, recordStepRequest, STOCK_REASON } from './order-metrics.ts';

export interface SagaTimeouts {
  /** How long the catalog may take to answer a reservation. */
  reserveMs: number;
  /** How long the payment may take. */
  paymentMs: number;
}

/**
 * Move an order to `to` if the transition is allowed: status, history, the step deadline, and the
 * `order.status.<to>` event in the same transaction. Returns false (and changes nothing) otherwise,
 * which is how redelivered or late events become no-ops. Every move leaves PENDING, the only status
 * that still needs the payment token (the caller has it in `order`), so every move erases it:
 * whether the payment was requested, the stock rejected, the order cancelled or timed out.
 * The event carries the order's `details` as they are in this transaction (for the buyer's emails),
 * read in the statement that writes the move (one round trip). `passing`: a status the same
 * transaction moves on from (the checkout step's AWAITING_PAYMENT on the way to CONFIRMED) is
 * written to the history but not announced — it was never committed, so no one could see it.
 */
export async function moveOrder(
  tx: EntityManager,
  order: LockedOrder,
  to: OrderStatus,
  reason: string | null,
  deadline: Date | null,
  { passing = false }: { passing?: boolean } = {},
): Promise<boolean> {
  if (!canMove(order.status, to)) return false;
  recordMove(tx, order, to, reason);
  const change = { status: to, reason, move: { deadline } };
  if (passing) await recordStatusChange(tx, order.id, change);
  else await announceStatus(tx, { orderId: order.id, cartId: order.cartId ?? '', status: to, reason }, change);
  // Entered now: a further move in this step measures its own step from here.
  order.status = to;
  order.updatedAt = new Date();
  return true;
}

/**
 * `order.status.<status>` with the order's details as this transaction has them, read in one
 * statement with `change` when given (the status change it also writes).
 */
async function announceStatus(
  tx: EntityManager,
  event: { orderId: string; cartId: string; status: OrderStatus; reason: string | null },
  change?: StatusChange,
): Promise<void> {
  const details = await loadOrderDetails(tx, event.orderId, change);
  await emitEvent(tx, orderStatusSubject(event.status), { ...event, details });
}

const inMs = (ms: number) => new Date(Date.now() + ms);

/** A new order as the checkout's step leaves it: what its live update carries. */
export interface OrderStarted {
  status: OrderStatus;
  updatedAt: Date;
}

/** The other subgraphs asked by request within the checkout's step (see startOrder). */
export interface StepRequests {
  reserve?: ReserveStock;
  capture?: CapturePayment;
}

/**
 * checkout.requested → the order (once, with the checkout's id) and its stock reservation. With
 * `reserve` (the catalog asked by request, in this step) the order moves on at once: short →
 * REJECTED; reserved → the payment, asked by request too (`capture`), so a paid checkout is
 * CONFIRMED in this one transaction. Whatever gets no answer is asked by event, as before: the
 * reservation (`order.stock.reserve`, the order waits in PENDING) or the payment
 * (`order.payment.requested`, it waits in AWAITING_PAYMENT). Only the status the order rests in at
 * the commit is announced (`order.status.*`); the history keeps every status it passed.
 * Returns the status the order rests in and its `updatedAt` (null for a checkout already taken).
 */
export async function startOrder(
  tx: EntityManager,
  checkout: CheckoutRequested,
  timeouts: SagaTimeouts,
  ask: StepRequests = {},
): Promise<OrderStarted | null> {
  const since = new Date();
  const written = await insertOrder(tx, checkout, inMs(timeouts.reserveMs));
  if (!written) return null;
  recordOrderCreated(tx);
  const request = {
    orderId: checkout.checkoutId,
    // Stock is per variant: a stock line's productId is the variant's id.
    lines: checkout.lines.map((l) => ({ productId: l.variantId ?? l.productId, quantity: l.quantity })),
  };
  const answer = ask.reserve && (await ask.reserve(request));
  if (ask.reserve) recordStepRequest(tx, 'reserve_stock', Boolean(answer));
  if (!answer) {
    // The order rests in PENDING: announced (it moves on within this step otherwise; see moveOrder).
    await announceStatus(tx, { orderId: checkout.checkoutId, cartId: checkout.cartId, status: 'PENDING', reason: null });
    await emitEvent(tx, ORDER_STOCK_RESERVE, request);
    return { status: 'PENDING', updatedAt: written };
  }
  // The row as inserted above (this transaction holds it): no second read.
  const order: LockedOrder = {
    id: checkout.checkoutId,
    status: 'PENDING',
    customerId: checkout.customerId,
    cartId: checkout.cartId,
    totalAmount: checkout.totals.total,
    currency: checkout.currency,
    paymentToken: checkout.paymentToken,
    createdAt: since,
    updatedAt: since,
  };
  if (answer.status === 'REJECTED') await moveOrder(tx, order, 'REJECTED', shortStockReason(answer.shortProducts.length), null);
  else await payInStep(tx, order, timeouts, ask.capture);
  // Every move above wrote updated_at = now(), the transaction's time: the insert's.
  return { status: order.status, updatedAt: written };
}

/**
 * Stock reserved within the step → the payment asked by request. The history reads as the event
 * path's (AWAITING_PAYMENT, then the outcome): the payment was asked for, then answered.
 */
async function payInStep(tx: EntityManager, order: LockedOrder, timeouts: SagaTimeouts, capture?: CapturePayment): Promise<void> {
  const paid = capture && (await capture(paymentRequestOf(order)));
  if (capture) recordStepRequest(tx, 'capture_payment', Boolean(paid));
  if (!paid) return void (await requestPayment(tx, order, timeouts));
  await moveOrder(tx, order, 'AWAITING_PAYMENT', null, null, { passing: true });
  if (paid.status === 'CAPTURED') await confirm(tx, order);
  else await failPayment(tx, order, paid.code);
}

/** Why an order the catalog could not fill was rejected. */
export const shortStockReason = (shortProducts: number) => `Not enough stock for ${shortProducts} product(s)`;

/** Stock reserved → ask for the payment. */
export async function onStockReserved(tx: EntityManager, orderId: string, timeouts: SagaTimeouts): Promise<boolean> {
  const order = await lockOrder(tx, orderId);
  return Boolean(order && (await requestPayment(tx, order, timeouts)));
}

async function requestPayment(tx: EntityManager, order: LockedOrder, timeouts: SagaTimeouts): Promise<boolean> {
  if (!(await moveOrder(tx, order, 'AWAITING_PAYMENT', null, inMs(timeouts.paymentMs)))) return false;
  await emitEvent(tx, ORDER_PAYMENT_REQUESTED, paymentRequestOf(order));
  return true;
}

const paymentRequestOf = (order: LockedOrder): PaymentRequested => ({
  orderId: order.id,
  customerId: order.customerId ?? null,
  amount: order.totalAmount,
  currency: order.currency,
  paymentToken: order.paymentToken ?? '',
});

export async function onStockRejected(tx: EntityManager, orderId: string, reason: string): Promise<boolean> {
  const order = await lockOrder(tx, orderId);
  return Boolean(order && (await moveOrder(tx, order, 'REJECTED', reason, null)));
}

/** Payment captured → confirmed and the reservation committed; captured too late → refunded. */
export async function onPaymentCaptured(tx: EntityManager, orderId: string): Promise<boolean> {
  const order = await lockAnsweredOrder(tx, orderId);
  if (!order) return false;
  if (await confirm(tx, order)) return true;
  if (order.status === 'PAYMENT_FAILED' || order.status === 'CANCELLED' || order.status === 'REJECTED') {
    // The money arrived after the order gave up (e.g. a timeout): give it back.
    recordLateCapture(tx);
    await emitEvent(tx, ORDER_PAYMENT_REFUND, { orderId, amount: null, reason: `order ${order.status}`, idempotencyKey: `late-capture:${orderId}` });
  }
  return false;
}

export async function onPaymentFailed(tx: EntityManager, orderId: string, reason: string): Promise<boolean> {
  const order = await lockAnsweredOrder(tx, orderId);
  return Boolean(order && (await failPayment(tx, order, reason)));
}

/**
 * The catalog released the order's stock while the order still counted on it: its reservation
 * lapsed (the catalog's sweeper, `EXPIRED`) before the payment or the stock commit came, so a late
 * commit is refused and the units may be sold to someone else. Reason `STOCK_<the catalog's reason>`:
 * still PENDING → REJECTED (no stock for it, as a short reservation); awaiting payment → CANCELLED,
 * and a capture that still comes is refunded as a late one; paid (CONFIRMED) → CANCELLED and
 * refunded in full, nothing to return (the units were never taken). A release the order asked for
 * itself finds it final already and changes nothing.
 */
export async function onStockReleased(tx: EntityManager, orderId: string, reason: string): Promise<boolean> {
  const order = await lockAnsweredOrder(tx, orderId);
  if (!order || !STOCK_HELD.includes(order.status)) return false;
  const paid = order.status === 'CONFIRMED';
  const to = order.status === 'PENDING' ? 'REJECTED' : 'CANCELLED';
  if (!(await moveOrder(tx, order, to, `${STOCK_REASON}${reason}`, null))) return false;
  if (paid)
    await emitEvent(tx, ORDER_PAYMENT_REFUND, {
      orderId,
      amount: null,
      reason: 'stock released by the catalog',
      idempotencyKey: `stock-released:${orderId}`,
    });
  return true;
}

/** The statuses in which an order counts on its stock reservation. */
const STOCK_HELD: readonly OrderStatus[] = ['PENDING', 'AWAITING_PAYMENT', 'CONFIRMED'];

/**
 * The order an answer (the payment's, the catalog's release) is about. It can come before the
 * order's checkout step committed the order (the step asks for the payment within it; a step rolled
 * back and redelivered may meet a release): not there yet → wait for the step, then read it again.
 */
async function lockAnsweredOrder(tx: EntityManager, orderId: string): Promise<LockedOrder | null> {
  const order = await lockOrder(tx, orderId);
  if (order) return order;
  await awaitCheckoutStep(tx, orderId);
  return lockOrder(tx, orderId);
}

/** Paid → CONFIRMED and the reservation committed. */
async function confirm(tx: EntityManager, order: LockedOrder): Promise<boolean> {
  if (!(await moveOrder(tx, order, 'CONFIRMED', null, null))) return false;
  await emitEvent(tx, ORDER_STOCK_COMMIT, { orderId: order.id });
  return true;
}

/** Not paid → PAYMENT_FAILED and the reservation released. */
async function failPayment(tx: EntityManager, order: LockedOrder, reason: string): Promise<boolean> {
  if (!(await moveOrder(tx, order, 'PAYMENT_FAILED', reason, null))) return false;
  await emitEvent(tx, ORDER_STOCK_RELEASE, { orderId: order.id, reason: 'PAYMENT_FAILED' });
  return true;
}

/**
 * A step that did not answer in time fails the order like its compensation would: no reservation
 * answer → REJECTED, no payment answer → PAYMENT_FAILED; the stock is released either way (the
 * catalog records a release, so a late reservation has no effect). SKIP LOCKED: several order
 * processes may sweep side by side.
 */
export async function failTimedOut(tx: EntityManager, limit = 100): Promise<string[]> {
  const due = await lockTimedOut(tx, limit);
  const failed: string[] = [];
  for (const id of due) {
    const order = (await lockOrder(tx, id))!;
    const to = order.status === 'PENDING' ? 'REJECTED' : 'PAYMENT_FAILED';
    if (await moveOrder(tx, order, to, 'TIMEOUT', null)) {
      await emitEvent(tx, ORDER_STOCK_RELEASE, { orderId: id, reason: 'TIMEOUT' });
      failed.push(id);
    }
  }
  return failed;
}
