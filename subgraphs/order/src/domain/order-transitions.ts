import type { OrderStatus } from '../data/order.entity.ts';

/** Which status may follow which: the saga and the admin mutations move orders only along these. */
const NEXT: Record<OrderStatus, readonly OrderStatus[]> = {
  PENDING: ['AWAITING_PAYMENT', 'REJECTED', 'CANCELLED'],
  AWAITING_PAYMENT: ['CONFIRMED', 'PAYMENT_FAILED', 'CANCELLED'],
  CONFIRMED: ['SHIPPED', 'CANCELLED'],
  SHIPPED: ['DELIVERED'],
  DELIVERED: [],
  CANCELLED: [],
  PAYMENT_FAILED: [],
  REJECTED: [],
};

export const canMove = (from: OrderStatus, to: OrderStatus) => NEXT[from].includes(to);

export const isFinal = (status: OrderStatus) => NEXT[status].length === 0;

/** "This order has shipped": a status in words for messages (never the enum value). */
export function orderStatusPhrase(status: OrderStatus): string {
  const phrase: Record<OrderStatus, string> = {
    PENDING: 'is being placed',
    AWAITING_PAYMENT: 'is awaiting payment',
    CONFIRMED: 'is confirmed',
    SHIPPED: 'has shipped',
    DELIVERED: 'has been delivered',
    CANCELLED: 'has been cancelled',
    PAYMENT_FAILED: 'could not be paid',
    REJECTED: 'could not be fulfilled',
  };
  return `This order ${phrase[status]}`;
}
