import { describe, expect, it } from 'vitest';
import type { CodeRejection, DeliveryCost, Promotion, PromotionLine } from './promotion.ts';
import { appliedAmounts, bxgy, evaluate, freeDelivery, line, lineAmounts, linePct, off, pct, perUnit, promo, target } from './test-builders.ts';

const tees = target({ productIds: ['tee'] });
/** Tee 25.00, tee 10.00 × 2, mug 10.00: subtotal 55.00, tees 45.00. */
const cart: PromotionLine[] = [
  line('tee-a', 2500, 1, { productId: 'tee' }),
  line('tee-b', 1000, 2, { productId: 'tee' }),
  line('mug', 1000, 1, { productId: 'mug' }),
];
const ref = (id: string, code: string | null = null) => ({ promotionId: id, title: `Title ${id}`, code });

interface CombinationCase {
  name: string;
  promotions: Promotion[];
  codes?: string[];
  lines?: PromotionLine[];
  deliveryCost?: DeliveryCost;
  /** [promotion id, amount] in the order applied. */
  applied: [string, number][];
  perLine?: Record<string, number>;
  rejected?: CodeRejection[];
}

describe('combination rules', () => {
  it.each<CombinationCase>([
    {
      name: 'two stackable order discounts compound in priority order: 5.00 off, then 20 % of 50.00',
      promotions: [promo('pct', pct(20), { priority: 2 }), promo('fixed', off(500), { priority: 1 })],
      applied: [
        ['fixed', 500],
        ['pct', 1000],
      ],
    },
    {
      name: 'the same two the other way round: 20 % of 55.00, then 5.00 off',
      promotions: [promo('pct', pct(20), { priority: 1 }), promo('fixed', off(500), { priority: 2 })],
      applied: [
        ['pct', 1100],
        ['fixed', 500],
      ],
    },
    {
      name: 'two stackable 10 % are 19 %, not 20 %',
      promotions: [promo('a', pct(10)), promo('b', pct(10))],
      applied: [
        ['a', 550],
        ['b', 495],
      ],
    },
    {
      name: 'line discounts come before order discounts whatever their priority: 10 % is taken of 55.00 − 9.00',
      promotions: [promo('order', pct(10), { priority: 0 }), promo('tees', linePct(20), { priority: 5, conditions: tees })],
      applied: [
        ['tees', 900],
        ['order', 460],
      ],
      perLine: { 'tee-a': 500, 'tee-b': 400 },
    },
    {
      name: 'two line promotions: a line takes the first, the second discounts only the rest',
      promotions: [promo('tees', linePct(10), { priority: 1, conditions: tees }), promo('each', perUnit(300), { priority: 2 })],
      applied: [
        ['tees', 450],
        ['each', 300],
      ],
      perLine: { 'tee-a': 250, 'tee-b': 200, mug: 300 },
    },
    {
      name: 'a line code whose lines were all taken is not combinable with the one that took them',
      promotions: [
        promo('tees', linePct(10), { priority: 1, conditions: tees }),
        promo('tee3', perUnit(300), { code: 'TEE3', priority: 2, conditions: tees }),
      ],
      codes: ['tee3'],
      applied: [['tees', 450]],
      rejected: [{ code: 'TEE3', reason: 'NOT_COMBINABLE', with: ref('tees') }],
    },
    {
      name: 'buy 1 get 1 takes the cheaper tee line; 10 % off tees gets the dearer one',
      promotions: [promo('b1g1', bxgy(1, 1), { priority: 1, conditions: tees }), promo('tees', linePct(10), { priority: 2, conditions: tees })],
      applied: [
        ['b1g1', 1000],
        ['tees', 250],
      ],
      perLine: { 'tee-b': 1000, 'tee-a': 250 },
    },
    {
      name: 'exclusive worth more than the stackables wins; the stackable code is not combinable with it',
      promotions: [
        promo('auto', pct(10)),
        promo('code', off(500), { code: 'FIVE' }),
        promo('big', pct(30), { combinability: 'EXCLUSIVE', priority: 9 }),
      ],
      codes: ['FIVE'],
      applied: [['big', 1650]],
      rejected: [{ code: 'FIVE', reason: 'NOT_COMBINABLE', with: ref('big') }],
    },
    {
      name: 'stackables worth more than an exclusive code win; the code is not combinable with the first of them',
      promotions: [
        promo('auto', pct(10), { priority: 1 }),
        promo('more', off(1000), { priority: 2 }),
        promo('ex', pct(20), { code: 'EX', combinability: 'EXCLUSIVE' }),
      ],
      codes: ['EX'],
      applied: [
        ['auto', 550],
        ['more', 1000],
      ],
      rejected: [{ code: 'EX', reason: 'NOT_COMBINABLE', with: ref('auto') }],
    },
    {
      name: 'two exclusives: the larger wins even at a later priority',
      promotions: [
        promo('small', off(500), { combinability: 'EXCLUSIVE', priority: 1 }),
        promo('large', off(700), { combinability: 'EXCLUSIVE', priority: 2 }),
      ],
      applied: [['large', 700]],
    },
    {
      name: 'two equal exclusives: the earlier priority wins',
      promotions: [
        promo('a', off(500), { combinability: 'EXCLUSIVE', priority: 2 }),
        promo('b', off(500), { combinability: 'EXCLUSIVE', priority: 1 }),
      ],
      applied: [['b', 500]],
    },
    {
      name: 'two equal exclusives at one priority: the smaller id wins',
      promotions: [promo('b', off(500), { combinability: 'EXCLUSIVE' }), promo('a', off(500), { combinability: 'EXCLUSIVE' })],
      applied: [['a', 500]],
    },
    {
      name: 'an exclusive equal to the stackables: the earlier priority wins',
      promotions: [
        promo('s1', off(300), { priority: 3 }),
        promo('s2', off(200), { priority: 4 }),
        promo('ex', off(500), { combinability: 'EXCLUSIVE', priority: 2 }),
      ],
      applied: [['ex', 500]],
    },
    {
      name: 'a code and an automatic promotion, both stackable, apply together',
      promotions: [promo('auto', linePct(10), { conditions: tees }), promo('code', off(500), { code: 'FIVE' })],
      codes: ['FIVE'],
      applied: [
        ['auto', 450],
        ['code', 500],
      ],
    },
    {
      name: 'free delivery stacks with an order discount',
      promotions: [promo('ship', freeDelivery, { code: 'SHIP' }), promo('auto', pct(10))],
      codes: ['SHIP'],
      deliveryCost: 499,
      applied: [
        ['auto', 550],
        ['ship', 499],
      ],
    },
    {
      name: 'a second free delivery is not combinable with the first',
      promotions: [promo('ship', freeDelivery, { priority: 1 }), promo('ship2', freeDelivery, { code: 'SHIP2', priority: 2 })],
      codes: ['SHIP2'],
      deliveryCost: 499,
      applied: [['ship', 499]],
      rejected: [{ code: 'SHIP2', reason: 'NOT_COMBINABLE', with: ref('ship') }],
    },
    {
      name: 'an exclusive free delivery beats a smaller order discount',
      promotions: [promo('ship', freeDelivery, { combinability: 'EXCLUSIVE' }), promo('auto', off(300))],
      deliveryCost: 499,
      applied: [['ship', 499]],
    },
    {
      name: 'an order discount that costs free delivery loses to the alternative with less to pay',
      // 52.00: 5 % off leaves 49.40, under the 50.00 free-over threshold (4.99 to pay); the exclusive
      // free delivery keeps 52.00, which ships free. Weighed by discount alone, the 5 % would win
      // and the shopper would pay 54.39 instead of 52.00.
      promotions: [promo('ship', freeDelivery, { combinability: 'EXCLUSIVE' }), promo('auto', pct(5))],
      lines: [line('a', 5200)],
      deliveryCost: (goods: number) => (goods >= 5000 ? 0 : 499),
      applied: [['ship', 0]],
    },
    {
      name: 'a code that would cost the cart its free delivery does not apply (entering it never makes the cart dearer)',
      promotions: [promo('five', pct(5), { code: 'FIVE' })],
      codes: ['FIVE'],
      lines: [line('a', 5000)],
      deliveryCost: (goods: number) => (goods >= 5000 ? 0 : 499),
      applied: [],
      rejected: [{ code: 'FIVE', reason: 'NO_DISCOUNT' }],
    },
    {
      name: 'nothing left: an order code after 100 % off is not combinable with it',
      promotions: [promo('all', pct(100), { priority: 1 }), promo('five', off(500), { code: 'FIVE', priority: 2 })],
      codes: ['FIVE'],
      applied: [['all', 5500]],
      rejected: [{ code: 'FIVE', reason: 'NOT_COMBINABLE', with: ref('all') }],
    },
    {
      name: 'an order discount is capped at what the line discounts left: 50.00 off a 10.00 mug',
      promotions: [promo('tees', linePct(100), { conditions: tees }), promo('fifty', off(5000))],
      applied: [
        ['tees', 4500],
        ['fifty', 1000],
      ],
    },
    {
      name: 'a code that would take off 0.00 (0.01 % of 0.33) is rejected as no discount',
      promotions: [promo('tiny', { type: 'ORDER_PERCENTAGE', basisPoints: 1 }, { code: 'TINY' })],
      codes: ['TINY'],
      lines: [line('a', 33)],
      applied: [],
      rejected: [{ code: 'TINY', reason: 'NO_DISCOUNT' }],
    },
  ])('$name', ({ promotions, codes = [], lines = cart, deliveryCost = null, applied, perLine, rejected = [] }) => {
    const result = evaluate({ lines, promotions, codes, deliveryCost });
    expect(appliedAmounts(result)).toEqual(applied);
    const total = applied.reduce((s, [, amount]) => s + amount, 0);
    expect(result.totalDiscount).toBe(total);
    expect(result.lineDiscount + result.orderDiscount + result.deliveryDiscount).toBe(total);
    if (perLine) expect(lineAmounts(result)).toEqual(perLine);
    expect(result.rejectedCodes).toEqual(rejected);
    // Allocations add up: lines to the line discount, cart rows to the order and delivery discounts.
    expect(result.lineAllocations.reduce((s, a) => s + a.amount, 0)).toBe(result.lineDiscount);
    expect(result.cartAllocations.filter((a) => a.target === 'ORDER').reduce((s, a) => s + a.amount, 0)).toBe(result.orderDiscount);
    expect(result.lines.reduce((s, l) => s + l.orderDiscountShare, 0)).toBe(result.orderDiscount);
    expect(result.orderDiscount).toBeLessThanOrEqual(result.subtotal - result.lineDiscount);
    for (const l of result.lines) expect(l.total).toBeGreaterThanOrEqual(0);
  });
});

describe('whole-engine properties', () => {
  const promotions = [
    promo('tees', linePct(15), { priority: 1, conditions: tees }),
    promo('b1g1', bxgy(1, 1, 50), { code: 'HALF', priority: 2 }),
    promo('ten', pct(10), { code: 'TEN', priority: 3 }),
    promo('ex', off(1500), { code: 'EX', combinability: 'EXCLUSIVE', priority: 4 }),
    promo('ship', freeDelivery, { code: 'SHIP', priority: 5 }),
  ];
  const codeSets = [[], ['HALF'], ['TEN'], ['EX'], ['SHIP'], ['HALF', 'TEN'], ['TEN', 'EX'], ['HALF', 'TEN', 'EX', 'SHIP']];

  it('entering another code never lowers the discount', () => {
    for (const codes of codeSets) {
      const before = evaluate({ lines: cart, promotions, codes, deliveryCost: 499 }).totalDiscount;
      for (const extra of ['HALF', 'TEN', 'EX', 'SHIP']) {
        expect(evaluate({ lines: cart, promotions, codes: [...codes, extra], deliveryCost: 499 }).totalDiscount).toBeGreaterThanOrEqual(before);
      }
    }
  });

  it('gives the same answer whatever the order of promotions, lines and codes', () => {
    const input = { lines: cart, promotions, codes: ['HALF', 'TEN', 'EX', 'SHIP'], deliveryCost: 499 };
    const reference = evaluate(input);
    const shuffled = evaluate({ ...input, lines: [...cart].reverse(), promotions: [...promotions].reverse() });
    const byLine = (r: typeof reference) => [...r.lineAllocations].sort((a, b) => (a.lineId < b.lineId ? -1 : 1));
    expect(byLine(shuffled)).toEqual(byLine(reference));
    expect({ ...shuffled, lineAllocations: [], lines: [] }).toEqual({ ...reference, lineAllocations: [], lines: [] });
    expect(evaluate({ ...input, codes: ['SHIP', 'EX', 'TEN', 'HALF'] }).applied).toEqual(reference.applied);
    expect(evaluate(input)).toEqual(reference);
  });
});

describe('delivery as each alternative makes it cost', () => {
  it('reports the delivery the winning alternative pays, and no allocation for a free delivery worth nothing', () => {
    const result = evaluate({
      lines: [line('a', 5200)],
      promotions: [promo('ship', freeDelivery, { combinability: 'EXCLUSIVE' }), promo('auto', pct(5))],
      deliveryCost: (goods: number) => (goods >= 5000 ? 0 : 499),
    });
    expect(result).toMatchObject({ orderDiscount: 0, deliveryDiscount: 0, deliveryAmount: 0, totalDiscount: 0 });
    expect(result.cartAllocations).toEqual([]);
    // Where no threshold is reached either way, the larger discount wins as before.
    const below = evaluate({
      lines: [line('a', 4000)],
      promotions: [promo('ship', freeDelivery, { combinability: 'EXCLUSIVE' }), promo('auto', pct(5))],
      deliveryCost: (goods: number) => (goods >= 5000 ? 0 : 499),
    });
    expect(below).toMatchObject({ orderDiscount: 0, deliveryDiscount: 499, deliveryAmount: 0 });
  });
});
