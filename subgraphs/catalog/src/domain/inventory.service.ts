import type { EntityManager } from '@mikro-orm/postgresql';
import { emitEvent, isUuid, PRODUCT_CHANGED, type Logger, type StockLine } from '@shop/platform';
import {
  answerFor,
  decide,
  DEFAULT_RESERVATION_TTL_SECONDS,
  EXPIRED,
  normalizeLines,
  NOT_RESERVED,
  shortages,
  sortLines,
  stockChanged,
  sumByProduct,
  type Outcome,
  type ProductStock,
  type ReservationStatus,
  type ShortProduct,
  type StockCommand,
  type StockLevel,
} from './inventory.ts';

export interface InventoryServiceOptions {
  /** How long reserved stock is held for an unpaid order (catalog config: INVENTORY_RESERVATION_TTL_SECONDS). */
  reservationTtlSeconds?: number;
  log?: Logger;
  /** Time source for expiry (tests). */
  clock?: () => Date;
}

/**
 * - applied: this call changed the reservation (and stock, unless it was a rejection or tombstone)
 * - repeated: the order already had an outcome; it is answered again, nothing changes
 * - invalid: the order id is not a uuid; nothing is recorded or answered
 */
export interface CommandResult {
  effect: 'applied' | 'repeated' | 'invalid';
  outcome: Outcome | null;
}

interface ReservationRow {
  status: ReservationStatus;
  reason: string | null;
  shortProducts: ShortProduct[] | null;
  expiresAt: Date | string | null;
}

const PRODUCT_STOCK = 'id, sku, price_amount as "priceAmount", currency, on_hand as "onHand", reserved, deleted_at as "deletedAt"';
const RESERVATION = 'status, reason, short_products as "shortProducts", expires_at as "expiresAt"';

/**
 * Stock reservations for the checkout saga. Every method takes the caller's transaction, so the
 * inbox row, the stock change and the outbox events (answer + product.changed) commit together.
 * Stock only moves through conditional single-statement updates, product rows are always locked
 * in product id order, and the per-order `stock_reservation` row makes every command idempotent.
 */
export class InventoryService {
  private readonly ttlMs: number;
  private readonly log: Logger | undefined;
  private readonly clock: () => Date;

  constructor(options: InventoryServiceOptions = {}) {
    const ttl = options.reservationTtlSeconds ?? DEFAULT_RESERVATION_TTL_SECONDS;
    if (!(ttl > 0)) throw new Error(`reservation TTL must be positive, got ${ttl}`);
    this.ttlMs = ttl * 1000;
    this.log = options.log;
    this.clock = options.clock ?? (() => new Date());
  }

  /** All lines or none; a repeat answers the first outcome again. */
  async reserve(em: EntityManager, orderId: string, lines: readonly StockLine[]): Promise<CommandResult> {
    if (!isUuid(orderId)) return this.invalid('reserve', orderId);
    const now = this.clock();
    const expiresAt = new Date(now.getTime() + this.ttlMs);
    // The row is the claim: a concurrent duplicate waits on it here and then sees our outcome.
    const claimed = await em.execute<{ affectedRows: number }>(
      `insert into stock_reservation (order_id, status, expires_at, created_at, updated_at)
       values (?, 'RESERVED', ?, ?, ?) on conflict (order_id) do nothing`,
      [orderId, expiresAt.toISOString(), now.toISOString(), now.toISOString()],
      'run',
    );
    if (claimed.affectedRows === 0) return this.answerAgain(em, 'reserve', orderId, await this.load(em, orderId, false));

    const checked = normalizeLines(lines);
    if (!checked.ok) {
      this.log?.warn({ orderId, invalid: checked.invalid }, 'stock reserve with invalid lines rejected');
      return this.reject(em, orderId, checked.invalid, now);
    }

    // Every line is tried (to name every short product); a savepoint undoes the ones that succeeded.
    await em.execute('savepoint reserve_lines', [], 'run');
    const reserved: ProductStock[] = [];
    const failed: StockLine[] = [];
    for (const line of checked.lines) {
      const [row] = await em.execute<ProductStock[]>(
        `update product set reserved = reserved + ?
         where id = ? and deleted_at is null and on_hand - reserved >= ?
         returning ${PRODUCT_STOCK}`,
        [line.quantity, line.productId, line.quantity],
      );
      if (row) reserved.push(row);
      else failed.push(line);
    }
    if (failed.length > 0) {
      await em.execute('rollback to savepoint reserve_lines', [], 'run');
      const rows = await em.execute<Array<StockLevel & { id: string }>>(
        'select id, on_hand as "onHand", reserved, deleted_at as "deletedAt" from product where id in (?)',
        [failed.map((l) => l.productId)],
      );
      return this.reject(em, orderId, shortages(failed, new Map(rows.map((r) => [r.id, r]))), now);
    }
    await em.execute('release savepoint reserve_lines', [], 'run');

    await em.execute(
      `insert into stock_reservation_line (order_id, product_id, quantity) values ${checked.lines.map(() => '(?, ?, ?)').join(', ')}`,
      checked.lines.flatMap((l) => [orderId, l.productId, l.quantity]),
      'run',
    );
    const quantities = new Map(checked.lines.map((l) => [l.productId, l.quantity]));
    await this.announceStock(em, reserved, (row) => ({ onHand: row.onHand, reserved: row.reserved - quantities.get(row.id)! }));
    return this.applied(em, { status: 'RESERVED', orderId, lines: checked.lines, expiresAt });
  }

  /** On payment: the reserved units are sold (on hand and reserved both drop). */
  async commit(em: EntityManager, orderId: string): Promise<CommandResult> {
    return this.settle(em, 'commit', orderId, NOT_RESERVED);
  }

  /** Payment failed, cancelled, timed out: the reserved units become available again. */
  async release(em: EntityManager, orderId: string, reason: string): Promise<CommandResult> {
    return this.settle(em, 'release', orderId, typeof reason === 'string' && reason ? reason : 'UNSPECIFIED');
  }

  /**
   * Releases up to `limit` reservations that expired by `now`. Rows are claimed with
   * `FOR UPDATE SKIP LOCKED`, so several catalog processes sweep disjoint batches, and an order
   * that a commit or release is settling right now is skipped (it is no longer RESERVED after).
   */
  async releaseExpired(em: EntityManager, now: Date, limit: number): Promise<Outcome[]> {
    const due = await em.execute<Array<{ orderId: string }>>(
      `select order_id as "orderId" from stock_reservation
       where status = 'RESERVED' and expires_at <= ?
       order by expires_at limit ? for update skip locked`,
      [now.toISOString(), limit],
    );
    if (due.length === 0) return [];
    const orderIds = due.map((r) => r.orderId);
    const lines = await em.execute<StockLine[]>('select product_id as "productId", quantity from stock_reservation_line where order_id in (?)', [
      orderIds,
    ]);
    // One update per product for the whole batch, in product id order (no deadlock with reserves).
    await this.moveStock(em, 'release', sumByProduct(lines));
    await em.execute(`update stock_reservation set status = 'RELEASED', reason = ?, updated_at = ? where order_id in (?)`, [
      EXPIRED,
      now.toISOString(),
      orderIds,
    ]);
    const outcomes: Outcome[] = orderIds.map((orderId) => ({ status: 'RELEASED', orderId, reason: EXPIRED }));
    for (const outcome of outcomes) await this.publish(em, outcome);
    this.log?.info({ orderIds }, `released ${orderIds.length} expired stock reservation(s)`);
    return outcomes;
  }

  /**
   * A paid order was cancelled: its committed units go back on hand, once (returned_at marks it).
   * Anything else (never committed, already returned) changes nothing.
   */
  async returnStock(em: EntityManager, orderId: string): Promise<boolean> {
    if (!isUuid(orderId)) return false;
    const marked = await em.execute<{ affectedRows: number }>(
      `update stock_reservation set returned_at = ?, updated_at = ? where order_id = ? and status = 'COMMITTED' and returned_at is null`,
      [this.clock().toISOString(), this.clock().toISOString(), orderId],
      'run',
    );
    if (marked.affectedRows === 0) return false;
    const lines = sortLines(
      await em.execute<StockLine[]>('select product_id as "productId", quantity from stock_reservation_line where order_id = ?', [orderId]),
    );
    const rows: ProductStock[] = [];
    for (const line of lines) {
      const [row] = await em.execute<ProductStock[]>(`update product set on_hand = on_hand + ? where id = ? returning ${PRODUCT_STOCK}`, [
        line.quantity,
        line.productId,
      ]);
      if (row) rows.push(row);
    }
    const quantities = new Map(lines.map((l) => [l.productId, l.quantity]));
    await this.announceStock(em, rows, (row) => ({ onHand: row.onHand - quantities.get(row.id)!, reserved: row.reserved }));
    return true;
  }

  /** Commit or release: applied only to a RESERVED order, answered from the record otherwise. */
  private async settle(em: EntityManager, command: 'commit' | 'release', orderId: string, reason: string): Promise<CommandResult> {
    if (!isUuid(orderId)) return this.invalid(command, orderId);
    const now = this.clock().toISOString();
    const tombstone = await em.execute<{ affectedRows: number }>(
      `insert into stock_reservation (order_id, status, reason, created_at, updated_at)
       values (?, 'RELEASED', ?, ?, ?) on conflict (order_id) do nothing`,
      [orderId, command === 'commit' ? NOT_RESERVED : reason, now, now],
      'run',
    );
    if (tombstone.affectedRows === 1) {
      this.log?.warn({ orderId, command }, 'stock command for an order with no reservation; recorded as released');
      return this.applied(em, { status: 'RELEASED', orderId, reason: command === 'commit' ? NOT_RESERVED : reason });
    }
    // Locked: the sweeper skips this order meanwhile, and a concurrent commit/release waits.
    const row = await this.load(em, orderId, true);
    if (decide(command, row.status) !== 'apply') return this.answerAgain(em, command, orderId, row);

    const lines = sortLines(
      await em.execute<StockLine[]>('select product_id as "productId", quantity from stock_reservation_line where order_id = ?', [orderId]),
    );
    await this.moveStock(em, command, lines);
    const status = command === 'commit' ? 'COMMITTED' : 'RELEASED';
    await em.execute('update stock_reservation set status = ?, reason = ?, updated_at = ? where order_id = ?', [
      status,
      command === 'commit' ? null : reason,
      now,
      orderId,
    ]);
    return this.applied(em, command === 'commit' ? { status: 'COMMITTED', orderId } : { status: 'RELEASED', orderId, reason });
  }

  /** Reserved units leave the shelf (commit) or go back to it (release); lines must be sorted. */
  private async moveStock(em: EntityManager, command: 'commit' | 'release', lines: readonly StockLine[]): Promise<void> {
    const sold = command === 'commit' ? 1 : 0;
    const rows: ProductStock[] = [];
    for (const line of lines) {
      const [row] = await em.execute<ProductStock[]>(
        `update product set on_hand = on_hand - ?, reserved = reserved - ? where id = ? returning ${PRODUCT_STOCK}`,
        [line.quantity * sold, line.quantity, line.productId],
      );
      // The line's foreign key keeps the product; the check constraints keep both columns >= 0.
      if (!row) throw new Error(`product ${line.productId} of a reservation is missing`);
      rows.push(row);
    }
    const quantities = new Map(lines.map((l) => [l.productId, l.quantity]));
    await this.announceStock(em, rows, (row) => ({
      onHand: row.onHand + quantities.get(row.id)! * sold,
      reserved: row.reserved + quantities.get(row.id)!,
    }));
  }

  /** product.changed for each product whose available quantity moved, in the same transaction. */
  private async announceStock(em: EntityManager, rows: ProductStock[], before: (row: ProductStock) => Pick<StockLevel, 'onHand' | 'reserved'>) {
    for (const row of rows) {
      const event = stockChanged(row, before(row));
      if (event) await emitEvent(em, PRODUCT_CHANGED, event);
    }
  }

  private async reject(em: EntityManager, orderId: string, shortProducts: ShortProduct[], now: Date): Promise<CommandResult> {
    await em.execute(
      `update stock_reservation set status = 'REJECTED', expires_at = null, short_products = ?, updated_at = ? where order_id = ?`,
      [JSON.stringify(shortProducts), now.toISOString(), orderId],
      'run',
    );
    return this.applied(em, { status: 'REJECTED', orderId, shortProducts });
  }

  private async load(em: EntityManager, orderId: string, lock: boolean): Promise<ReservationRow> {
    const [row] = await em.execute<ReservationRow[]>(`select ${RESERVATION} from stock_reservation where order_id = ?${lock ? ' for update' : ''}`, [
      orderId,
    ]);
    if (!row) throw new Error(`stock reservation ${orderId} vanished`);
    return row;
  }

  /** The recorded outcome, published again under the same event id (so no second event in effect). */
  private async answerAgain(em: EntityManager, command: StockCommand, orderId: string, row: ReservationRow): Promise<CommandResult> {
    let outcome: Outcome;
    if (row.status === 'RESERVED') {
      const lines = await em.execute<StockLine[]>(
        'select product_id as "productId", quantity from stock_reservation_line where order_id = ? order by product_id',
        [orderId],
      );
      outcome = { status: 'RESERVED', orderId, lines, expiresAt: new Date(row.expiresAt!) };
    } else if (row.status === 'REJECTED') {
      outcome = { status: 'REJECTED', orderId, shortProducts: row.shortProducts ?? [] };
    } else if (row.status === 'COMMITTED') {
      outcome = { status: 'COMMITTED', orderId };
    } else {
      outcome = { status: 'RELEASED', orderId, reason: row.reason ?? NOT_RESERVED };
    }
    const paidTooLate = command === 'commit' && row.status === 'RELEASED';
    this.log?.[paidTooLate ? 'warn' : 'info']({ orderId, command, status: row.status }, 'stock command answered from the record; stock unchanged');
    await this.publish(em, outcome);
    return { effect: 'repeated', outcome };
  }

  private async applied(em: EntityManager, outcome: Outcome): Promise<CommandResult> {
    await this.publish(em, outcome);
    return { effect: 'applied', outcome };
  }

  private async publish(em: EntityManager, outcome: Outcome): Promise<void> {
    const { subject, data } = answerFor(outcome);
    await emitEvent(em, subject, data);
  }

  private invalid(command: StockCommand, orderId: unknown): CommandResult {
    this.log?.error({ orderId, command }, 'stock command without a valid order id ignored');
    return { effect: 'invalid', outcome: null };
  }
}
