import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { intArray, sql, uuidArray, type StockLine } from '@shop/platform';
import type { ShortProduct, StockLevel, VariantStock } from '../../domain/inventory.ts';
import { StockReservationLineSchema, StockReservationSchema, type StockReservation } from './stock-reservation.entity.ts';

interface LockedVariant extends StockLevel {
  id: string;
  fits: boolean;
}

type ReservationRow = Pick<StockReservation, 'status' | 'reason' | 'shortProducts' | 'expiresAt'>;

/** A reservation's line with the product its variant belongs to. */
export interface SettleLine extends StockLine {
  ownerId: string;
}

/** A commit or release's first step: a tombstone was recorded, or the order's reservation, locked, and its lines. */
export type SettleStart = { tombstoned: true } | { tombstoned: false; reservation: ReservationRow; lines: SettleLine[] };

/** A reserve's claim and stock step: not claimed (the order has a row), or what was reserved / the short lines with the levels seen. */
export type ClaimedReserve =
  { claimed: false } | { claimed: true; reserved: VariantStock[]; short: StockLine[]; levels: ReadonlyMap<string, StockLevel> };

/**
 * Stock reservations (`stock_reservation` + its lines), always in the caller's transaction. The
 * claims (insert-if-absent), the sweeper's `skip locked` scan and the conditional return stay SQL;
 * the rest goes through the entities.
 *
 * The saga's three statements (reserve, and a commit's or release's two) are prepared (platform
 * sql.ts) and run on their generic plan, which cannot know how many rows an `unnest` of a parameter
 * gives (it guesses 100): each table they join is also filtered by `id = any(<the ids>)`, so it is
 * read by primary key whatever the guess (checked with 316,799 variants).
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

  /**
   * Claims the order and reserves all its lines, or none, in one statement: the claim (insert if
   * absent: a concurrent duplicate waits on it, then sees it taken), the variants locked in variant
   * id order with what they hold, and, only when every line fits, the stock update and the
   * reservation's lines. `lines` are sorted and unique (normalizeLines).
   */
  async claimAndReserve(em: EntityManager, orderId: string, lines: readonly StockLine[], expiresAt: Date, now: Date): Promise<ClaimedReserve> {
    const { rows } = await sql<{ claimed: number; moved: VariantStock[]; locked: LockedVariant[] }>(
      em,
      `with claim as (
         insert into stock_reservation (order_id, status, expires_at, created_at, updated_at)
         values ($1, 'RESERVED', $2, $3, $3) on conflict (order_id) do nothing returning order_id),
       req as (select * from unnest($4::uuid[], $5::int[]) as r(id, qty)),
       locked as materialized (
         select v.id, v.on_hand, v.reserved, v.deleted_at, (v.deleted_at is null and v.on_hand - v.reserved >= r.qty) as fits
           from product_variant v join req r on r.id = v.id
          where v.id = any($4::uuid[]) and exists (select 1 from claim)
          order by v.id for update of v),
       enough as (select (select count(*) from locked where fits) = (select count(*) from req) as ok),
       moved as (
         update product_variant v set reserved = v.reserved + r.qty from req r
          where r.id = v.id and v.id = any($4::uuid[]) and (select ok from enough) and v.deleted_at is null and v.on_hand - v.reserved >= r.qty
          returning v.id, v.product_id, v.sku, v.price_amount, v.currency, v.on_hand, v.reserved, v.deleted_at),
       added as (insert into stock_reservation_line (order_id, variant_id, quantity) select $1, r.id, r.qty from req r where (select ok from enough))
       select (select count(*) from claim)::int as claimed,
              coalesce((select json_agg(json_build_object('id', id, 'productId', product_id, 'sku', sku, 'priceAmount', price_amount,
                        'currency', currency, 'onHand', on_hand, 'reserved', reserved, 'deletedAt', deleted_at) order by id) from moved), '[]') as moved,
              coalesce((select json_agg(json_build_object('id', id, 'onHand', on_hand, 'reserved', reserved, 'deletedAt', deleted_at, 'fits', fits))
                        from locked), '[]') as locked`,
      [orderId, expiresAt, now, uuidArray(lines.map((l) => l.productId)), intArray(lines.map((l) => l.quantity))],
    );
    const { claimed, moved, locked } = rows[0]!;
    if (claimed === 0) return { claimed: false };
    const fitting = new Set(locked.filter((v) => v.fits).map((v) => v.id));
    const short = lines.filter((l) => !fitting.has(l.productId));
    // Every line fit under the locks, so every update applied: anything else rolls the transaction back.
    if (!short.length && moved.length !== lines.length) throw new Error(`reserve of order ${orderId} moved ${moved.length} of ${lines.length} lines`);
    return { claimed: true, reserved: short.length ? [] : moved, short, levels: new Map(locked.map((v) => [v.id, v])) };
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

  /**
   * A commit or release's first step, one statement: records a RELEASED row without lines if the
   * order has none (`tombstoned`), else locks its reservation (held until the transaction ends) and
   * reads its lines (variant id order) with each variant's product. Neither: a concurrent first
   * command inserted the row after this statement began (its insert waited for that one's commit);
   * asked once more, the row and its lines are seen.
   */
  async tombstoneOrLock(em: EntityManager, orderId: string, reason: string, now: Date, retried = false): Promise<SettleStart> {
    const { rows } = await sql<{ tombstoned: number; reservation: ReservationRow | null; lines: SettleLine[] }>(
      em,
      `with t as (
         insert into stock_reservation (order_id, status, reason, created_at, updated_at)
         values ($1, 'RELEASED', $2, $3, $3) on conflict (order_id) do nothing returning order_id),
       r as (select status, reason, short_products as "shortProducts", expires_at as "expiresAt" from stock_reservation where order_id = $1 for update)
       select (select count(*) from t)::int as tombstoned, (select row_to_json(r) from r) as reservation,
              coalesce((select json_agg(json_build_object('productId', l.variant_id, 'quantity', l.quantity, 'ownerId', v.product_id) order by l.variant_id)
                          from stock_reservation_line l join product_variant v on v.id = l.variant_id where l.order_id = $1), '[]') as lines`,
      [orderId, reason, now],
    );
    const { tombstoned, reservation, lines } = rows[0]!;
    if (tombstoned) return { tombstoned: true };
    if (reservation) return { tombstoned: false, reservation, lines };
    // Committed after this statement's snapshot: the next statement sees the row and its lines.
    if (retried) throw new Error(`stock reservation ${orderId} neither recorded nor found`);
    return this.tombstoneOrLock(em, orderId, reason, now, true);
  }

  /**
   * Applies a commit (`sold` 1: units sold counted per product, on hand and reserved drop) or a
   * release (`sold` 0: reserved drops) to a locked RESERVED order, and records its outcome, in one
   * statement. Products, then variants, are locked in id order before they change (as the
   * statement-per-row steps did); returns the variants' stock after the move, in variant id order.
   */
  async settleWithStock(
    em: EntityManager,
    orderId: string,
    lines: readonly SettleLine[],
    sold: 0 | 1,
    outcome: { status: 'COMMITTED' | 'RELEASED'; reason: string | null },
    now: Date,
  ): Promise<VariantStock[]> {
    const unitsSold = new Map<string, number>();
    if (sold) for (const line of lines) unitsSold.set(line.ownerId, (unitsSold.get(line.ownerId) ?? 0) + line.quantity);
    const { rows } = await sql<{ moved: VariantStock[] }>(
      em,
      `with s as (update stock_reservation set status = $1, reason = $2, updated_at = $3 where order_id = $4),
       p_locked as materialized (select id from product where id = any($5::uuid[]) order by id for update),
       counted as (update product p set units_sold = greatest(p.units_sold + d.delta, 0) from unnest($5::uuid[], $6::int[]) as d(id, delta)
                    where p.id = d.id and p.id = any($5::uuid[]) and (select count(*) from p_locked) >= 0),
       v_locked as materialized (
         select id from product_variant where id = any($7::uuid[]) and (select count(*) from p_locked) >= 0 order by id for update),
       moved as (
         update product_variant v set on_hand = v.on_hand - r.qty * $8, reserved = v.reserved - r.qty
           from unnest($7::uuid[], $9::int[]) as r(id, qty)
          where v.id = r.id and v.id = any($7::uuid[]) and (select count(*) from v_locked) >= 0
          returning v.id, v.product_id, v.sku, v.price_amount, v.currency, v.on_hand, v.reserved, v.deleted_at)
       select coalesce(json_agg(json_build_object('id', id, 'productId', product_id, 'sku', sku, 'priceAmount', price_amount,
                       'currency', currency, 'onHand', on_hand, 'reserved', reserved, 'deletedAt', deleted_at) order by id), '[]') as moved
         from moved`,
      [
        outcome.status,
        outcome.reason,
        now,
        orderId,
        uuidArray([...unitsSold.keys()]),
        intArray([...unitsSold.values()]),
        uuidArray(lines.map((l) => l.productId)),
        sold,
        intArray(lines.map((l) => l.quantity)),
      ],
    );
    const { moved } = rows[0]!;
    // The lines' foreign key keeps their variants: a missing one rolls the transaction back.
    if (moved.length !== lines.length) throw new Error(`a variant of the reservation of order ${orderId} is missing`);
    return moved;
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
