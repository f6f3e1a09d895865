import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { ReservationStatus, ShortProduct } from '../../domain/inventory.ts';

const RESERVATION_STATUSES = ['RESERVED', 'REJECTED', 'COMMITTED', 'RELEASED'] as const satisfies readonly ReservationStatus[];

/** One row per order: the idempotency key of every stock command of the saga. */
export const StockReservationSchema = defineEntity({
  name: 'StockReservation',
  tableName: 'stock_reservation',
  properties: {
    orderId: p.uuid().primary(),
    status: p.enum(RESERVATION_STATUSES),
    reason: p.text().nullable(),
    /** A rejection's answer, kept so a repeated reserve answers the same. */
    shortProducts: p.json<ShortProduct[]>().nullable(),
    expiresAt: p.datetime().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
    /** When a committed order was cancelled and its units went back on hand. */
    returnedAt: p.datetime().nullable(),
  },
});
export type StockReservation = InferEntity<typeof StockReservationSchema>;

/** The units an order holds of one variant (only orders that got stock have lines). */
export const StockReservationLineSchema = defineEntity({
  name: 'StockReservationLine',
  tableName: 'stock_reservation_line',
  properties: {
    orderId: p.uuid().primary(),
    variantId: p.uuid().primary(),
    quantity: p.integer(),
  },
});
export type StockReservationLine = InferEntity<typeof StockReservationLineSchema>;
