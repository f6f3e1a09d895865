import { describe, expect, it } from 'vitest';
import { canMove, isFinal } from './order-transitions.ts';

describe('order transitions', () => {
  it('follows the saga: PENDING → AWAITING_PAYMENT → CONFIRMED → SHIPPED → DELIVERED', () => {
    expect(canMove('PENDING', 'AWAITING_PAYMENT')).toBe(true);
    expect(canMove('AWAITING_PAYMENT', 'CONFIRMED')).toBe(true);
    expect(canMove('CONFIRMED', 'SHIPPED')).toBe(true);
    expect(canMove('SHIPPED', 'DELIVERED')).toBe(true);
  });

  it('allows compensations and refuses going back or skipping', () => {
    expect(canMove('PENDING', 'REJECTED')).toBe(true);
    expect(canMove('AWAITING_PAYMENT', 'PAYMENT_FAILED')).toBe(true);
    expect(canMove('CONFIRMED', 'AWAITING_PAYMENT')).toBe(false);
    expect(canMove('PENDING', 'CONFIRMED')).toBe(false);
    expect(canMove('SHIPPED', 'CANCELLED')).toBe(false);
    expect(['DELIVERED', 'CANCELLED', 'PAYMENT_FAILED', 'REJECTED'].every((s) => isFinal(s as never))).toBe(true);
  });
});
