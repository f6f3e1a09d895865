import { describe, expect, it } from 'vitest';
import { applyBasisPoints, computeTotals, type Discount } from './totals.ts';

const line = (unitPrice: number, quantity = 1, available = true) => ({ unitPrice, quantity, available });
const pct = (code: string, basisPoints: number, minimumSubtotal: number | null = null): Discount => ({
  code,
  kind: 'PERCENTAGE',
  basisPoints,
  minimumSubtotal,
});

describe('applyBasisPoints', () => {
  it('rounds half up to the minor unit', () => {
    expect(applyBasisPoints(99, 1500)).toBe(15); // 14.85 → 15
    expect(applyBasisPoints(84, 725)).toBe(6); // 6.09 → 6
    expect(applyBasisPoints(200, 725)).toBe(15); // 14.5 → 15
    expect(applyBasisPoints(199, 725)).toBe(14); // 14.4275 → 14
    expect(applyBasisPoints(0, 725)).toBe(0);
  });
});

describe('computeTotals', () => {
  it('handles awkward amounts: three lines of 0.33, 15 % off, 7.25 % tax', () => {
    const totals = computeTotals({
      lines: [line(33), line(33), line(33)],
      discounts: [pct('SAVE15', 1500)],
      shipping: { amount: 499, freeOver: 5000 },
      taxBasisPoints: 725,
    });
    // subtotal 0.99; discount 0.1485 → 0.15; merchandise 0.84; tax 0.0609 → 0.06; shipping 4.99
    expect(totals).toEqual({ subtotal: 99, discount: 15, shipping: 499, tax: 6, total: 84 + 499 + 6, inapplicableCodes: [] });
  });

  it('rounds once per cart, not per line', () => {
    // Per line, 7.25 % of 0.33 is 0.023925 → 0.02 each, 0.06 for three; on the cart it is 0.071775 → 0.07.
    const totals = computeTotals({ lines: [line(33), line(33), line(33)], discounts: [], shipping: null, taxBasisPoints: 725 });
    expect(totals.tax).toBe(7);
  });

  it('ships free from the threshold on, measured after discounts', () => {
    const base = { lines: [line(5000)], shipping: { amount: 499, freeOver: 5000 }, taxBasisPoints: 0 };
    expect(computeTotals({ ...base, discounts: [] }).shipping).toBe(0);
    expect(computeTotals({ ...base, discounts: [pct('TEN', 1000)] }).shipping).toBe(499);
  });

  it('ignores unavailable lines and charges no shipping for an empty cart', () => {
    const totals = computeTotals({ lines: [line(1000, 2, false)], discounts: [], shipping: { amount: 499, freeOver: null }, taxBasisPoints: 2000 });
    expect(totals).toMatchObject({ subtotal: 0, shipping: 0, tax: 0, total: 0 });
  });

  it('caps discounts at the subtotal and skips codes below their minimum', () => {
    const fixed: Discount = { code: 'TENOFF', kind: 'FIXED', amount: 1000, minimumSubtotal: null };
    expect(computeTotals({ lines: [line(700)], discounts: [fixed], shipping: null, taxBasisPoints: 1000 })).toMatchObject({
      discount: 700,
      tax: 0,
      total: 0,
    });
    const min = computeTotals({ lines: [line(700)], discounts: [pct('BIG', 1000, 5000)], shipping: null, taxBasisPoints: 0 });
    expect(min).toMatchObject({ discount: 0, total: 700, inapplicableCodes: ['BIG'] });
  });
});
