import type { EntityManager } from '@mikro-orm/postgresql';
import {
  ORDER_PAYMENT_REFUND,
  ORDER_PAYMENT_REQUESTED,
  startConsumer,
  type EventEnvelope,
  type Logger,
  type PaymentRequested,
  type RefundRequested,
  type SubgraphDeps,
  startPeriodic,
  publishOrderChanged,
  UUID_PATTERN,
} from '@shop/platform';
import { z } from 'zod';
import { PaymentService } from '../domain/payment.service.ts';
import { RefundService } from '../domain/refund.service.ts';
import type { PaymentProvider } from '../domain/provider.ts';

export const PAYMENT_DURABLE = 'payment-saga';

export interface PaymentWorkerOptions {
  /** Already wrapped in the resilience policy (see resilient-provider.ts). */
  provider: PaymentProvider;
  /** Durable consumer name on the ORDER stream (also the inbox key); unique per test run. */
  durable?: string;
  /** How often the recovery loop looks for captures and refunds left PENDING (default 3 s). */
  recoverIntervalMs?: number;
  /** A PENDING row untouched this long is considered abandoned and settled again (default 20 s). */
  staleAfterMs?: number;
}

/**
 * Recovery has to finish well inside the order's payment timeout (ORDER_PAYMENT_TIMEOUT_MS, 60 s):
 * 20 s is longer than one capture's worst case under the resilience policy (3 attempts of 5 s plus
 * backoff), so the loop rarely meets a live call; found within 3 s, settled within ~15 s more.
 */
export const RECOVERY_DEFAULTS = { recoverIntervalMs: 3_000, staleAfterMs: 20_000 };
/** Settlements at once during a recovery pass. */
const RECOVERY_CONCURRENCY = 8;

const paymentRequested = z.object({
  orderId: z.string().regex(UUID_PATTERN),
  customerId: z.string().max(128).nullable(),
  amount: z.number().int().nonnegative(),
  currency: z.string().length(3),
  paymentToken: z.string().min(1).max(64),
});
const refundRequested = z.object({
  orderId: z.string().regex(UUID_PATTERN),
  amount: z.number().int().positive().nullable(),
  reason: z.string(),
  idempotencyKey: z.string().min(1).max(255),
});

type After = (work: () => Promise<unknown>) => void;

/**
 * Runs in the inbox transaction: records the request (payment row / refund claim) and, after the
 * commit, calls the provider (before the JetStream ack). A crash in between leaves a PENDING row:
 * the restarted process settles it at start, a redelivered request resumes it (`resume` below), the
 * recovery loop is the backstop; the provider's idempotency keeps it to one charge.
 */
async function dispatch(payments: PaymentService, refunds: RefundService, tx: EntityManager, event: EventEnvelope<unknown>, after: After, log: Logger) {
  if (event.subject === ORDER_PAYMENT_REQUESTED) {
    const parsed = paymentRequested.safeParse(event.data);
    if (!parsed.success) return void log.error({ eventId: event.id, issues: parsed.error.issues }, 'malformed payment request dropped');
    const pending = await payments.capture(tx, parsed.data satisfies PaymentRequested);
    if (pending) after(() => payments.settleCapture(pending));
    return;
  }
  if (event.subject === ORDER_PAYMENT_REFUND) {
    const parsed = refundRequested.safeParse(event.data);
    if (!parsed.success) return void log.error({ eventId: event.id, issues: parsed.error.issues }, 'malformed refund request dropped');
    const request: RefundRequested = parsed.data;
    const [payment] = await tx.execute<Array<{ id: string }>>('select id from payment where order_id = ?', [request.orderId]);
    if (!payment) return void log.warn({ orderId: request.orderId }, 'refund requested for an order without payment; ignored');
    const result = await refunds.claim(tx, payment.id, request.amount, request.idempotencyKey, request.reason);
    if (result.userErrors.length) return void log.warn({ orderId: request.orderId, userErrors: result.userErrors }, 'refund request refused');
    const refund = result.refund;
    if (refund?.status === 'PENDING') after(() => refunds.settle(refund.id));
    return;
  }
  log.warn({ subject: event.subject, eventId: event.id }, 'unknown payment command ignored');
}

/** A redelivered request the inbox already holds: finish what its first delivery may have left PENDING. */
async function resume(payments: PaymentService, refunds: RefundService, event: EventEnvelope<unknown>) {
  if (event.subject === ORDER_PAYMENT_REQUESTED) {
    const parsed = paymentRequested.safeParse(event.data);
    if (parsed.success) await payments.resumeCapture(parsed.data.orderId);
  } else if (event.subject === ORDER_PAYMENT_REFUND) {
    const parsed = refundRequested.safeParse(event.data);
    if (parsed.success) await refunds.resumePending(parsed.data.orderId, parsed.data.idempotencyKey);
  }
}

/** Settles the given rows, a few at a time. */
async function settleAll(ids: string[], settle: (id: string) => Promise<unknown>) {
  for (let i = 0; i < ids.length; i += RECOVERY_CONCURRENCY) await Promise.all(ids.slice(i, i + RECOVERY_CONCURRENCY).map(settle));
}

type NotifyDeps = Pick<SubgraphDeps, 'outbox' | 'log'> & Partial<Pick<SubgraphDeps, 'redis'>>;

/**
 * After a payment or refund commit: nudge the outbox relay and tell live order views
 * (`orderUpdated` shows Order.payment and Order.refunds) through the order's change channel.
 */
export function afterPaymentCommit(deps: NotifyDeps): (orderId?: string) => void {
  return (orderId) => {
    deps.outbox.notify();
    if (orderId && deps.redis) void publishOrderChanged(deps.redis, deps.log, orderId);
  };
}

/**
 * The payment side of the checkout saga: a durable consumer of `order.payment.>` on the ORDER
 * stream answering `payment.captured|failed|refunded` through the outbox (PAYMENT stream).
 * Safe in several processes: shared durable, unique order id, conditional status updates.
 */
export async function startPaymentWorkers(
  deps: Pick<SubgraphDeps, 'orm' | 'nc'> & NotifyDeps,
  options: PaymentWorkerOptions,
): Promise<Array<() => Promise<void>>> {
  const { provider, durable = PAYMENT_DURABLE, recoverIntervalMs = RECOVERY_DEFAULTS.recoverIntervalMs, staleAfterMs = RECOVERY_DEFAULTS.staleAfterMs } = options;
  const log = deps.log.child({ component: 'payment' });
  const notify = afterPaymentCommit(deps);
  const payments = new PaymentService(deps.orm.em, { provider, log, notify });
  const refunds = new RefundService(deps.orm.em, { provider, log, notify });
  const consumer = await startConsumer<unknown>({
    em: deps.orm.em,
    nc: deps.nc,
    log,
    stream: 'ORDER',
    durable,
    filterSubject: 'order.payment.>',
    handle: async (tx, event, afterCommit) => {
      // Re-answers enqueued in this transaction leave once it commits.
      afterCommit(async () => notify());
      await dispatch(payments, refunds, tx, event, afterCommit, log);
    },
    onDuplicate: (event) => resume(payments, refunds, event),
  });
  // The first pass runs at start and takes every PENDING row, however fresh: whatever this process
  // was doing when it died. (Another live process may be settling one of them too; the provider's
  // idempotency and the conditional update make that a repeated question, not a second charge.)
  let atStart = true;
  const stopRecovery = startPeriodic('payment recovery', recoverIntervalMs, async () => {
    const olderThanMs = atStart ? 0 : staleAfterMs;
    const limit = atStart ? 1_000 : 50;
    await settleAll(await payments.stalePending(olderThanMs, limit), (id) => payments.settleCapture(id, { resume: true }));
    await settleAll(await refunds.stalePending(olderThanMs, limit), (id) => refunds.settle(id));
    atStart = false;
  }, log);
  return [() => consumer.stop(), stopRecovery];
}
