import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { NO_ORDER_TOKEN, type Identity, type Logger, type OrderTokenCheck } from '@shop/platform';
import { PaymentService } from './domain/payment.service.ts';
import { RefundService, type RefundRow } from './domain/refund.service.ts';
import type { PaymentProvider } from './domain/provider.ts';
import type { Payment } from './data/payment.entity.ts';

export interface Context {
  identity: Identity;
  log: Logger;
  paymentByOrderId: DataLoader<string, Payment | null>;
  paymentById: DataLoader<string, Payment | null>;
  /** Refunds per payment id (callers check the payment's visibility first). */
  refundsByPaymentId: DataLoader<string, RefundRow[]>;
  refunds: RefundService;
  /** A payment read afresh (not from this request's identity map), e.g. after a mutation changed it. */
  freshPayment: (id: string) => Promise<Payment | null>;
}

export interface ContextOptions {
  /** The resilient provider; without it the refund mutation cannot settle (reads still work). */
  provider?: PaymentProvider;
  /** After a committed refund: tells live order views. */
  changed?: (orderId: string) => unknown;
  outbox?: { notify(): void };
  /** Whether the request presented an order's access token (header Order-Access-Token): opens that order's payment for reading. */
  holdsToken?: OrderTokenCheck;
}

export function createContext(em: EntityManager, identity: Identity, log: Logger, options: ContextOptions = {}): Context {
  const payments = new PaymentService(em);
  const refunds = new RefundService(em, { ...options, log });
  const holdsToken = options.holdsToken ?? NO_ORDER_TOKEN;
  return {
    identity,
    log,
    paymentByOrderId: new DataLoader((ids) => payments.visibleByOrderIds(ids, identity, { holdsToken })),
    paymentById: new DataLoader((ids) => payments.visibleByIds(ids, identity, { holdsToken })),
    refundsByPaymentId: new DataLoader((ids) => refunds.byPaymentIds(ids)),
    refunds,
    freshPayment: async (id) => (await payments.visibleByIds([id], identity, { fresh: true, holdsToken }))[0] ?? null,
  };
}
