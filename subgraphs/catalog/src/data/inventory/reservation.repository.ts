import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { StockLine } from '@shop/platform';
import type { ShortProduct } from '../../domain/inventory.ts';
import { StockReservationLineSchema, StockReservationSchema, type StockReservation } from './stock-reservation.entity.ts';

/**
 * Stock reservations (`stock_reservation` + its lines), always in the caller's transaction. The
 * claims (insert-if-absent), the sweeper's `skip locked` scan and the conditional return stay SQL;
 * the rest goes through the entities.
 */
export class ReservationRepository {
  /** Claims the order for a reservation; false if it has a row already (a repeat or a tombstone). */
  async claim(em: EntityManager, orderId: string, expiresAt: Date, now: Date): Promise<boolean> {
    // `on conflict do nothing`: a concurrent duplicate waits on this row, then sees it taken.
    const claimed = await em.execute<{ affectedRows: number }>(
      `insert into stock_reservation (order_id, status, expires_at, created_at, updated_at)
       values (?, 'RESERVED', ?, ?, ?) on conflict (order_id) do nothing`,
      [orderId, expiresAt.toISOString(), now.toISOString(), now.toISOString()],
      'run',
    );
    return claimed.affectedRows === 1;
  }

  /** Records a RELEASED row without lines for an order never reserved here; false if it has a row. */
  async tombstone(em: EntityManager, orderId: string, reason: string, now: Date): Promise<boolean> {
    // `on conflict do nothing`: the existing row (a reservation) wins.
    const inserted = await em.execute<{ affectedRows: number }>(
      `insert into stock_reservation (order_id, status, reason, created_at, updated_at)
       values (?, 'RELEASED', ?, ?, ?) on conflict (order_id) do nothing`,
      [orderId, reason, now.toISOString(), now.toISOString()],
      'run',
    );
    return inserted.affectedRows === 1;
  }

  /** The order's reservation; `lock` holds it (for update) until the transaction ends. */
  async load(em: EntityManager, orderId: string, lock: boolean): Promise<StockReservation> {
    const row = await em.findOne(
      StockReservationSchema,
      { orderId },
      lock ? { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true } : { refresh: true },
    );
    if (!row) throw new Error(`stock reservation ${orderId} vanished`);
    return row;
  }

  /** The order's lines, in variant id order (the order stock rows are locked in). A line's `productId` is the variant's id. */
  async lines(em: EntityManager, orderId: string): Promise<StockLine[]> {
    return this.linesOf(em, [orderId]);
  }

  /** The lines of several orders, in variant id order. */
  async linesOf(em: EntityManager, orderIds: readonly string[]): Promise<StockLine[]> {
    const rows = await em.find(StockReservationLineSchema, { orderId: { $in: [...orderIds] } }, { orderBy: { variantId: 'asc' } });
    return rows.map((row) => ({ productId: row.variantId, quantity: row.quantity }));
  }

  async insertLines(em: EntityManager, orderId: string, lines: readonly StockLine[]): Promise<void> {
    await em.insertMany(
      StockReservationLineSchema,
      lines.map((line) => ({ orderId, variantId: line.productId, quantity: line.quantity })),
    );
  }

  async reject(em: EntityManager, orderId: string, shortProducts: ShortProduct[], now: Date): Promise<void> {
    await em.nativeUpdate(StockReservationSchema, { orderId }, { status: 'REJECTED', expiresAt: null, shortProducts, updatedAt: now });
  }

  async settle(em: EntityManager, orderId: string, status: 'COMMITTED' | 'RELEASED', reason: string | null, now: Date): Promise<void> {
    await em.nativeUpdate(StockReservationSchema, { orderId }, { status, reason, updatedAt: now });
  }

  /** Claims up to `limit` reservations expired by `now`, oldest first, skipping those another transaction holds. */
  async claimExpired(em: EntityManager, now: Date, limit: number): Promise<string[]> {
    // `for update skip locked`: several sweepers take disjoint batches and never wait on a settling order.
    const due = await em.execute<Array<Pick<StockReservation, 'orderId'>>>(
      `select order_id as "orderId" from stock_reservation
       where status = 'RESERVED' and expires_at <= ?
       order by expires_at limit ? for update skip locked`,
      [now.toISOString(), limit],
    );
    return due.map((row) => row.orderId);
  }

  async releaseAll(em: EntityManager, orderIds: readonly string[], reason: string, now: Date): Promise<void> {
    await em.nativeUpdate(StockReservationSchema, { orderId: { $in: [...orderIds] } }, { status: 'RELEASED', reason, updatedAt: now });
  }

  /** Marks a committed order's stock returned, once; false if it is not committed or already returned. */
  async markReturned(em: EntityManager, orderId: string, now: Date): Promise<boolean> {
    // Conditional update: of concurrent returns only one sees its row change.
    const marked = await em.execute<{ affectedRows: number }>(
      `update stock_reservation set returned_at = ?, updated_at = ? where order_id = ? and status = 'COMMITTED' and returned_at is null`,
      [now.toISOString(), now.toISOString(), orderId],
      'run',
    );
    return marked.affectedRows === 1;
  }
}
