import { describe, expect, it } from 'vitest';
import type { CodeRejectionReason, CustomerContext, Promotion, PromotionLine } from './promotion.ts';
import { bxgy, evaluate, GUEST, line, NOW, pct, promo, RETURNING, target } from './test-builders.ts';

const SIGNED_IN_NEW: CustomerContext = { signedIn: true, hasOrders: false, customerId: 'c-2' };
const at = (iso: string) => new Date(iso);
const cart = [line('a', 2000, 2, { categoryIds: ['summer', 'tops'] }), line('b', 1000, 1, { productId: 'mug' })];

/** A code promotion "SAVE" (10 % off the order) with the given conditions and window. */
const save = (more: Parameters<typeof promo>[2] = {}): Promotion => promo('save', pct(10), { code: 'SAVE', ...more });

interface ConditionCase {
  name: string;
  promotion: Promotion;
  lines?: PromotionLine[];
  customer?: CustomerContext;
  now?: Date;
  usageLimitReached?: string[];
  /** The order discount when it applies, or the code's rejection. */
  expected: number | CodeRejectionReason;
}

describe('conditions: the code applies, or is rejected with the reason the UI shows', () => {
  it.each<ConditionCase>([
    { name: 'no conditions', promotion: save(), expected: 500 },
    // Minimum subtotal: matching lines, before discounts, available lines only.
    { name: 'minimum subtotal met exactly', promotion: save({ conditions: { minimumSubtotal: 5000 } }), expected: 500 },
    {
      name: 'minimum subtotal missed by 0.01',
      promotion: save({ conditions: { minimumSubtotal: 5001 } }),
      expected: { reason: 'MINIMUM_SUBTOTAL_NOT_MET', missingAmount: 1 },
    },
    {
      name: 'minimum subtotal counts only targeted lines',
      promotion: save({ conditions: { minimumSubtotal: 4500, ...target({ productIds: ['mug'] }) } }),
      expected: { reason: 'MINIMUM_SUBTOTAL_NOT_MET', missingAmount: 3500 },
    },
    {
      name: 'minimum subtotal ignores an unavailable line',
      promotion: save({ conditions: { minimumSubtotal: 5000 } }),
      lines: [...cart, line('gone', 9000, 1, { available: false })],
      expected: 500,
    },
    // Minimum quantity.
    { name: 'minimum quantity met', promotion: save({ conditions: { minimumQuantity: 3 } }), expected: 500 },
    {
      name: 'minimum quantity missed by 2',
      promotion: save({ conditions: { minimumQuantity: 5 } }),
      expected: { reason: 'MINIMUM_QUANTITY_NOT_MET', missingQuantity: 2 },
    },
    {
      name: 'buy 2 get 1 implies 3 units',
      promotion: promo('save', bxgy(2, 1), { code: 'SAVE', conditions: target({ productIds: ['mug'] }) }),
      expected: { reason: 'MINIMUM_QUANTITY_NOT_MET', missingQuantity: 2 },
    },
    // Targets: variant, product or any category.
    { name: 'target by variant id', promotion: save({ conditions: target({ variantIds: ['v-b'] }) }), expected: 500 },
    { name: 'target by product id', promotion: save({ conditions: target({ productIds: ['mug'] }) }), expected: 500 },
    { name: 'target by one of the line categories', promotion: save({ conditions: target({ categoryIds: ['tops'] }) }), expected: 500 },
    {
      name: 'target matches nothing',
      promotion: save({ conditions: target({ productIds: ['hat'], categoryIds: ['winter'] }) }),
      expected: { reason: 'NO_ELIGIBLE_ITEMS' },
    },
    {
      name: 'target matches only an unavailable line',
      promotion: save({ conditions: target({ productIds: ['hat'] }) }),
      lines: [...cart, line('gone', 9000, 1, { productId: 'hat', available: false })],
      expected: { reason: 'NO_ELIGIBLE_ITEMS' },
    },
    { name: 'empty cart', promotion: save(), lines: [], expected: { reason: 'NO_ELIGIBLE_ITEMS' } },
    // Customers.
    { name: 'signed-in only, guest', promotion: save({ conditions: { signedInOnly: true } }), expected: { reason: 'SIGN_IN_REQUIRED' } },
    { name: 'signed-in only, signed in', promotion: save({ conditions: { signedInOnly: true } }), customer: RETURNING, expected: 500 },
    {
      name: 'first order only, has orders',
      promotion: save({ conditions: { firstOrderOnly: true } }),
      customer: RETURNING,
      expected: { reason: 'FIRST_ORDER_ONLY' },
    },
    { name: 'first order only, no orders yet', promotion: save({ conditions: { firstOrderOnly: true } }), customer: SIGNED_IN_NEW, expected: 500 },
    // Date window: [startsAt, endsAt).
    {
      name: 'before the start',
      promotion: save({ startsAt: at('2026-06-15T12:00:01Z') }),
      expected: { reason: 'NOT_STARTED', startsAt: at('2026-06-15T12:00:01Z') },
    },
    { name: 'at the start (inclusive)', promotion: save({ startsAt: NOW }), expected: 500 },
    { name: 'a millisecond before the end', promotion: save({ endsAt: at('2026-06-15T12:00:00.001Z') }), expected: 500 },
    { name: 'at the end (exclusive)', promotion: save({ endsAt: NOW }), expected: { reason: 'EXPIRED', endsAt: NOW } },
    // Usage limits are counted by the caller.
    { name: 'usage limit reached', promotion: save({ usageLimit: 10 }), usageLimitReached: ['save'], expected: { reason: 'USAGE_LIMIT_REACHED' } },
    // The first failing condition speaks, fixed ones first.
    {
      name: 'expired and below the minimum: expired',
      promotion: save({ endsAt: NOW, conditions: { minimumSubtotal: 99_999 } }),
      expected: { reason: 'EXPIRED', endsAt: NOW },
    },
    {
      name: 'guest, first order only and below the minimum: sign in',
      promotion: save({ conditions: { signedInOnly: true, firstOrderOnly: true, minimumSubtotal: 99_999 } }),
      expected: { reason: 'SIGN_IN_REQUIRED' },
    },
    {
      name: 'below the minimum subtotal and quantity: the subtotal',
      promotion: save({ conditions: { minimumSubtotal: 6000, minimumQuantity: 9 } }),
      expected: { reason: 'MINIMUM_SUBTOTAL_NOT_MET', missingAmount: 1000 },
    },
  ])('$name', ({ promotion, lines = cart, customer = GUEST, now = NOW, usageLimitReached = [], expected }) => {
    const result = evaluate({ lines, promotions: [promotion], codes: ['SAVE'], customer, now, usageLimitReached });
    if (typeof expected === 'number') {
      expect(result.orderDiscount).toBe(expected);
      expect(result.rejectedCodes).toEqual([]);
    } else {
      expect(result.applied).toEqual([]);
      expect(result.rejectedCodes).toEqual([{ code: 'SAVE', ...expected }]);
    }
  });
});

describe('codes', () => {
  const promotions = [save()];

  it('match case-insensitively and trimmed, each reported once in the order entered', () => {
    const result = evaluate({ lines: cart, promotions, codes: [' save ', 'nope', 'SAVE', 'NOPE', ''] });
    expect(result.applied.map((a) => a.code)).toEqual(['SAVE']);
    expect(result.rejectedCodes).toEqual([{ code: 'NOPE', reason: 'UNKNOWN_CODE' }]);
  });

  it('a code promotion does nothing unless its code is entered', () => {
    expect(evaluate({ lines: cart, promotions }).applied).toEqual([]);
  });

  it('automatic promotions whose conditions fail are left out silently', () => {
    const result = evaluate({ lines: cart, promotions: [promo('auto', pct(10), { conditions: { minimumSubtotal: 99_999 } })] });
    expect(result).toMatchObject({ applied: [], rejectedCodes: [], totalDiscount: 0 });
  });

  it('two promotions under one code: the code applies if either does', () => {
    const result = evaluate({
      lines: cart,
      promotions: [save({ endsAt: NOW }), promo('save-2', pct(20), { code: 'SAVE', priority: 1 })],
      codes: ['SAVE'],
    });
    expect(result.applied.map((a) => a.promotionId)).toEqual(['save-2']);
    expect(result.rejectedCodes).toEqual([]);
  });
});
