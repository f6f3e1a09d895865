import {
  eventIdFor,
  INVENTORY_REJECTED,
  INVENTORY_RELEASED,
  INVENTORY_RESERVED,
  isUuid,
  type Payload,
  type ProductChanged,
  type StockLine,
  type StockRejected,
  type StockReleased,
  type StockReserved,
} from '@shop/platform';

/**
 * Pure inventory rules (no database): line validation, shortages, what a repeated command does,
 * and the events each outcome answers with. inventory.service.ts applies them through the repositories.
 */

export const DEFAULT_RESERVATION_TTL_SECONDS = 15 * 60;
/** product_variant.reserved is an int4 column: a larger quantity could never be reserved. */
export const MAX_LINE_QUANTITY = 2_147_483_647;
/** Answer to commit/release of an order that was never reserved here. */
export const NOT_RESERVED = 'NOT_RESERVED';
export const EXPIRED = 'EXPIRED';

export type ReservationStatus = 'RESERVED' | 'REJECTED' | 'COMMITTED' | 'RELEASED';
export type ShortProduct = StockRejected['shortProducts'][number];
export type StockCommand = 'reserve' | 'commit' | 'release';

export type Outcome =
  | { status: 'RESERVED'; orderId: string; lines: StockLine[]; expiresAt: Date }
  | { status: 'REJECTED'; orderId: string; shortProducts: ShortProduct[] }
  | { status: 'COMMITTED'; orderId: string }
  | { status: 'RELEASED'; orderId: string; reason: string };

export type LinesCheck = { ok: true; lines: StockLine[] } | { ok: false; invalid: ShortProduct[] };

/**
 * Validates the lines of one order and merges duplicate products. Ids are lower-cased and the
 * result is sorted by product id: every transaction locks product rows in that one order, so two
 * orders cannot deadlock. Any bad line (not a uuid, quantity not a positive integer) rejects the
 * whole order; the bad lines are reported as short with nothing available.
 */
export function normalizeLines(input: unknown): LinesCheck {
  if (!Array.isArray(input) || input.length === 0) return { ok: false, invalid: [] };
  const totals = new Map<string, number>();
  const invalid: ShortProduct[] = [];
  for (const line of input as Array<Partial<Record<keyof StockLine, unknown>> | null>) {
    const productId = line?.productId;
    const quantity = line?.quantity;
    if (!isUuid(productId) || typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity <= 0) {
      const requested = typeof quantity === 'number' && Number.isFinite(quantity) ? quantity : 0;
      invalid.push({ productId: typeof productId === 'string' ? productId : String(productId), requested, available: 0 });
      continue;
    }
    const id = productId.toLowerCase();
    totals.set(id, (totals.get(id) ?? 0) + quantity);
  }
  for (const [productId, quantity] of totals) {
    if (quantity > MAX_LINE_QUANTITY) invalid.push({ productId, requested: quantity, available: 0 });
  }
  if (invalid.length > 0) return { ok: false, invalid };
  return { ok: true, lines: sortLines([...totals].map(([productId, quantity]) => ({ productId, quantity }))) };
}

export const sortLines = (lines: StockLine[]): StockLine[] =>
  [...lines].sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));

/** Sums lines of several orders per product (the sweeper releases a batch with one update per product). */
export function sumByProduct(lines: readonly StockLine[]): StockLine[] {
  const totals = new Map<string, number>();
  for (const line of lines) totals.set(line.productId, (totals.get(line.productId) ?? 0) + line.quantity);
  return sortLines([...totals].map(([productId, quantity]) => ({ productId, quantity })));
}

export interface StockLevel {
  onHand: number;
  reserved: number;
  deletedAt?: Date | string | null;
}

/** What can still be sold: nothing for a deleted product. The one rule behind every `availableQuantity`. */
export const availableOf = (stock: StockLevel): number => (stock.deletedAt ? 0 : Math.max(0, stock.onHand - stock.reserved));

/**
 * The short products of a rejected order. The conditional update that failed is the authority; the
 * availability is read afterwards and may have moved since, so it is capped below the request
 * (a short line never reports enough). A product that does not exist has nothing available.
 */
export function shortages(failed: readonly StockLine[], stock: ReadonlyMap<string, StockLevel>): ShortProduct[] {
  return failed.map((line) => {
    const level = stock.get(line.productId);
    const available = level ? Math.min(availableOf(level), line.quantity - 1) : 0;
    return { productId: line.productId, requested: line.quantity, available: Math.max(0, available) };
  });
}

/**
 * What a stock command does given the order's reservation status (null: no row yet).
 * - reserve: no row → apply; any row → answer the recorded outcome again (no second reservation).
 * - commit / release: RESERVED → apply; otherwise answer the recorded outcome, stock untouched.
 *   Commit after release/expiry answers `inventory.released` (the stock is no longer held and may
 *   be sold to someone else; the saga refunds). Release after commit changes nothing (the units are
 *   sold; returns are the order's business).
 * - commit / release with no row → record a RELEASED tombstone and answer released, so a reserve
 *   that arrives late (saga timed out first) cannot hold stock nobody will pay for.
 */
export function decide(command: StockCommand, status: ReservationStatus | null): 'apply' | 'answer' | 'tombstone' {
  if (status === null) return command === 'reserve' ? 'apply' : 'tombstone';
  if (command === 'reserve') return 'answer';
  return status === 'RESERVED' ? 'apply' : 'answer';
}

type AnswerSubject = typeof INVENTORY_RESERVED | typeof INVENTORY_REJECTED | typeof INVENTORY_RELEASED;

/**
 * One event id per (order, answer), from the catalog's dedupe key: an outcome is published once
 * however often it is re-answered (the outbox ignores a known id, JetStream and the saga's inbox too).
 */
export function answerEventId(subject: AnswerSubject, orderId: string): string {
  // Every INVENTORY answer is keyed by its order alone.
  return eventIdFor(subject, { orderId } as Payload<AnswerSubject>);
}

export type Answer =
  | { id: string; subject: typeof INVENTORY_RESERVED; data: StockReserved }
  | { id: string; subject: typeof INVENTORY_REJECTED; data: StockRejected }
  | { id: string; subject: typeof INVENTORY_RELEASED; data: StockReleased };

/**
 * The INVENTORY event that tells the saga an outcome; none for COMMITTED: the order is CONFIRMED
 * before it asks for the commit and has nothing left to do when it succeeds (only a commit that
 * failed, `inventory.released`, moves it). One event, a delivery and an ack fewer per checkout.
 */
export function answerFor(outcome: Outcome): Answer | null {
  const { orderId } = outcome;
  switch (outcome.status) {
    case 'RESERVED':
      return {
        id: answerEventId(INVENTORY_RESERVED, orderId),
        subject: INVENTORY_RESERVED,
        data: { orderId, lines: outcome.lines, expiresAt: outcome.expiresAt.toISOString() },
      };
    case 'REJECTED':
      return { id: answerEventId(INVENTORY_REJECTED, orderId), subject: INVENTORY_REJECTED, data: { orderId, shortProducts: outcome.shortProducts } };
    case 'COMMITTED':
      return null;
    case 'RELEASED':
      return { id: answerEventId(INVENTORY_RELEASED, orderId), subject: INVENTORY_RELEASED, data: { orderId, reason: outcome.reason } };
  }
}

/** A variant's stock as a stock statement returns it. */
export interface VariantStock extends StockLevel {
  id: string;
  productId: string;
  sku: string;
  priceAmount: number;
  currency: string;
}

/**
 * `product.changed` (STOCK) for a variant after a stock update, or null when what can be sold did
 * not change (a commit moves units from reserved to sold: available stays the same).
 */
export function stockChanged(after: VariantStock, before: Pick<StockLevel, 'onHand' | 'reserved'>): ProductChanged | null {
  const availableQuantity = availableOf(after);
  if (availableQuantity === availableOf({ ...before, deletedAt: after.deletedAt })) return null;
  return {
    productId: after.productId,
    variantId: after.id,
    sku: after.sku,
    priceAmount: after.priceAmount,
    currency: after.currency,
    availableQuantity,
    available: !after.deletedAt,
    change: 'STOCK',
  };
}

/**
 * Whether a stock move changed only the count: the variant was in stock before and still is. A cart
 * shows a variant as available or not (not its count), so such a move concerns caches only.
 */
export function countOnly(after: VariantStock, before: Pick<StockLevel, 'onHand' | 'reserved'>): boolean {
  return availableOf(after) > 0 && availableOf({ ...before, deletedAt: after.deletedAt }) > 0;
}
