import type { EntityManager } from '@mikro-orm/postgresql';
import {
  ForbiddenError,
  hasAdminRole,
  isUuid,
  ORDER_PAYMENT_REFUND,
  ORDER_STOCK_RELEASE,
  ORDER_STOCK_RETURN,
  transaction,
  userError,
  type Identity,
  type UnitOfWork,
  type UnitOfWorkOptions,
  type UserError,
} from '@shop/platform';
import { lockOrder, setTrackingNumber } from '../data/order.repository.ts';
import { moveOrder } from './order-saga.ts';
import { canMove, orderStatusPhrase } from './order-transitions.ts';

export interface OrderChangeResult {
  orderId: string | null;
  userErrors: UserError[];
}

/**
 * Cancel, ship, deliver: each one transaction on the locked order row. Not the caller's order, or
 * no such order: FORBIDDEN, the same for both. An illegal transition is a userError naming the
 * current status.
 */
export class OrderAdminService {
  private readonly em: EntityManager;
  /** After each committed change of an order (order-changed message). */
  private readonly changed: (orderId: string) => unknown;
  private readonly unitOfWork: UnitOfWorkOptions;
  constructor(em: EntityManager, changed: (orderId: string) => unknown, unitOfWork: UnitOfWorkOptions = {}) {
    this.em = em;
    this.changed = changed;
    this.unitOfWork = unitOfWork;
  }

  private async change(id: string, work: (tx: EntityManager, uow: UnitOfWork) => Promise<UserError[]>): Promise<OrderChangeResult> {
    const userErrors = await transaction(
      this.em,
      async (uow) => {
        const errors = await work(uow.em, uow);
        if (errors.length === 0) uow.afterCommit(() => this.changed(id));
        return errors;
      },
      this.unitOfWork,
    );
    return { orderId: id, userErrors };
  }

  /** The owner (before it ships) or an admin: refund what was paid, give the stock back. */
  cancel(id: string, identity: Identity, reason: string | null | undefined): Promise<OrderChangeResult> {
    return this.change(id, async (tx, { emit }) => {
      const order = isUuid(id) ? await lockOrder(tx, id) : null;
      const isAdmin = hasAdminRole(identity);
      if (!order || (!isAdmin && (!identity.sub || order.customerId !== identity.sub))) throw new ForbiddenError('Order not found or not yours');
      const was = order.status;
      if (!canMove(was, 'CANCELLED')) return [userError('INVALID_STATUS', `${orderStatusPhrase(was)} and can no longer be cancelled`, ['id'])];
      await moveOrder(tx, order, 'CANCELLED', reason?.trim() || (isAdmin ? 'cancelled by an admin' : 'cancelled by the customer'), null);
      if (was === 'CONFIRMED') {
        // Paid and committed: refund in full and put the sold units back on the shelf.
        await emit(ORDER_PAYMENT_REFUND, { orderId: id, amount: null, reason: 'order cancelled', idempotencyKey: `cancel:${id}` });
        await emit(ORDER_STOCK_RETURN, { orderId: id, reason: 'CANCELLED' });
      } else {
        // Not paid yet: release the reservation (a capture that still arrives is refunded by the saga).
        await emit(ORDER_STOCK_RELEASE, { orderId: id, reason: 'CANCELLED' });
      }
      return [];
    });
  }

  ship(id: string, trackingNumber: string): Promise<OrderChangeResult> {
    return this.change(id, async (tx) => {
      const tracking = trackingNumber.trim();
      if (!tracking || tracking.length > 100)
        return [userError('INVALID', 'A tracking number of 1 to 100 characters is required', ['trackingNumber'])];
      const order = isUuid(id) ? await lockOrder(tx, id) : null;
      if (!order) return [userError('NOT_FOUND', 'No such order', ['id'])];
      if (!canMove(order.status, 'SHIPPED')) return [userError('INVALID_STATUS', `${orderStatusPhrase(order.status)} and cannot ship`, ['id'])];
      // Before the move: the order.status.shipped event carries the tracking number (shipping email).
      await setTrackingNumber(tx, id, tracking);
      await moveOrder(tx, order, 'SHIPPED', `tracking ${tracking}`, null);
      return [];
    });
  }

  deliver(id: string): Promise<OrderChangeResult> {
    return this.change(id, async (tx) => {
      const order = isUuid(id) ? await lockOrder(tx, id) : null;
      if (!order) return [userError('NOT_FOUND', 'No such order', ['id'])];
      if (!(await moveOrder(tx, order, 'DELIVERED', null, null)))
        return [userError('INVALID_STATUS', `${orderStatusPhrase(order.status)}; only a shipped order can be delivered`, ['id'])];
      return [];
    });
  }
}
