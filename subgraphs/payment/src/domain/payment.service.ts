import type { EntityManager } from '@mikro-orm/postgresql';
import type { Identity } from '@shop/platform';
import { PaymentSchema, type Payment } from '../data/payment.entity.ts';

/** A payment is visible to the customer who paid and to admins. */
export function canSeePayment(payment: { customerId?: string | null }, identity: Identity): boolean {
  if (identity.roles.includes('admin')) return true;
  return identity.sub !== null && payment.customerId === identity.sub;
}

export class PaymentService {
  private readonly em: EntityManager;
  constructor(em: EntityManager) {
    this.em = em;
  }

  /** Payments of many orders in one query; null where none exists or the caller may not see it. */
  async visibleByOrderIds(orderIds: readonly string[], identity: Identity): Promise<Array<Payment | null>> {
    const rows = await this.em.find(PaymentSchema, { orderId: { $in: [...orderIds] } });
    const byOrder = new Map(rows.map((p) => [p.orderId, p]));
    return orderIds.map((id) => {
      const payment = byOrder.get(id);
      return payment && canSeePayment(payment, identity) ? payment : null;
    });
  }

  async visibleByIds(ids: readonly string[], identity: Identity): Promise<Array<Payment | null>> {
    const rows = await this.em.find(PaymentSchema, { id: { $in: [...ids] } });
    const byId = new Map(rows.map((p) => [p.id, p]));
    return ids.map((id) => {
      const payment = byId.get(id);
      return payment && canSeePayment(payment, identity) ? payment : null;
    });
  }
}
