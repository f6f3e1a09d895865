import type { EntityManager } from '@mikro-orm/postgresql';
import { decodeCursor, encodeCursor, toConnection, type Connection, type Identity } from '@shop/platform';
import { OrderSchema, type Order } from '../data/order.entity.ts';
import { canSeeOrder } from './order-access.ts';

/** "ORD-001234": the number customers read out on the phone. */
export const displayNumber = (number: number | bigint | string) => `ORD-${String(number).padStart(6, '0')}`;

const POPULATE = ['lines', 'statusHistory'] as const;

export class OrderService {
  private readonly em: EntityManager;
  constructor(em: EntityManager) {
    this.em = em;
  }

  /** Orders by id with lines and history in one round of queries; invisible ones come back null. */
  async visibleByIds(ids: readonly string[], identity: Identity): Promise<Array<Order | null>> {
    const rows = await this.em.find(OrderSchema, { id: { $in: [...ids] } }, { populate: POPULATE });
    const byId = new Map(rows.map((o) => [o.id, o]));
    return ids.map((id) => {
      const order = byId.get(id);
      return order && canSeeOrder(order, identity) ? order : null;
    });
  }

  /** A customer's orders, newest first (keyset on created_at desc, id desc). */
  async listForCustomer(customerId: string, first: number, after?: string | null): Promise<Connection<Order>> {
    const where: Record<string, unknown> = { customerId };
    const totalCount = await this.em.count(OrderSchema, where);
    if (after) {
      const [createdAt, id] = decodeCursor<[string, string]>(after, 2);
      where.$or = [{ createdAt: { $lt: new Date(createdAt) } }, { createdAt: new Date(createdAt), id: { $lt: id } }];
    }
    const rows = await this.em.find(OrderSchema, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: first + 1, populate: POPULATE });
    return toConnection(rows, first, totalCount, (o) => encodeCursor([o.createdAt.toISOString(), o.id]), Boolean(after));
  }
}
