import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Identity, Logger, UnitOfWorkOptions } from '@shop/platform';
import { OrderService } from './domain/order.service.ts';
import { OrderAdminService } from './domain/order-admin.service.ts';
import type { Order, OrderLine, OrderStatusChange } from './data/order.entity.ts';
import { historyOf, linesOf } from './data/order.repository.ts';
import { NO_ORDER_TOKEN, type OrderTokenCheck } from './domain/order-access.ts';

export interface Context {
  identity: Identity;
  /** Whether the request presented the access token of an order (header Order-Access-Token). */
  holdsToken: OrderTokenCheck;
  log: Logger;
  orders: OrderService;
  changes: OrderAdminService;
  /** Visible orders by id: one query per batch, null where not found or not the caller's. */
  orderById: DataLoader<string, Order | null>;
  /** The order as committed (after a mutation), bypassing this request's loader cache. */
  freshOrder: (id: string) => Promise<Order | null>;
  /** Lines and status history of orders already read (so already visible): one query per batch. */
  linesByOrder: DataLoader<string, OrderLine[]>;
  historyByOrder: DataLoader<string, OrderStatusChange[]>;
}

/**
 * `changed` (order-changed message) runs after each committed order change; the outbox is woken
 * after commits that emitted. `holdsToken`: see orderTokenCheck (the token opens reads only).
 */
export function createContext(
  em: EntityManager,
  identity: Identity,
  log: Logger,
  changed: (orderId: string) => unknown = () => undefined,
  unitOfWork: UnitOfWorkOptions = {},
  holdsToken: OrderTokenCheck = NO_ORDER_TOKEN,
): Context {
  const orders = new OrderService(em);
  return {
    identity,
    holdsToken,
    log,
    orders,
    changes: new OrderAdminService(em, changed, unitOfWork),
    orderById: new DataLoader((ids) => orders.visibleByIds(ids, identity, { holdsToken })),
    freshOrder: async (id) => (await orders.visibleByIds([id], identity, { fresh: true, holdsToken }))[0] ?? null,
    linesByOrder: new DataLoader((ids) => linesOf(em, ids)),
    historyByOrder: new DataLoader((ids) => historyOf(em, ids)),
  };
}
