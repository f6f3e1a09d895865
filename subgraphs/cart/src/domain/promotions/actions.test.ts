import { describe, expect, it } from 'vitest';
import type { Promotion, PromotionLine } from './promotion.ts';
import { bxgy, evaluate, freeDelivery, line, lineAmounts, linePct, off, pct, perUnit, promo, target } from './test-builders.ts';

interface ActionCase {
  name: string;
  lines: PromotionLine[];
  promotion: Promotion;
  deliveryCost?: number | null;
  /** lineId → discount (lines without one omitted). */
  perLine?: Record<string, number>;
  order?: number;
  delivery?: number;
}

const tees = target({ productIds: ['tee'] });
const tee = (id: string, unitPrice: number, quantity = 1) => line(id, unitPrice, quantity, { productId: 'tee' });

describe('each action takes off exactly', () => {
  it.each<ActionCase>([
    // Order percentage: rounded once on the cart, half up.
    {
      name: 'order 15 % of 3 × 0.33 = 0.1485 → 0.15',
      lines: [line('a', 33), line('b', 33), line('c', 33)],
      promotion: promo('p', pct(15)),
      order: 15,
    },
    { name: 'order 10 % of 10.05 = 1.005 → 1.01 (half up)', lines: [line('a', 1005)], promotion: promo('p', pct(10)), order: 101 },
    { name: 'order 10 % of 10.04 = 1.004 → 1.00', lines: [line('a', 1004)], promotion: promo('p', pct(10)), order: 100 },
    { name: 'order 100 % is the whole subtotal', lines: [line('a', 1999, 3)], promotion: promo('p', pct(100)), order: 5997 },
    // Order fixed.
    { name: 'order 5.00 off 20.00', lines: [line('a', 2000)], promotion: promo('p', off(500)), order: 500 },
    { name: 'order 50.00 off 12.00 is capped at 12.00', lines: [line('a', 700), line('b', 500)], promotion: promo('p', off(5000)), order: 1200 },
    // Line percentage: rounded once over the targeted lines, split by largest remainder.
    {
      name: 'lines 20 % off tees only',
      lines: [tee('a', 2500), tee('b', 1000, 2), line('c', 9999)],
      promotion: promo('p', linePct(20), { conditions: tees }),
      perLine: { a: 500, b: 400 },
    },
    {
      name: 'lines 25 % of 10.01 + 10.01 = 5.005 → 5.01; the extra cent goes to the first line',
      lines: [line('a', 1001), line('b', 1001)],
      promotion: promo('p', linePct(25)),
      perLine: { a: 251, b: 250 },
    },
    {
      name: 'lines 15 % of 0.33 × 3 lines = 0.1485 → 0.15, split 5/5/5',
      lines: [line('a', 33), line('b', 33), line('c', 33)],
      promotion: promo('p', linePct(15)),
      perLine: { a: 5, b: 5, c: 5 },
    },
    {
      name: 'lines 10 % of 3.34 + 6.66: 1.00 split 33/67 (remainders .4 and .6)',
      lines: [line('a', 334), line('b', 666)],
      promotion: promo('p', linePct(10)),
      perLine: { a: 33, b: 67 },
    },
    // Line fixed: per unit, never more than the unit price.
    { name: 'lines 3.00 off each unit, 2 units', lines: [line('a', 1000, 2)], promotion: promo('p', perUnit(300)), perLine: { a: 600 } },
    {
      name: 'lines 3.00 off each unit is capped at a 2.50 unit price',
      lines: [line('a', 250, 3), line('b', 1000)],
      promotion: promo('p', perUnit(300)),
      perLine: { a: 750, b: 300 },
    },
    // Free delivery.
    { name: 'free delivery of 4.99', lines: [line('a', 1000)], promotion: promo('p', freeDelivery), deliveryCost: 499, delivery: 499 },
    {
      name: 'free delivery when delivery is free already',
      lines: [line('a', 1000)],
      promotion: promo('p', freeDelivery),
      deliveryCost: 0,
      delivery: 0,
    },
    {
      name: 'free delivery before an option is selected',
      lines: [line('a', 1000)],
      promotion: promo('p', freeDelivery),
      deliveryCost: null,
      delivery: 0,
    },
    // Buy X get Y: the cheapest units are the ones discounted.
    {
      name: 'buy 2 get 1 free: the cheapest unit is free',
      lines: [line('a', 3000, 2), line('b', 1000)],
      promotion: promo('p', bxgy(2, 1)),
      perLine: { b: 1000 },
    },
    {
      name: 'buy 1 get 1 at 50 % with mixed prices: the two cheapest of four units',
      lines: [line('a', 4000), line('b', 2500), line('c', 1500, 2)],
      promotion: promo('p', bxgy(1, 1, 50)),
      perLine: { c: 1500 },
    },
    {
      name: 'buy 2 get 2 free across lines: 3.00 and 5.00 free, 7.00 × 2 paid',
      lines: [line('a', 500), line('b', 300), line('c', 700, 2)],
      promotion: promo('p', bxgy(2, 2)),
      perLine: { a: 500, b: 300 },
    },
    {
      name: 'buy 1 get 1 free repeats: 6 units, 3 free',
      lines: [line('a', 1000, 4), line('b', 800, 2)],
      promotion: promo('p', bxgy(1, 1)),
      perLine: { a: 1000, b: 1600 },
    },
    {
      name: 'buy 1 get 1 free at most twice: 6 units, 2 free',
      lines: [line('a', 1000, 4), line('b', 800, 2)],
      promotion: promo('p', bxgy(1, 1, 100, 2)),
      perLine: { b: 1600 },
    },
    {
      name: 'buy 2 get 1: 5 units make one group (the rest buys nothing)',
      lines: [line('a', 1000, 5)],
      promotion: promo('p', bxgy(2, 1)),
      perLine: { a: 1000 },
    },
    {
      name: 'buy 1 get 1 at 50 % of 3.33 = 1.665 → 1.67 (half up)',
      lines: [line('a', 333, 2)],
      promotion: promo('p', bxgy(1, 1, 50)),
      perLine: { a: 167 },
    },
    {
      name: 'buy 1 get 1 only among tees: the cheaper sock does not count',
      lines: [tee('a', 2000), tee('b', 1500), line('sock', 300)],
      promotion: promo('p', bxgy(1, 1), { conditions: tees }),
      perLine: { b: 1500 },
    },
    {
      name: 'buy 1 get 1: equal prices are broken by line id, not input order',
      lines: [line('b', 500), line('a', 500)],
      promotion: promo('p', bxgy(1, 1)),
      perLine: { a: 500 },
    },
  ])('$name', ({ lines, promotion, deliveryCost = null, perLine = {}, order = 0, delivery = 0 }) => {
    const result = evaluate({ lines, promotions: [promotion], deliveryCost });
    const lineTotal = Object.values(perLine).reduce((s, v) => s + v, 0);
    expect(lineAmounts(result)).toEqual(perLine);
    expect(result).toMatchObject({
      lineDiscount: lineTotal,
      orderDiscount: order,
      deliveryDiscount: delivery,
      totalDiscount: lineTotal + order + delivery,
    });
    expect(result.applied).toEqual([{ promotionId: 'p', title: 'Title p', code: null, amount: lineTotal + order + delivery }]);
    expect(result.deliveryAmount).toBe(deliveryCost === null ? null : deliveryCost - delivery);
    // The cart-level allocations are exactly the order and delivery discounts, never a zero row.
    expect(result.cartAllocations).toEqual([
      ...(order > 0 ? [{ target: 'ORDER', promotionId: 'p', title: 'Title p', code: null, amount: order }] : []),
      ...(delivery > 0 ? [{ target: 'DELIVERY', promotionId: 'p', title: 'Title p', code: null, amount: delivery }] : []),
    ]);
  });
});

describe('line totals', () => {
  it('split the order discount across lines by largest remainder, after line discounts, summing exactly', () => {
    // 10 % off socks (line discount 1.00 on c), then 5.00 off the order: left 3.33 + 3.33 + 9.00 = 15.66.
    // 500 × 333 / 1566 = 106.32…, 106.32…, 287.35… → 106, 106, 287 = 499, the extra cent to the largest remainder (c).
    const result = evaluate({
      lines: [line('a', 333), line('b', 333), line('c', 1000, 1, { productId: 'sock' }), line('gone', 5000, 1, { available: false })],
      promotions: [promo('socks', linePct(10), { conditions: target({ productIds: ['sock'] }) }), promo('five', off(500))],
    });
    expect(result.lines).toEqual([
      { lineId: 'a', subtotal: 333, lineDiscount: 0, orderDiscountShare: 106, total: 227 },
      { lineId: 'b', subtotal: 333, lineDiscount: 0, orderDiscountShare: 106, total: 227 },
      { lineId: 'c', subtotal: 1000, lineDiscount: 100, orderDiscountShare: 288, total: 612 },
      { lineId: 'gone', subtotal: 0, lineDiscount: 0, orderDiscountShare: 0, total: 0 },
    ]);
    expect(result.subtotal).toBe(1666);
    expect(result.lines.reduce((s, l) => s + l.total, 0)).toBe(result.subtotal - result.lineDiscount - result.orderDiscount);
  });

  it('never go negative when the discounts take everything', () => {
    const result = evaluate({ lines: [line('a', 999, 3), line('b', 1)], promotions: [promo('all', linePct(100)), promo('more', off(5000))] });
    expect(result.lines.map((l) => l.total)).toEqual([0, 0]);
    expect(result).toMatchObject({ lineDiscount: 2998, orderDiscount: 0, totalDiscount: 2998 });
  });
});
