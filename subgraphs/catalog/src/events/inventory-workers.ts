import {
  CATALOG_STOCK_CHANGED,
  startConsumer,
  startPeriodic,
  transaction,
  type CatalogEnvelope,
  type Logger,
  type NatsConnection,
  type ProductChanged,
  type SubgraphDeps,
  type UnitOfWork,
} from '@shop/platform';
import { InventoryService, type CommandResult, type InventoryServiceOptions } from '../domain/inventory.service.ts';
import { startStockReserveResponder } from './stock-reserve.responder.ts';

export interface InventoryWorkerOptions extends Omit<InventoryServiceOptions, 'log' | 'announceCount'> {
  /** Durable consumer name on the ORDER stream (also the inbox key); unique per test run. */
  durable?: string;
  /** How often the sweeper looks for expired reservations. */
  sweepIntervalMs?: number;
  /** Reservations released per sweeper transaction. */
  sweepBatchSize?: number;
  /** Subject of the order's reservation requests (tests sharing one NATS server use their own). */
  reserveSubject?: string;
}

export const INVENTORY_DURABLE = 'catalog-inventory';

/** Count-only stock moves on core NATS (CATALOG_STOCK_CHANGED): fire and forget, a lost one costs a cache TTL. */
export function stockCountPublisher(nc: NatsConnection, log: Logger): (change: ProductChanged) => void {
  let failing = false;
  return (change) => {
    try {
      nc.publish(CATALOG_STOCK_CHANGED, JSON.stringify(change));
      failing = false;
    } catch (error) {
      if (!failing) log.warn({ err: error }, 'stock count not announced; cached counts stay until their TTL');
      failing = true;
    }
  };
}

type Handler<S extends 'order.stock.reserve' | 'order.stock.commit' | 'order.stock.release' | 'order.stock.return'> = (
  event: CatalogEnvelope<S>,
  uow: UnitOfWork,
) => Promise<void>;

/** The saga's stock commands, each in the consumer's transaction (inbox row + stock + outbox together). */
function handlers(service: InventoryService, log: Logger) {
  const handled = ({ subject, data }: { subject: string; data: { orderId: string } }, result: CommandResult) =>
    log.info({ subject, orderId: data.orderId, effect: result.effect, status: result.outcome?.status }, 'stock command handled');
  const reserve: Handler<'order.stock.reserve'> = async (event, { em }) =>
    handled(event, await service.reserve(em, event.data.orderId, event.data.lines));
  const commit: Handler<'order.stock.commit'> = async (event, { em }) => handled(event, await service.commit(em, event.data.orderId));
  const release: Handler<'order.stock.release'> = async (event, { em }) =>
    handled(event, await service.release(em, event.data.orderId, event.data.reason));
  const returnStock: Handler<'order.stock.return'> = async ({ subject, data }, { em }) => {
    const returned = await service.returnStock(em, data.orderId);
    log.info({ subject, orderId: data.orderId, returned }, 'stock return handled');
  };
  return { 'order.stock.reserve': reserve, 'order.stock.commit': commit, 'order.stock.release': release, 'order.stock.return': returnStock };
}

/**
 * The catalog's side of the checkout saga: the responder to the order's reservation requests, a
 * durable consumer of `order.stock.>` on the ORDER stream answering through the outbox on
 * INVENTORY (the reservation when the request got no answer, and commits, releases and returns),
 * and the sweeper that releases reservations nobody paid for in time. Safe to run in several catalog processes (shared durable, SKIP LOCKED).
 */
export async function startInventoryWorkers(
  deps: Pick<SubgraphDeps, 'orm' | 'nc' | 'log' | 'outbox'>,
  options: InventoryWorkerOptions = {},
): Promise<Array<() => Promise<void>>> {
  const { durable = INVENTORY_DURABLE, sweepIntervalMs = 5_000, sweepBatchSize = 100, reserveSubject, ...serviceOptions } = options;
  const log = deps.log.child({ component: 'inventory' });
  const service = new InventoryService({ ...serviceOptions, log, announceCount: stockCountPublisher(deps.nc, log) });
  // Answers leave as soon as their transaction commits (the unit of work wakes the relay).
  const consumer = await startConsumer({
    em: deps.orm.em,
    nc: deps.nc,
    log,
    outbox: deps.outbox,
    stream: 'ORDER',
    durable,
    filterSubject: 'order.stock.>',
    handlers: handlers(service, log),
  });
  const clock = serviceOptions.clock ?? (() => new Date());
  // Releases reservations nobody paid for in time, batch after batch until none are due.
  const stopSweeper = startPeriodic(
    'reservation sweeper',
    sweepIntervalMs,
    async () => {
      let released: number;
      do {
        released = (await transaction(deps.orm.em, ({ em }) => service.releaseExpired(em, clock(), sweepBatchSize), { log, outbox: deps.outbox }))
          .length;
      } while (released === sweepBatchSize);
    },
    log,
  );
  const stopResponder = startStockReserveResponder({ ...deps, log }, service, reserveSubject);
  return [stopResponder, () => consumer.stop(), stopSweeper];
}
