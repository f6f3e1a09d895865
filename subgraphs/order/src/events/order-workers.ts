import {
  ACCOUNT_ORDERS_CLAIM_REQUESTED,
  createPaymentCaptureClient,
  createStockReserveClient,
  orderChanged,
  startConsumer,
  startPeriodic,
  transaction,
  type EventConsumer,
  type Logger,
  type NatsConnection,
  type SubgraphDeps,
} from '@shop/platform';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  failTimedOut,
  onPaymentCaptured,
  onPaymentFailed,
  onStockRejected,
  onStockReleased,
  onStockReserved,
  shortStockReason,
  startOrder,
  type SagaTimeouts,
} from '../domain/order-saga.ts';
import { claimGuestOrders } from '../domain/order-claims.ts';

export interface OrderWorkerOptions {
  timeouts: SagaTimeouts;
  /** Durable consumer name prefix (tests use their own). */
  durablePrefix?: string;
  sweepEveryMs?: number;
  /** Subject of the catalog's reservation requests (tests sharing one NATS server use their own). */
  reserveSubject?: string;
  /** Subject of the payment's capture requests (likewise). */
  captureSubject?: string;
}

/**
 * The saga, driven by events: checkout → order + stock reserved and payment captured by request
 * (→ CONFIRMED in that one step), each by event when its request gets no answer; reserved →
 * payment request; captured → confirmed (+ commit stock); rejected / failed / timed out →
 * compensations. Every handler runs in its consumer's inbox transaction, so redelivery has no
 * second effect, and the state lives in the database, so a restart resumes where it stopped.
 */
export async function startOrderWorkers(deps: SubgraphDeps, options: OrderWorkerOptions): Promise<Array<() => Promise<void>>> {
  const prefix = options.durablePrefix ?? 'order';
  const { timeouts } = options;
  const announce = orderChanged(deps);
  const base = { em: deps.orm.em, nc: deps.nc, log: deps.log, outbox: deps.outbox };
  const ask = {
    reserve: createStockReserveClient(deps.nc, { subject: options.reserveSubject }),
    capture: createPaymentCaptureClient(deps.nc, { subject: options.captureSubject }),
  };

  const checkouts = await startConsumer({
    ...base,
    stream: 'CHECKOUT',
    durable: `${prefix}-checkouts`,
    filterSubject: 'checkout.requested',
    handlers: {
      'checkout.requested': async ({ data }, { em, afterCommit }) => {
        const started = await startOrder(em, data, timeouts, ask);
        // The new order's status rides along: a subscriber that selects only it needs no read.
        if (started) afterCommit(() => announce(data.checkoutId, { status: started.status, updatedAt: started.updatedAt.toISOString() }));
      },
    },
  });
  const inventory = await startConsumer({
    ...base,
    stream: 'INVENTORY',
    durable: `${prefix}-inventory`,
    filterSubject: 'inventory.>',
    handlers: {
      'inventory.reserved': async ({ data }, { em, afterCommit }) => {
        if (await onStockReserved(em, data.orderId, timeouts)) afterCommit(() => announce(data.orderId));
      },
      'inventory.rejected': async ({ data }, { em, afterCommit }) => {
        if (await onStockRejected(em, data.orderId, shortStockReason(data.shortProducts.length))) afterCommit(() => announce(data.orderId));
      },
      'inventory.released': async ({ data }, { em, afterCommit }) => {
        if (await onStockReleased(em, data.orderId, data.reason)) afterCommit(() => announce(data.orderId));
      },
    },
    ignore: ['inventory.committed'],
  });
  const payments = await startConsumer({
    ...base,
    stream: 'PAYMENT',
    durable: `${prefix}-payments`,
    filterSubject: 'payment.>',
    handlers: {
      'payment.captured': async ({ data }, { em, afterCommit }) => {
        if (await onPaymentCaptured(em, data.orderId)) afterCommit(() => announce(data.orderId));
      },
      'payment.failed': async ({ data }, { em, afterCommit }) => {
        if (await onPaymentFailed(em, data.orderId, data.code)) afterCommit(() => announce(data.orderId));
      },
    },
    ignore: ['payment.refunded'],
  });

  const claims = await startOrderClaims(base, `${prefix}-claims`);

  const stopSweeper = startPeriodic(
    'order timeout sweep',
    options.sweepEveryMs ?? 1000,
    () =>
      transaction(
        deps.orm.em,
        async ({ em, afterCommit }) => {
          for (const id of await failTimedOut(em)) afterCommit(() => announce(id));
        },
        { log: deps.log, outbox: deps.outbox },
      ),
    deps.log,
  );

  return [async () => void (await Promise.all([checkouts.stop(), inventory.stop(), payments.stop(), claims.stop()])), stopSweeper];
}

/**
 * Accounts → orders: a customer with a verified email claims the guest orders placed with it. In the
 * inbox transaction; a redelivery (or a second claim) finds no guest orders left to change. Each
 * claimed order's `order.customer.assigned` leaves through the outbox (woken after the commit).
 */
export function startOrderClaims(
  base: { em: EntityManager; nc: NatsConnection; log: Logger; outbox?: { notify(): void } },
  durable: string,
): Promise<EventConsumer> {
  return startConsumer({
    ...base,
    stream: 'ACCOUNT',
    durable,
    filterSubject: ACCOUNT_ORDERS_CLAIM_REQUESTED,
    handlers: {
      [ACCOUNT_ORDERS_CLAIM_REQUESTED]: async ({ data }, uow) => {
        const claimed = await claimGuestOrders(uow, data);
        // Not the email: customer id and count say what happened without personal data in the log.
        base.log.info({ customerId: data.customerId, claimed: claimed.length }, 'guest orders claimed');
      },
    },
  });
}
