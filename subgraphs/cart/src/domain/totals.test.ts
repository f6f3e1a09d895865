import { describe, expect, it } from 'vitest';
import { allocateLargestRemainder, applyBasisPoints, computeTotals, deliveryCost, taxOf, type Discount } from './totals.ts';

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

const EXCLUSIVE = (goodsBasisPoints: number, deliveryBasisPoints = 0) => ({ goodsBasisPoints, deliveryBasisPoints, pricesIncludeTax: false });
const INCLUSIVE = (goodsBasisPoints: number, deliveryBasisPoints = goodsBasisPoints) => ({
  goodsBasisPoints,
  deliveryBasisPoints,
  pricesIncludeTax: true,
});
const STANDARD = { price: 499, freeOver: 5000 };

describe('computeTotals', () => {
  it('handles awkward amounts: three lines of 0.33, 15 % off, 7.25 % tax', () => {
    const totals = computeTotals({
      lines: [line(33), line(33), line(33)],
      discounts: [pct('SAVE15', 1500)],
      delivery: STANDARD,
      tax: EXCLUSIVE(725),
    });
    // subtotal 0.99; discount 0.1485 → 0.15; goods 0.84; tax 0.0609 → 0.06; shipping 4.99 (not taxed)
    expect(totals).toEqual({
      subtotal: 99,
      discount: 15,
      shipping: 499,
      deliveryDiscount: 0,
      tax: 6,
      total: 84 + 499 + 6,
      taxesIncluded: false,
      inapplicableCodes: [],
    });
  });

  it('rounds once per cart, not per line', () => {
    // Per line, 7.25 % of 0.33 is 0.023925 → 0.02 each, 0.06 for three; on the cart it is 0.071775 → 0.07.
    const totals = computeTotals({ lines: [line(33), line(33), line(33)], discounts: [], delivery: null, tax: EXCLUSIVE(725) });
    expect(totals.tax).toBe(7);
  });

  it('ships free from the threshold on, measured after discounts', () => {
    const base = { lines: [line(5000)], delivery: STANDARD, tax: EXCLUSIVE(0) };
    expect(computeTotals({ ...base, discounts: [] }).shipping).toBe(0);
    expect(computeTotals({ ...base, discounts: [pct('TEN', 1000)] }).shipping).toBe(499);
    // Promotions count too: 1.00 off the line puts the goods under the threshold.
    const promoted = computeTotals({
      ...base,
      lines: [{ id: 'l1', ...line(5000) }],
      discounts: [],
      promotions: { lineAllocations: [{ lineId: 'l1', amount: 100 }], orderDiscount: 0, deliveryDiscount: 0 },
    });
    expect(promoted).toMatchObject({ discount: 100, shipping: 499, total: 4900 + 499 });
  });

  it('ignores unavailable lines and charges no shipping for an empty cart', () => {
    const totals = computeTotals({ lines: [line(1000, 2, false)], discounts: [], delivery: { price: 499, freeOver: null }, tax: EXCLUSIVE(2000) });
    expect(totals).toMatchObject({ subtotal: 0, shipping: 0, tax: 0, total: 0 });
  });

  it('caps discounts at the subtotal and skips codes below their minimum', () => {
    const fixed: Discount = { code: 'TENOFF', kind: 'FIXED', amount: 1000, minimumSubtotal: null };
    expect(computeTotals({ lines: [line(700)], discounts: [fixed], delivery: null, tax: EXCLUSIVE(1000) })).toMatchObject({
      discount: 700,
      tax: 0,
      total: 0,
    });
    const min = computeTotals({ lines: [line(700)], discounts: [pct('BIG', 1000, 5000)], delivery: null, tax: EXCLUSIVE(0) });
    expect(min).toMatchObject({ discount: 0, total: 700, inapplicableCodes: ['BIG'] });
  });

  it('taxes delivery at its own rate and rounds the sum once', () => {
    // Goods 10.05 at 7.25 % = 0.7286…; delivery 4.99 at 20 % = 0.998 → 1.7266… → 1.73 (per part: 0.73 + 1.00 = 1.73 too).
    expect(computeTotals({ lines: [line(1005)], discounts: [], delivery: STANDARD, tax: EXCLUSIVE(725, 2000) })).toMatchObject({
      shipping: 499,
      tax: 173,
      total: 1005 + 499 + 173,
    });
    // 0.125 + 0.125 rounds once to 0.25, where rounding each part would give 0.13 + 0.13 = 0.26.
    const halves = computeTotals({ lines: [line(125)], discounts: [], delivery: { price: 125, freeOver: null }, tax: EXCLUSIVE(1000, 1000) });
    expect(halves.tax).toBe(25);
    // Untaxed delivery (US-style zones) leaves only the goods' tax.
    expect(computeTotals({ lines: [line(1000)], discounts: [], delivery: STANDARD, tax: EXCLUSIVE(725, 0) }).tax).toBe(73);
  });

  it('with tax-inclusive prices, says how much of the total is tax and does not add it', () => {
    // 25.00 goods + 5.99 delivery, both at 20 % VAT included: 30.99 × 20 / 120 = 5.165 → 5.17.
    const totals = computeTotals({ lines: [line(2500)], discounts: [], delivery: { price: 599, freeOver: 7500 }, tax: INCLUSIVE(2000) });
    expect(totals).toEqual({
      subtotal: 2500,
      discount: 0,
      shipping: 599,
      deliveryDiscount: 0,
      tax: 517,
      total: 3099,
      taxesIncluded: true,
      inapplicableCodes: [],
    });
    // Different rates on goods (19 %) and delivery (7 %): 11.90 × 19/119 + 10.70 × 7/107 = 1.90 + 0.70.
    expect(computeTotals({ lines: [line(1190)], discounts: [], delivery: { price: 1070, freeOver: null }, tax: INCLUSIVE(1900, 700) }).tax).toBe(260);
    // Half a minor unit rounds up: 1.05 incl. 5 % = 0.05 tax exactly; 0.21 incl. 5 % = 0.01 (0.01 is 0.0100…).
    expect(computeTotals({ lines: [line(105)], discounts: [], delivery: null, tax: INCLUSIVE(500) }).tax).toBe(5);
    expect(computeTotals({ lines: [line(21)], discounts: [], delivery: null, tax: INCLUSIVE(500) }).tax).toBe(1);
  });

  it('regional rates: the rate given for the address is the one used', () => {
    const at = (goodsBasisPoints: number) =>
      computeTotals({ lines: [line(10_000)], discounts: [], delivery: null, tax: EXCLUSIVE(goodsBasisPoints) });
    expect(at(725).tax).toBe(725); // the country's rate (California's too)
    expect(at(400).tax).toBe(400); // a state with its own rate
    expect(at(0).total).toBe(10_000); // a state without sales tax
  });

  it('applies promotion discounts as given: lines, order and free delivery', () => {
    const totals = computeTotals({
      lines: [
        { id: 'a', ...line(2000) },
        { id: 'b', ...line(1000, 1, false) },
        { id: 'c', ...line(1000, 2) },
      ],
      discounts: [pct('TEN', 1000)],
      promotions: {
        // The unavailable line's allocation is not charged, so it is not given either.
        lineAllocations: [
          { lineId: 'a', amount: 500 },
          { lineId: 'b', amount: 300 },
        ],
        orderDiscount: 200,
        deliveryDiscount: 10_000,
      },
      delivery: { price: 999, freeOver: null },
      tax: EXCLUSIVE(1000, 1000),
    });
    // subtotal 40.00; lines −5.00; order −2.00; TEN: 10 % of 35.00 = 3.50; goods 29.50; delivery 9.99 − 9.99 (capped).
    expect(totals).toMatchObject({ subtotal: 4000, discount: 1050, shipping: 0, deliveryDiscount: 999, tax: 295, total: 2950 + 295 });
  });
});

describe('taxOf', () => {
  it('is exact beyond 2^53 (a large cart at a high rate)', () => {
    expect(taxOf(2_147_483_647, 2_147_483_647, { goodsBasisPoints: 10_000, deliveryBasisPoints: 10_000, pricesIncludeTax: true })).toBe(
      2_147_483_647,
    );
    expect(taxOf(2_147_483_647, 0, { goodsBasisPoints: 2500, deliveryBasisPoints: 0, pricesIncludeTax: false })).toBe(536_870_912);
  });
});

describe('deliveryCost', () => {
  it('is the price below the threshold and free at it; nothing for an empty cart', () => {
    expect(deliveryCost(STANDARD, 4999, 4999)).toBe(499);
    expect(deliveryCost(STANDARD, 6000, 5000)).toBe(0);
    expect(deliveryCost({ price: 1500, freeOver: null }, 100_000, 100_000)).toBe(1500);
    expect(deliveryCost(STANDARD, 0, 0)).toBe(0);
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
