import {
  CHECKOUT_REQUESTED,
  INVENTORY_REJECTED,
  INVENTORY_RESERVED,
  PAYMENT_CAPTURED,
  PAYMENT_FAILED,
  startConsumer,
  type CheckoutRequested,
  type PaymentFailed,
  type StockRejected,
  type SubgraphDeps,
  startPeriodic,
  publishOrderChanged,
} from '@shop/platform';
import { failTimedOut, onPaymentCaptured, onPaymentFailed, onStockRejected, onStockReserved, startOrder, type SagaTimeouts } from '../domain/order-saga.ts';

export interface OrderWorkerOptions {
  timeouts: SagaTimeouts;
  /** Durable consumer name prefix (tests use their own). */
  durablePrefix?: string;
  sweepEveryMs?: number;
}

/** After a committed order change: nudge the outbox relay and tell live order views (orderUpdated). */
export function afterOrderCommit(deps: Pick<SubgraphDeps, 'outbox' | 'redis' | 'log'>): (orderId: string) => Promise<void> {
  return (orderId) => {
    deps.outbox.notify();
    return publishOrderChanged(deps.redis, deps.log, orderId);
  };
}

/**
 * The saga, driven by events: checkout → order + reservation request; reserved → payment request;
 * captured → confirmed (+ commit stock); rejected / failed / timed out → compensations. Every
 * handler runs in its consumer's inbox transaction, so redelivery has no second effect, and the
 * state lives in the database, so a restart resumes where it stopped.
 */
export async function startOrderWorkers(deps: SubgraphDeps, options: OrderWorkerOptions): Promise<Array<() => Promise<void>>> {
  const prefix = options.durablePrefix ?? 'order';
  const { timeouts } = options;
  const committed = afterOrderCommit(deps);
  const announce = (orderId: string) => () => committed(orderId);
  const base = { em: deps.orm.em, nc: deps.nc, log: deps.log };

  const checkouts = await startConsumer<CheckoutRequested>({
    ...base,
    stream: 'CHECKOUT',
    durable: `${prefix}-checkouts`,
    filterSubject: CHECKOUT_REQUESTED,
    handle: async (tx, event, afterCommit) => {
      if (await startOrder(tx, event.data, timeouts)) afterCommit(announce(event.data.checkoutId));
    },
  });
  const inventory = await startConsumer<{ orderId: string }>({
    ...base,
    stream: 'INVENTORY',
    durable: `${prefix}-inventory`,
    filterSubject: 'inventory.>',
    handle: async (tx, event, afterCommit) => {
      const { orderId } = event.data;
      let changed = false;
      if (event.subject === INVENTORY_RESERVED) changed = await onStockReserved(tx, orderId, timeouts);
      else if (event.subject === INVENTORY_REJECTED) {
        const short = (event.data as StockRejected).shortProducts ?? [];
        changed = await onStockRejected(tx, orderId, `Not enough stock for ${short.length} product(s)`);
      }
      if (changed) afterCommit(announce(orderId));
    },
  });
  const payments = await startConsumer<{ orderId: string }>({
    ...base,
    stream: 'PAYMENT',
    durable: `${prefix}-payments`,
    filterSubject: 'payment.>',
    handle: async (tx, event, afterCommit) => {
      const { orderId } = event.data;
      let changed = false;
      if (event.subject === PAYMENT_CAPTURED) changed = await onPaymentCaptured(tx, orderId);
      else if (event.subject === PAYMENT_FAILED) changed = await onPaymentFailed(tx, orderId, (event.data as PaymentFailed).code);
      if (changed) afterCommit(announce(orderId));
    },
  });

  const stopSweeper = startPeriodic('order timeout sweep', options.sweepEveryMs ?? 1000, async () => {
    const failed = await deps.orm.em.fork().transactional((tx) => failTimedOut(tx));
    for (const id of failed) await announce(id)();
  }, deps.log);

  return [async () => void (await Promise.all([checkouts.stop(), inventory.stop(), payments.stop()])), stopSweeper];
}
