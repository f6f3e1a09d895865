import type { EntityManager } from '@mikro-orm/postgresql';
import { afterCommitOf, Counter, Histogram, registerAll, secondsSince, type Registry } from '@shop/platform';
import { ORDER_STATUSES, type OrderStatus } from '../data/order.entity.ts';

/**
 * The order saga's business metrics. Process-wide (the saga's functions have no deps to carry a
 * registry); the order subgraph's registry takes them in at start (registerOrderMetrics). Every
 * figure is recorded after the change's commit, so a rolled-back and redelivered step counts once.
 */
export const orderMetrics = {
  statusChanges: new Counter({
    name: 'shop_order_status_changes_total',
    help: 'Orders that entered each status (PENDING once per order created)',
    labelNames: ['status'] as const,
    registers: [],
  }),
  checkoutToConfirmed: new Histogram({
    name: 'shop_checkout_to_confirmed_seconds',
    help: 'From the order taking the checkout to CONFIRMED (stock reserved, payment captured)',
    buckets: [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120],
    registers: [],
  }),
  sagaSteps: new Histogram({
    name: 'shop_saga_step_duration_seconds',
    help: 'Time an order spent in a saga step (reserve_stock: PENDING, capture_payment: AWAITING_PAYMENT), by how the step ended',
    labelNames: ['step', 'outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [],
  }),
  stepRequests: new Counter({
    name: 'shop_saga_step_requests_total',
    help: 'Saga steps asked by request within the checkout step (reserve_stock, capture_payment): answered, or gone on by event',
    labelNames: ['step', 'outcome'] as const,
    registers: [],
  }),
  compensations: new Counter({
    name: 'shop_saga_compensations_total',
    help: 'Saga compensations (stock released or returned, payment refunded) by reason',
    labelNames: ['reason'] as const,
    registers: [],
  }),
};

export function registerOrderMetrics(registry: Registry): void {
  registerAll(registry, orderMetrics);
}

const STEPS = ['reserve_stock', 'capture_payment'] as const;
type Step = (typeof STEPS)[number];

/** The saga's steps: the statuses in which an order waits for another service. */
const STEP_OF: Partial<Record<OrderStatus, Step>> = {
  PENDING: 'reserve_stock',
  AWAITING_PAYMENT: 'capture_payment',
};

/** How a move ends the step it leaves. */
function stepOutcome(to: OrderStatus, reason: string | null): 'completed' | 'timed_out' | 'failed' | 'cancelled' {
  if (to === 'CANCELLED') return 'cancelled';
  if (reason === 'TIMEOUT') return 'timed_out';
  return to === 'REJECTED' || to === 'PAYMENT_FAILED' ? 'failed' : 'completed';
}

export type CompensationReason =
  'out_of_stock' | 'stock_timeout' | 'payment_failed' | 'payment_timeout' | 'cancelled' | 'stock_lapsed' | 'late_capture';

/** The prefix of the reason an order is rejected or cancelled with when the catalog released its stock (onStockReleased), e.g. STOCK_EXPIRED. */
export const STOCK_REASON = 'STOCK_';

/** The compensation a move triggers (see order-saga.ts), if any. */
export function compensationOf(to: OrderStatus, reason: string | null): CompensationReason | undefined {
  if (to === 'REJECTED') return reason === 'TIMEOUT' ? 'stock_timeout' : reason?.startsWith(STOCK_REASON) ? 'stock_lapsed' : 'out_of_stock';
  if (to === 'PAYMENT_FAILED') return reason === 'TIMEOUT' ? 'payment_timeout' : 'payment_failed';
  if (to === 'CANCELLED') return reason?.startsWith(STOCK_REASON) ? 'stock_lapsed' : 'cancelled';
  return undefined;
}

/** What a move needs to be measured: the status it leaves and when the order entered it. */
export interface MovedOrder {
  status: OrderStatus;
  createdAt: Date;
  updatedAt: Date;
}

/** The figures of one move, as they are recorded (pure: unit-tested). */
export function moveFigures(order: MovedOrder, to: OrderStatus, reason: string | null, now: number) {
  const step = STEP_OF[order.status];
  return {
    status: to,
    step: step && { step, outcome: stepOutcome(to, reason), seconds: secondsSince(order.updatedAt, now) },
    confirmedAfter: to === 'CONFIRMED' ? secondsSince(order.createdAt, now) : undefined,
    compensation: compensationOf(to, reason),
  };
}

/** Called by a move in its transaction (before the order's status changes); recorded after the commit. */
export function recordMove(tx: EntityManager, order: MovedOrder, to: OrderStatus, reason: string | null): void {
  const figures = moveFigures(order, to, reason, Date.now());
  afterCommitOf(tx, () => {
    orderMetrics.statusChanges.inc({ status: figures.status });
    if (figures.step) orderMetrics.sagaSteps.observe({ step: figures.step.step, outcome: figures.step.outcome }, figures.step.seconds);
    if (figures.confirmedAfter !== undefined) orderMetrics.checkoutToConfirmed.observe(figures.confirmedAfter);
    if (figures.compensation) orderMetrics.compensations.inc({ reason: figures.compensation });
  });
}

/** A new order (PENDING), after the commit. */
export function recordOrderCreated(tx: EntityManager): void {
  afterCommitOf(tx, () => orderMetrics.statusChanges.inc({ status: 'PENDING' }));
}

/** A step asked by request within the checkout step: answered, or gone on by event (no answer). After the commit. */
export function recordStepRequest(tx: EntityManager, step: Step, answered: boolean): void {
  afterCommitOf(tx, () => orderMetrics.stepRequests.inc({ step, outcome: answered ? 'answered' : 'by_event' }));
}

/** A capture that arrived after the order gave up: refunded (a compensation of its own). */
export function recordLateCapture(tx: EntityManager): void {
  afterCommitOf(tx, () => orderMetrics.compensations.inc({ reason: 'late_capture' }));
}

/** Every status (and request outcome) starts at 0 on /metrics, so rate() and the dashboard see each one from the first scrape. */
for (const status of ORDER_STATUSES) orderMetrics.statusChanges.inc({ status }, 0);
for (const step of STEPS) for (const outcome of ['answered', 'by_event'] as const) orderMetrics.stepRequests.inc({ step, outcome }, 0);
