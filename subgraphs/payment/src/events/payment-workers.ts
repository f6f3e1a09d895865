import {
  ORDER_CUSTOMER_ASSIGNED,
  startConsumer,
  startPeriodic,
  type CatalogEnvelope,
  type EventConsumer,
  type Logger,
  type SubgraphDeps,
  type UnitOfWork,
} from '@shop/platform';
import { PaymentService } from '../domain/payment.service.ts';
import { RefundService } from '../domain/refund.service.ts';
import type { PaymentProvider } from '../domain/provider.ts';
import { startPaymentCaptureResponder } from './payment-capture.responder.ts';

export const PAYMENT_DURABLE = 'payment-saga';
export const PAYMENT_OWNERS_DURABLE = 'payment-owners';

export interface PaymentWorkerOptions {
  /** Already wrapped in the resilience policy (see resilient-provider.ts). */
  provider: PaymentProvider;
  /** Durable consumer name on the ORDER stream (also the inbox key); unique per test run. */
  durable?: string;
  /** The owners consumer's durable name (see startPaymentOwners). */
  ownersDurable?: string;
  /** Subject of the order's capture requests (tests sharing one NATS server use their own). */
  captureSubject?: string;
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

type Commands = 'order.payment.requested' | 'order.payment.refund';

/**
 * Runs in the inbox transaction: records the request (payment row / refund claim) and, after the
 * commit, calls the provider (before the JetStream ack). A crash in between leaves a PENDING row:
 * the restarted process settles it at start, a redelivered request resumes it (`resume` below), the
 * recovery loop is the backstop; the provider's idempotency keeps it to one charge. The payloads
 * were checked against the catalog's schemas before they got here.
 */
function handlers(payments: PaymentService, refunds: RefundService, log: Logger) {
  return {
    'order.payment.requested': async ({ data }: CatalogEnvelope<'order.payment.requested'>, { em, afterCommit }: UnitOfWork) => {
      const pending = await payments.capture(em, data);
      if (pending) afterCommit(() => payments.settleCapture(pending));
    },
    'order.payment.refund': async ({ data: request }: CatalogEnvelope<'order.payment.refund'>, { em, afterCommit }: UnitOfWork) => {
      const paymentId = await payments.idOfOrder(em, request.orderId);
      if (!paymentId) return void log.warn({ orderId: request.orderId }, 'refund requested for an order without payment; ignored');
      const result = await refunds.claim(em, paymentId, request.amount, request.idempotencyKey, request.reason);
      if (result.userErrors.length) return void log.warn({ orderId: request.orderId, userErrors: result.userErrors }, 'refund request refused');
      const refund = result.refund;
      if (refund?.status === 'PENDING') afterCommit(() => refunds.settle(refund.id));
    },
  };
}

/** A redelivered request the inbox already holds: finish what its first delivery may have left PENDING. */
async function resume(payments: PaymentService, refunds: RefundService, event: CatalogEnvelope<Commands>) {
  if (event.subject === 'order.payment.requested') await payments.resumeCapture(event.data.orderId);
  else await refunds.resumePending(event.data.orderId, event.data.idempotencyKey);
}

/** Settles the given rows, a few at a time. */
async function settleAll(ids: string[], settle: (id: string) => Promise<unknown>) {
  for (let i = 0; i < ids.length; i += RECOVERY_CONCURRENCY) await Promise.all(ids.slice(i, i + RECOVERY_CONCURRENCY).map(settle));
}

type WorkerDeps = Pick<SubgraphDeps, 'orm' | 'nc' | 'log' | 'outbox'> & {
  /** After a committed payment or refund: tells live order views (Order.payment, Order.refunds). */
  orderChanged?: (orderId: string) => unknown;
};

/**
 * The payment side of the checkout saga: the capture asked by request within the order's checkout
 * step (answered by reply), and a durable consumer of `order.payment.>` on the ORDER stream
 * answering `payment.captured|failed|refunded` through the outbox (PAYMENT stream).
 * Safe in several processes: shared durable and queue group, unique order id, conditional status updates.
 */
export async function startPaymentWorkers(deps: WorkerDeps, options: PaymentWorkerOptions): Promise<Array<() => Promise<void>>> {
  const {
    provider,
    durable = PAYMENT_DURABLE,
    ownersDurable = PAYMENT_OWNERS_DURABLE,
    recoverIntervalMs = RECOVERY_DEFAULTS.recoverIntervalMs,
    staleAfterMs = RECOVERY_DEFAULTS.staleAfterMs,
  } = options;
  const log = deps.log.child({ component: 'payment' });
  const services = { provider, log, changed: deps.orderChanged, outbox: deps.outbox };
  const payments = new PaymentService(deps.orm.em, services);
  const refunds = new RefundService(deps.orm.em, services);
  const consumer = await startConsumer({
    em: deps.orm.em,
    nc: deps.nc,
    log,
    outbox: deps.outbox,
    stream: 'ORDER',
    durable,
    filterSubject: 'order.payment.>',
    handlers: handlers(payments, refunds, log),
    onDuplicate: (event) => resume(payments, refunds, event),
  });
  const owners = await startPaymentOwners(deps, ownersDurable);
  const stopResponder = startPaymentCaptureResponder({ nc: deps.nc, log }, payments, options.captureSubject);
  // The first pass runs at start and takes every PENDING row, however fresh: whatever this process
  // was doing when it died. (Another live process may be settling one of them too; the provider's
  // idempotency and the conditional update make that a repeated question, not a second charge.)
  let atStart = true;
  const stopRecovery = startPeriodic(
    'payment recovery',
    recoverIntervalMs,
    async () => {
      const olderThanMs = atStart ? 0 : staleAfterMs;
      const limit = atStart ? 1_000 : 50;
      await settleAll(await payments.stalePending(olderThanMs, limit), (id) => payments.settleCapture(id, { resume: true }));
      await settleAll(await refunds.stalePending(olderThanMs, limit), (id) => refunds.settle(id));
      atStart = false;
    },
    log,
  );
  return [stopResponder, () => consumer.stop(), () => owners.stop(), stopRecovery];
}

/**
 * Orders → payments: a guest order claimed by a customer (order.customer.assigned) gives its payment
 * that owner, so they see it. A durable of its own, filtered to this one subject (the saga's
 * `order.payment.>` does not match it, nor this filter the saga's commands). In the inbox
 * transaction; a payment that has an owner keeps it, so a redelivery changes nothing.
 */
export function startPaymentOwners(
  deps: Pick<SubgraphDeps, 'orm' | 'nc' | 'log' | 'outbox'>,
  durable = PAYMENT_OWNERS_DURABLE,
): Promise<EventConsumer> {
  const log = deps.log.child({ component: 'payment-owners' });
  const payments = new PaymentService(deps.orm.em, { log });
  return startConsumer({
    em: deps.orm.em,
    nc: deps.nc,
    log,
    outbox: deps.outbox,
    stream: 'ORDER',
    durable,
    filterSubject: ORDER_CUSTOMER_ASSIGNED,
    handlers: {
      [ORDER_CUSTOMER_ASSIGNED]: async ({ data }, { em }) => {
        const changed = await payments.assignOwner(em, data.orderId, data.customerId);
        log.info({ orderId: data.orderId, customerId: data.customerId, changed }, 'order owner assigned to its payment');
      },
    },
  });
}
