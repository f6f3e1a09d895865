import type { EntityManager } from '@mikro-orm/postgresql';
import { BadUserInputError, decodeCursor, encodeCursor, isUuid, toConnection, type Connection, type Identity } from '@shop/platform';
import type { Order } from '../data/order.entity.ts';
import { findOrderPage, findOrdersByIds } from '../data/order.repository.ts';
import { canSeeOrder } from './order-access.ts';

/** "ORD-001234": the number customers read out on the phone. */
export const displayNumber = (number: number | bigint | string) => `ORD-${String(number).padStart(6, '0')}`;

/** The keyset a cursor carries; anything that does not decode to a date and a uuid is refused. */
function readCursor(after: string): { createdAt: Date; id: string } {
  const [createdAt, id] = decodeCursor<[string, string]>(after, 2);
  const date = new Date(createdAt);
  if (Number.isNaN(date.getTime()) || !isUuid(id)) throw new BadUserInputError('Invalid cursor', ['after']);
  return { createdAt: date, id };
}

export class OrderService {
  private readonly em: EntityManager;
  constructor(em: EntityManager) {
    this.em = em;
  }

  /**
   * Orders by id with lines and history (one query each, whatever the batch size); invisible ones
   * come back null. `fresh`: as committed, past what this request already read.
   */
  async visibleByIds(ids: readonly string[], identity: Identity, options: { fresh?: boolean } = {}): Promise<Array<Order | null>> {
    const wellFormed = ids.filter(isUuid);
    const rows = await findOrdersByIds(this.em, wellFormed, options);
    const byId = new Map(rows.map((o) => [o.id, o]));
    return ids.map((id) => {
      const order = byId.get(id);
      return order && canSeeOrder(order, identity) ? order : null;
    });
  }

  /** A customer's orders, newest first (keyset on created_at desc, id desc). */
  listForCustomer(customerId: string, first: number, after?: string | null): Promise<Connection<Order>> {
    return this.list({ customerId, first, after });
  }

  /** Orders newest first; all of them when `customerId` is undefined (admins), optionally by status. */
  async list(options: { customerId?: string; status?: string | null; first: number; after?: string | null }): Promise<Connection<Order>> {
    const cursor = options.after ? readCursor(options.after) : null;
    const { rows, totalCount } = await findOrderPage(this.em, options, options.first, cursor);
    return toConnection(rows, options.first, totalCount, (o) => encodeCursor([o.createdAt.toISOString(), o.id]), Boolean(options.after));
  }
}
