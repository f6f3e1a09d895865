import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Identity, Logger } from '@shop/platform';
import { PaymentService } from './domain/payment.service.ts';
import type { Payment } from './data/payment.entity.ts';

export interface Context {
  identity: Identity;
  log: Logger;
  paymentByOrderId: DataLoader<string, Payment | null>;
  paymentById: DataLoader<string, Payment | null>;
}

export function createContext(em: EntityManager, identity: Identity, log: Logger): Context {
  const payments = new PaymentService(em.fork());
  return {
    identity,
    log,
    paymentByOrderId: new DataLoader((ids) => payments.visibleByOrderIds(ids, identity)),
    paymentById: new DataLoader((ids) => payments.visibleByIds(ids, identity)),
  };
}
