import { describe, expect, it } from 'vitest';
import { allocateLargestRemainder, applyBasisPoints, computeTotals, type Discount } from './totals.ts';

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

describe('allocateLargestRemainder', () => {
  it.each([
    { name: 'even split', amount: 15, weights: [33, 33, 33], parts: [5, 5, 5] },
    { name: 'one cent left: the largest remainder takes it', amount: 100, weights: [334, 666], parts: [33, 67] },
    { name: 'equal remainders: the earlier line takes the cent', amount: 1, weights: [50, 50], parts: [1, 0] },
    { name: 'two cents over three equal lines', amount: 2, weights: [1, 1, 1], parts: [1, 1, 0] },
    { name: 'zero weights get nothing', amount: 10, weights: [0, 3, 0, 7], parts: [0, 3, 0, 7] },
    { name: 'all-zero weights: nothing to split by', amount: 10, weights: [0, 0], parts: [0, 0] },
    { name: 'amount equal to the weights: each part is its weight', amount: 1234, weights: [1000, 1, 233], parts: [1000, 1, 233] },
    { name: 'nothing to split', amount: 0, weights: [5, 7], parts: [0, 0] },
    // 2 147 483 647 × 2 145 336 164 007 passes 2^53: BigInt keeps it exact.
    {
      name: 'beyond 2^53 in the product',
      amount: 2_147_483_647,
      weights: [2_145_336_164_007, 2_145_336_164_006],
      parts: [1_073_741_824, 1_073_741_823],
    },
  ])('$name', ({ amount, weights, parts }) => {
    const result = allocateLargestRemainder(amount, weights);
    expect(result).toEqual(parts);
    if (weights.some((w) => w > 0)) expect(result.reduce((a, b) => a + b, 0)).toBe(amount);
  });

  it('never gives a line more than its weight, and always sums exactly (1,000 seeded cases)', () => {
    let seed = 42;
    const next = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % n);
    for (let run = 0; run < 1_000; run++) {
      const weights = Array.from({ length: 1 + next(8) }, () => next(5_000));
      const sum = weights.reduce((a, b) => a + b, 0);
      if (sum === 0) continue;
      const amount = next(sum + 1);
      const parts = allocateLargestRemainder(amount, weights);
      expect(parts.reduce((a, b) => a + b, 0)).toBe(amount);
      parts.forEach((p, i) => expect(p).toBeLessThanOrEqual(weights[i]!));
    }
  });

  it('refuses fractions and negatives', () => {
    expect(() => allocateLargestRemainder(1.5, [1])).toThrow(RangeError);
    expect(() => allocateLargestRemainder(1, [-1, 2])).toThrow(RangeError);
  });
});
