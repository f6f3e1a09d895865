import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Identity, Logger } from '@shop/platform';
import { OrderService } from './domain/order.service.ts';
import type { Order } from './data/order.entity.ts';

export interface Context {
  identity: Identity;
  log: Logger;
  orders: OrderService;
  /** Visible orders by id: one query per batch, null where not found or not the caller's. */
  orderById: DataLoader<string, Order | null>;
}

export function createContext(em: EntityManager, identity: Identity, log: Logger): Context {
  const orders = new OrderService(em.fork());
  return { identity, log, orders, orderById: new DataLoader((ids) => orders.visibleByIds(ids, identity)) };
}
