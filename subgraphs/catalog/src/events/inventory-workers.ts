import type { EntityManager } from '@mikro-orm/postgresql';
import {
  ORDER_STOCK_COMMIT,
  ORDER_STOCK_RELEASE,
  ORDER_STOCK_RESERVE,
  ORDER_STOCK_RETURN,
  startConsumer,
  type EventEnvelope,
  type Logger,
  type StockLine,
  type SubgraphDeps,
  startPeriodic,
} from '@shop/platform';
import { InventoryService, type CommandResult, type InventoryServiceOptions } from '../domain/inventory.service.ts';

export interface InventoryWorkerOptions extends Omit<InventoryServiceOptions, 'log'> {
  /** Durable consumer name on the ORDER stream (also the inbox key); unique per test run. */
  durable?: string;
  /** How often the sweeper looks for expired reservations. */
  sweepIntervalMs?: number;
  /** Reservations released per sweeper transaction. */
  sweepBatchSize?: number;
}

export const INVENTORY_DURABLE = 'catalog-inventory';

type StockCommandData = Partial<{ orderId: string; lines: StockLine[]; reason: string }>;

/** Runs one saga command inside the consumer's transaction (inbox row + stock + outbox together). */
async function dispatch(service: InventoryService, tx: EntityManager, event: EventEnvelope<StockCommandData>, log: Logger): Promise<void> {
  const data = event.data ?? {};
  const orderId = String(data.orderId ?? '');
  let result: CommandResult;
  switch (event.subject) {
    case ORDER_STOCK_RESERVE:
      result = await service.reserve(tx, orderId, data.lines ?? []);
      break;
    case ORDER_STOCK_COMMIT:
      result = await service.commit(tx, orderId);
      break;
    case ORDER_STOCK_RELEASE:
      result = await service.release(tx, orderId, String(data.reason ?? ''));
      break;
    case ORDER_STOCK_RETURN: {
      const returned = await service.returnStock(tx, orderId);
      log.info({ subject: event.subject, orderId, returned }, 'stock return handled');
      return;
    }
    default:
      log.warn({ subject: event.subject, eventId: event.id }, 'unknown stock command ignored');
      return;
  }
  log.info({ subject: event.subject, orderId, effect: result.effect, status: result.outcome?.status }, 'stock command handled');
}

/**
 * An EntityManager whose transactions nudge the outbox relay once they commit, so the answers
 * leave at once instead of on the relay's next poll (a nudge before the commit would find nothing).
 */
function notifyingEm(em: EntityManager, notify: () => void): EntityManager {
  const fork = em.fork({ cloneEventManager: true });
  fork.getEventManager().registerSubscriber({ afterTransactionCommit: () => notify() });
  return fork;
}

/**
 * The catalog's side of the checkout saga: a durable consumer of `order.stock.>` on the ORDER
 * stream answering through the outbox on INVENTORY, and the sweeper that releases reservations
 * nobody paid for in time. Safe to run in several catalog processes (shared durable, SKIP LOCKED).
 */
export async function startInventoryWorkers(
  deps: Pick<SubgraphDeps, 'orm' | 'nc' | 'log' | 'outbox'>,
  options: InventoryWorkerOptions = {},
): Promise<Array<() => Promise<void>>> {
  const { durable = INVENTORY_DURABLE, sweepIntervalMs = 5_000, sweepBatchSize = 100, ...serviceOptions } = options;
  const log = deps.log.child({ component: 'inventory' });
  const service = new InventoryService({ ...serviceOptions, log });
  const em = notifyingEm(deps.orm.em, () => deps.outbox.notify());

  const consumer = await startConsumer<StockCommandData>({
    em,
    nc: deps.nc,
    log,
    stream: 'ORDER',
    durable,
    filterSubject: 'order.stock.>',
    handle: (tx, event) => dispatch(service, tx, event, log),
  });
  const clock = serviceOptions.clock ?? (() => new Date());
  // Releases reservations nobody paid for in time, batch after batch until none are due.
  const stopSweeper = startPeriodic('reservation sweeper', sweepIntervalMs, async () => {
    let released: number;
    do {
      released = (await em.fork().transactional((tx) => service.releaseExpired(tx, clock(), sweepBatchSize))).length;
    } while (released === sweepBatchSize);
  }, log);
  return [() => consumer.stop(), stopSweeper];
}
