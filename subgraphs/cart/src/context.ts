import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Identity, Logger } from '@shop/platform';
import { CartService, type CartPolicy } from './domain/cart.service.ts';

export interface Context {
  identity: Identity;
  log: Logger;
  carts: CartService;
  totalQuantityByCart: DataLoader<string, number>;
}

/** Per request: a fresh EntityManager fork and fresh loaders. */
export function createContext(em: EntityManager, identity: Identity, log: Logger, policy: CartPolicy): Context {
  const carts = new CartService(em.fork(), policy);
  return {
    identity,
    log,
    carts,
    totalQuantityByCart: new DataLoader(async (ids) => {
      const totals = await carts.totalQuantity(ids);
      return ids.map((id) => totals.get(id) ?? 0);
    }),
  };
}
