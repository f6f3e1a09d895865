import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import { shortProduct, type StockReserveRequested } from './catalog.ts';
import { askWithinStep } from './step-request.ts';

/**
 * The checkout saga's stock reservation asked as a core NATS request, inside the order's step that
 * creates the order: a paid checkout then skips two events and a transaction on each side
 * (`order.stock.reserve` → catalog → `inventory.reserved` → order). The event path stays the
 * fallback: when the catalog gives no answer (no responder, none in time, its database down) the
 * order sends `order.stock.reserve` and the saga continues through JetStream as before. The
 * catalog's reservation is idempotent per order, so a request and a later event (or a redelivery)
 * for one order reserve once and answer the same.
 */
export const CATALOG_STOCK_RESERVE = 'catalog.stock.reserve';

/** What the catalog answers: the reservation's outcome, or a failure of its own. */
export const stockReserveReply = z.union([
  z.object({ status: z.literal('RESERVED') }),
  z.object({ status: z.literal('REJECTED'), shortProducts: z.array(shortProduct) }),
  z.object({ status: z.literal('UNANSWERED'), error: z.string() }),
]);
export type StockReserveReply = z.infer<typeof stockReserveReply>;
/** A reservation's outcome as the order acts on it; anything else takes the event path. */
export type StockReserveAnswer = Exclude<StockReserveReply, { status: 'UNANSWERED' }>;
export type ReserveStock = (request: StockReserveRequested) => Promise<StockReserveAnswer | undefined>;

/** `undefined` whenever the catalog did not decide: the caller falls back to the event (see askWithinStep). */
export function createStockReserveClient(nc: NatsConnection, { timeoutMs = 2000, subject = CATALOG_STOCK_RESERVE } = {}): ReserveStock {
  return (request) => askWithinStep(nc, subject, request, { timeoutMs, reply: stockReserveReply });
}
