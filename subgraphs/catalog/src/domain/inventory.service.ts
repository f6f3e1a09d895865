import type { EntityManager } from '@mikro-orm/postgresql';
import { afterCommitOf, emitEvent, isUuid, PRODUCT_CHANGED, type Logger, type ProductChanged, type StockLine } from '@shop/platform';
import {
  answerFor,
  countOnly,
  decide,
  DEFAULT_RESERVATION_TTL_SECONDS,
  EXPIRED,
  normalizeLines,
  NOT_RESERVED,
  shortages,
  stockChanged,
  sumByProduct,
  type Outcome,
  type VariantStock,
  type ShortProduct,
  type StockCommand,
  type StockLevel,
} from './inventory.ts';
import { VariantRepository } from '../data/product-variant.repository.ts';
import { ProductRepository } from '../data/product.repository.ts';
import { ReservationRepository } from '../data/inventory/reservation.repository.ts';
import type { StockReservation } from '../data/inventory/stock-reservation.entity.ts';

export interface InventoryServiceOptions {
  /** How long reserved stock is held for an unpaid order (catalog config: INVENTORY_RESERVATION_TTL_SECONDS). */
  reservationTtlSeconds?: number;
  log?: Logger;
  /** Time source for expiry (tests). */
  clock?: () => Date;
  /** Tells caches of a move that changed only a count (CATALOG_STOCK_CHANGED on core NATS), after the commit. */
  announceCount?: (change: ProductChanged) => void;
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

type ReservationRow = Pick<StockReservation, 'status' | 'reason' | 'shortProducts' | 'expiresAt'>;

/**
 * Stock reservations for the checkout saga. Every method takes the caller's transaction, so the
 * inbox row, the stock change and the outbox events (answer + product.changed) commit together.
 * Stock only moves through conditional single-statement updates, variant rows are always locked
 * in variant id order (a line's `productId` is the variant's id), and the per-order `stock_reservation` row makes every command idempotent.
 */
export class InventoryService {
  private readonly ttlMs: number;
  private readonly log: Logger | undefined;
  private readonly clock: () => Date;
  private readonly announceCount: ((change: ProductChanged) => void) | undefined;
  private readonly reservations = new ReservationRepository();
  private readonly variants = new VariantRepository();
  private readonly products = new ProductRepository();

  constructor(options: InventoryServiceOptions = {}) {
    const ttl = options.reservationTtlSeconds ?? DEFAULT_RESERVATION_TTL_SECONDS;
    if (!(ttl > 0)) throw new Error(`reservation TTL must be positive, got ${ttl}`);
    this.ttlMs = ttl * 1000;
    this.log = options.log;
    this.clock = options.clock ?? (() => new Date());
    this.announceCount = options.announceCount;
  }

  /**
   * All lines or none; a repeat answers the first outcome again. `answer: false` (a request from the
   * order, which reads the outcome from the reply): no `inventory.*` event; product.changed as always.
   */
  async reserve(em: EntityManager, orderId: string, lines: readonly StockLine[], { answer = true } = {}): Promise<CommandResult> {
    if (!isUuid(orderId)) return this.invalid('reserve', orderId);
    const now = this.clock();
    const expiresAt = new Date(now.getTime() + this.ttlMs);
    const checked = normalizeLines(lines);
    if (!checked.ok) {
      // The row is the claim: a concurrent duplicate waits on it here and then sees our outcome.
      if (!(await this.reservations.claim(em, orderId, expiresAt, now)))
        return this.answerAgain(em, 'reserve', orderId, await this.reservations.load(em, orderId, false), answer);
      this.log?.warn({ orderId, invalid: checked.invalid }, 'stock reserve with invalid lines rejected');
      return this.reject(em, orderId, checked.invalid, now, answer);
    }

    // Claim, lock, check and reserve in one statement; every line is checked, to name every short product.
    const step = await this.reservations.claimAndReserve(em, orderId, checked.lines, expiresAt, now);
    if (!step.claimed) return this.answerAgain(em, 'reserve', orderId, await this.reservations.load(em, orderId, false), answer);
    if (step.short.length > 0) return this.reject(em, orderId, shortages(step.short, step.levels), now, answer);
    const quantities = new Map(checked.lines.map((l) => [l.productId, l.quantity]));
    await this.announceStock(em, step.reserved, (row) => ({ onHand: row.onHand, reserved: row.reserved - quantities.get(row.id)! }));
    return this.applied(em, { status: 'RESERVED', orderId, lines: checked.lines, expiresAt }, answer);
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
    const orderIds = await this.reservations.claimExpired(em, now, limit);
    if (orderIds.length === 0) return [];
    const lines = await this.reservations.linesOf(em, orderIds);
    // One update per variant for the whole batch, in variant id order (no deadlock with reserves).
    await this.moveStock(em, 'release', sumByProduct(lines));
    await this.reservations.releaseAll(em, orderIds, EXPIRED, now);
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
    if (!(await this.reservations.markReturned(em, orderId, this.clock()))) return false;
    const lines = await this.reservations.lines(em, orderId);
    await this.countSold(em, lines, -1);
    const rows: VariantStock[] = [];
    for (const line of lines) {
      const row = await this.variants.addOnHand(em, line.productId, line.quantity);
      if (row) rows.push(row);
    }
    const quantities = new Map(lines.map((l) => [l.productId, l.quantity]));
    await this.announceStock(em, rows, (row) => ({ onHand: row.onHand - quantities.get(row.id)!, reserved: row.reserved }));
    return true;
  }

  /** Commit or release: applied only to a RESERVED order, answered from the record otherwise. */
  private async settle(em: EntityManager, command: 'commit' | 'release', orderId: string, reason: string): Promise<CommandResult> {
    if (!isUuid(orderId)) return this.invalid(command, orderId);
    const now = this.clock();
    // Locked: the sweeper skips this order meanwhile, and a concurrent commit/release waits.
    const start = await this.reservations.tombstoneOrLock(em, orderId, command === 'commit' ? NOT_RESERVED : reason, now);
    if (start.tombstoned) {
      this.log?.warn({ orderId, command }, 'stock command for an order with no reservation; recorded as released');
      return this.applied(em, { status: 'RELEASED', orderId, reason: command === 'commit' ? NOT_RESERVED : reason });
    }
    const row = start.reservation;
    if (decide(command, row.status) !== 'apply') return this.answerAgain(em, command, orderId, row);

    const sold = command === 'commit' ? 1 : 0;
    const outcome = command === 'commit' ? { status: 'COMMITTED' as const, reason: null } : { status: 'RELEASED' as const, reason };
    const moved = await this.reservations.settleWithStock(em, orderId, start.lines, sold, outcome, now);
    const quantities = new Map(start.lines.map((l) => [l.productId, l.quantity]));
    await this.announceStock(em, moved, (v) => ({ onHand: v.onHand + quantities.get(v.id)! * sold, reserved: v.reserved + quantities.get(v.id)! }));
    return this.applied(em, command === 'commit' ? { status: 'COMMITTED', orderId } : { status: 'RELEASED', orderId, reason });
  }

  /** Units sold per product for BEST_SELLING: +1 × the lines on a commit, −1 on a return (both happen once per order). */
  private async countSold(em: EntityManager, lines: readonly StockLine[], sign: 1 | -1): Promise<void> {
    const productOf = await this.variants.productIdsOf(
      em,
      lines.map((l) => l.productId),
    );
    const deltas = new Map<string, number>();
    for (const line of lines) {
      const productId = productOf.get(line.productId);
      if (productId) deltas.set(productId, (deltas.get(productId) ?? 0) + sign * line.quantity);
    }
    await this.products.addUnitsSold(em, deltas);
  }

  /** Reserved units leave the shelf (commit) or go back to it (release); lines must be sorted. */
  private async moveStock(em: EntityManager, command: 'commit' | 'release', lines: readonly StockLine[]): Promise<void> {
    const sold = command === 'commit' ? 1 : 0;
    const rows: VariantStock[] = [];
    for (const line of lines) {
      const row = await this.variants.moveReserved(em, line.productId, line.quantity, sold);
      // The line's foreign key keeps the variant; the check constraints keep both columns >= 0.
      if (!row) throw new Error(`variant ${line.productId} of a reservation is missing`);
      rows.push(row);
    }
    const quantities = new Map(lines.map((l) => [l.productId, l.quantity]));
    await this.announceStock(em, rows, (row) => ({
      onHand: row.onHand + quantities.get(row.id)! * sold,
      reserved: row.reserved + quantities.get(row.id)!,
    }));
  }

  /**
   * Each variant whose available quantity moved: product.changed in the same transaction when it
   * went in or out of stock (carts show that); a count that moved within stock concerns caches
   * only, told after the commit without an event (one message instead of an event every consumer
   * acknowledges, for every checkout).
   */
  private async announceStock(em: EntityManager, rows: VariantStock[], before: (row: VariantStock) => Pick<StockLevel, 'onHand' | 'reserved'>) {
    for (const row of rows) {
      const previous = before(row);
      const event = stockChanged(row, previous);
      if (!event) continue;
      const announce = this.announceCount;
      if (!countOnly(row, previous)) await emitEvent(em, PRODUCT_CHANGED, event);
      else if (announce) afterCommitOf(em, () => announce(event));
    }
  }

  private async reject(em: EntityManager, orderId: string, shortProducts: ShortProduct[], now: Date, answer = true): Promise<CommandResult> {
    await this.reservations.reject(em, orderId, shortProducts, now);
    return this.applied(em, { status: 'REJECTED', orderId, shortProducts }, answer);
  }

  /** The recorded outcome, published again under the same event id (so no second event in effect). */
  private async answerAgain(em: EntityManager, command: StockCommand, orderId: string, row: ReservationRow, answer = true): Promise<CommandResult> {
    let outcome: Outcome;
    if (row.status === 'RESERVED') {
      const lines = await this.reservations.lines(em, orderId);
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
    if (answer) await this.publish(em, outcome);
    return { effect: 'repeated', outcome };
  }

  private async applied(em: EntityManager, outcome: Outcome, answer = true): Promise<CommandResult> {
    if (answer) await this.publish(em, outcome);
    return { effect: 'applied', outcome };
  }

  private async publish(em: EntityManager, outcome: Outcome): Promise<void> {
    const answer = answerFor(outcome);
    if (answer) await emitEvent(em, answer.subject, answer.data);
  }

  private invalid(command: StockCommand, orderId: unknown): CommandResult {
    this.log?.error({ orderId, command }, 'stock command without a valid order id ignored');
    return { effect: 'invalid', outcome: null };
  }
}
