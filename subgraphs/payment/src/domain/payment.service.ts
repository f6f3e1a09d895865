import type { EntityManager } from '@mikro-orm/postgresql';
import type { Identity } from '@shop/platform';
import { PaymentSchema, type Payment } from '../data/payment.entity.ts';

// Keys arrive from the gateway and clients; a malformed one is "not found", not a database error
// (which would also fail every other key in the same DataLoader batch).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
    return this.visibleBy('orderId', orderIds, identity);
  }

  /** Payments by id in one query, with the same visibility rule. */
  async visibleByIds(ids: readonly string[], identity: Identity): Promise<Array<Payment | null>> {
    return this.visibleBy('id', ids, identity);
  }

  private async visibleBy(key: 'id' | 'orderId', values: readonly string[], identity: Identity): Promise<Array<Payment | null>> {
    const wellFormed = values.filter((value) => UUID.test(value));
    const rows = wellFormed.length ? await this.em.find(PaymentSchema, { [key]: { $in: wellFormed } }) : [];
    const byKey = new Map(rows.map((payment) => [payment[key], payment]));
    return values.map((value) => {
      const payment = byKey.get(value);
      return payment && canSeePayment(payment, identity) ? payment : null;
    });
  }
}
