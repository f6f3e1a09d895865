import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { BadUserInputError, decodeCursor, encodeCursor, isUuid, toConnection, type Connection, type Identity } from '@shop/platform';
import type { Order } from '../data/order.entity.ts';
import { findOrderByNumber, findOrderPage, findOrdersByIds } from '../data/order.repository.ts';
import { canSeeOrder, NO_ORDER_TOKEN, sameEmail, type OrderTokenCheck } from './order-access.ts';

/** "ORD-001234": the number customers read out on the phone. */
export const displayNumber = (number: number | bigint | string) => `ORD-${String(number).padStart(6, '0')}`;

/** The number as printed ("ORD-001234"), also without the prefix or the zeros; null when it is none. */
export function parseDisplayNumber(text: string): number | null {
  const match = /^\s*(?:ORD-?)?0*(\d{1,15})\s*$/i.exec(text);
  return match ? Number(match[1]) : null;
}

/**
 * A cursor's instant as `toISOString` writes it, in years 1970–9999 (no order is older, none later).
 * JavaScript reads far more (epoch numbers, years ±275760) that Postgres then refuses (22007/22008),
 * which would fail the query instead of naming the bad input.
 */
const CREATED_AT = z.iso.datetime({ precision: 3 }).refine((at) => at >= '1970-01-01T');

/** The keyset a cursor carries; anything that does not decode to such a date and a uuid is refused. */
export function readCursor(after: string): { createdAt: Date; id: string } {
  const [createdAt, id] = decodeCursor<[string, string]>(after, 2);
  if (!CREATED_AT.safeParse(createdAt).success || !isUuid(id)) throw new BadUserInputError('Invalid cursor', ['after']);
  return { createdAt: new Date(createdAt), id };
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
  async visibleByIds(
    ids: readonly string[],
    identity: Identity,
    options: { fresh?: boolean; holdsToken?: OrderTokenCheck } = {},
  ): Promise<Array<Order | null>> {
    const wellFormed = ids.filter(isUuid);
    const rows = await findOrdersByIds(this.em, wellFormed, options);
    const byId = new Map(rows.map((o) => [o.id, o]));
    return ids.map((id) => {
      const order = byId.get(id);
      return order && canSeeOrder(order, identity, options.holdsToken) ? order : null;
    });
  }

  /**
   * The order with this number, when `email` is the one it was placed with (any case) and the
   * caller may see it (owner, admin, or holder of its access token). Null otherwise, the same null
   * for "no such order", "wrong email" and "not yours": numbers are sequential, so any difference
   * would let a caller enumerate orders.
   */
  async byNumber(number: string, email: string, identity: Identity, holdsToken: OrderTokenCheck = NO_ORDER_TOKEN): Promise<Order | null> {
    const parsed = parseDisplayNumber(number);
    const order = parsed === null ? null : await findOrderByNumber(this.em, parsed);
    return order && sameEmail(order.email, email) && canSeeOrder(order, identity, holdsToken) ? order : null;
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
