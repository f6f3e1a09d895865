import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Identity, Logger, UnitOfWorkOptions } from '@shop/platform';
import { OrderService } from './domain/order.service.ts';
import { OrderAdminService } from './domain/order-admin.service.ts';
import type { Order } from './data/order.entity.ts';

export interface Context {
  identity: Identity;
  log: Logger;
  orders: OrderService;
  changes: OrderAdminService;
  /** Visible orders by id: one query per batch, null where not found or not the caller's. */
  orderById: DataLoader<string, Order | null>;
  /** The order as committed (after a mutation), bypassing this request's loader cache. */
  freshOrder: (id: string) => Promise<Order | null>;
}

/** `changed` (order-changed message) runs after each committed order change; the outbox is woken after commits that emitted. */
export function createContext(
  em: EntityManager,
  identity: Identity,
  log: Logger,
  changed: (orderId: string) => unknown = () => undefined,
  unitOfWork: UnitOfWorkOptions = {},
): Context {
  const orders = new OrderService(em);
  return {
    identity,
    log,
    orders,
    changes: new OrderAdminService(em, changed, unitOfWork),
    orderById: new DataLoader((ids) => orders.visibleByIds(ids, identity)),
    freshOrder: async (id) => (await orders.visibleByIds([id], identity, { fresh: true }))[0] ?? null,
  };
}
