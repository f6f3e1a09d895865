import { describe, expect, it } from 'vitest';
import { compensationOf, moveFigures } from './order-metrics.ts';

const t0 = Date.parse('2026-01-01T00:00:00Z');
const order = (status: 'PENDING' | 'AWAITING_PAYMENT' | 'CONFIRMED', enteredAfterMs: number) => ({
  status,
  createdAt: new Date(t0),
  updatedAt: new Date(t0 + enteredAfterMs),
});

describe('order move figures', () => {
  it('a confirmation measures the payment step and the whole checkout, with no compensation', () => {
    expect(moveFigures(order('AWAITING_PAYMENT', 400), 'CONFIRMED', null, t0 + 1_500)).toEqual({
      status: 'CONFIRMED',
      step: { step: 'capture_payment', outcome: 'completed', seconds: 1.1 },
      confirmedAfter: 1.5,
      compensation: undefined,
    });
  });

  it('a reservation measures the stock step only', () => {
    const figures = moveFigures(order('PENDING', 0), 'AWAITING_PAYMENT', null, t0 + 250);
    expect(figures.step).toEqual({ step: 'reserve_stock', outcome: 'completed', seconds: 0.25 });
    expect(figures.confirmedAfter).toBeUndefined();
  });

  it('a timed-out step is timed_out and compensated as a timeout', () => {
    const figures = moveFigures(order('AWAITING_PAYMENT', 0), 'PAYMENT_FAILED', 'TIMEOUT', t0 + 60_000);
    expect(figures.step?.outcome).toBe('timed_out');
    expect(figures.compensation).toBe('payment_timeout');
  });

  it('a move outside the saga (shipping) is counted by status only', () => {
    const figures = moveFigures(order('CONFIRMED', 0), 'SHIPPED' as never, 'tracking 1Z', t0 + 10);
    expect(figures).toMatchObject({ status: 'SHIPPED', step: undefined, confirmedAfter: undefined, compensation: undefined });
  });
});

describe('compensation reasons', () => {
  it('name what was given back, from a fixed set', () => {
    expect(compensationOf('REJECTED', 'Not enough stock for 1 product(s)')).toBe('out_of_stock');
    expect(compensationOf('REJECTED', 'TIMEOUT')).toBe('stock_timeout');
    expect(compensationOf('PAYMENT_FAILED', 'INSUFFICIENT_FUNDS')).toBe('payment_failed');
    expect(compensationOf('CANCELLED', 'cancelled by the customer')).toBe('cancelled');
    expect(compensationOf('CANCELLED', 'STOCK_EXPIRED')).toBe('stock_lapsed');
    expect(compensationOf('REJECTED', 'STOCK_EXPIRED')).toBe('stock_lapsed');
    expect(compensationOf('CONFIRMED', null)).toBeUndefined();
  });
});
