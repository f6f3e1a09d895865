import { describe, expect, it } from 'vitest';
import { parsePromotionInput } from './promotion-input.ts';

const base = { title: 'Summer sale', action: { type: 'ORDER_PERCENTAGE', percentage: '15' } };

describe('parsePromotionInput', () => {
  it('fills the defaults: automatic, stackable, priority 0, no window, no limits, no conditions', () => {
    expect(parsePromotionInput(base, 'USD')).toEqual({
      ok: true,
      promotion: {
        title: 'Summer sale',
        code: null,
        priority: 0,
        combinability: 'STACKABLE',
        startsAt: null,
        endsAt: null,
        usageLimit: null,
        usageLimitPerCustomer: null,
        conditions: { minimumSubtotal: null, minimumQuantity: null, target: null, signedInOnly: false, firstOrderOnly: false },
        action: { type: 'ORDER_PERCENTAGE', basisPoints: 1500 },
      },
    });
  });

  it('converts a full input: code upper-cased, decimals to minor units and basis points, ISO dates', () => {
    const result = parsePromotionInput(
      {
        title: ' Tees ',
        code: 'tees-10',
        priority: 3,
        combinability: 'EXCLUSIVE',
        startsAt: '2026-06-01T00:00:00Z',
        endsAt: new Date('2026-07-01T00:00:00Z'),
        usageLimit: 100,
        usageLimitPerCustomer: 1,
        conditions: { minimumSubtotal: '50.00', minimumQuantity: 2, productIds: ['tee'], variantIds: null, signedInOnly: true, firstOrderOnly: null },
        action: { type: 'LINE_PERCENTAGE', percentage: '7.25', amount: null },
      },
      'USD',
    );
    expect(result).toMatchObject({
      ok: true,
      promotion: {
        title: 'Tees',
        code: 'TEES-10',
        priority: 3,
        combinability: 'EXCLUSIVE',
        startsAt: new Date('2026-06-01T00:00:00Z'),
        endsAt: new Date('2026-07-01T00:00:00Z'),
        usageLimit: 100,
        usageLimitPerCustomer: 1,
        conditions: {
          minimumSubtotal: 5000,
          minimumQuantity: 2,
          target: { productIds: ['tee'], variantIds: [], categoryIds: [] },
          signedInOnly: true,
          firstOrderOnly: false,
        },
        action: { type: 'LINE_PERCENTAGE', basisPoints: 725 },
      },
    });
  });

  it.each([
    { name: 'fixed off the order', action: { type: 'ORDER_FIXED', amount: '5.00' }, expected: { type: 'ORDER_FIXED', amount: 500 } },
    { name: 'fixed off each unit', action: { type: 'LINE_FIXED_PER_UNIT', amount: '0.99' }, expected: { type: 'LINE_FIXED_PER_UNIT', amount: 99 } },
    { name: 'free delivery', action: { type: 'FREE_DELIVERY', percentage: null }, expected: { type: 'FREE_DELIVERY' } },
    {
      name: 'buy 2 get 1 (free when no percentage)',
      action: { type: 'BUY_X_GET_Y', buyQuantity: 2, getQuantity: 1 },
      expected: { type: 'BUY_X_GET_Y', buyQuantity: 2, getQuantity: 1, basisPoints: 10_000, maxApplications: null },
    },
    {
      name: 'buy 1 get 1 at 50 %, at most 3 times',
      action: { type: 'BUY_X_GET_Y', buyQuantity: 1, getQuantity: 1, percentage: '50', maxApplications: 3 },
      expected: { type: 'BUY_X_GET_Y', buyQuantity: 1, getQuantity: 1, basisPoints: 5000, maxApplications: 3 },
    },
    {
      name: 'yen amounts have no decimals',
      action: { type: 'ORDER_FIXED', amount: '500' },
      currency: 'JPY' as const,
      expected: { type: 'ORDER_FIXED', amount: 500 },
    },
  ])('action: $name', ({ action, expected, currency = 'USD' as const }) => {
    expect(parsePromotionInput({ ...base, action }, currency)).toMatchObject({ ok: true, promotion: { action: expected } });
  });

  it('reports every problem at once, each on its field', () => {
    const result = parsePromotionInput(
      {
        title: ' ',
        code: 'no spaces',
        priority: -1,
        startsAt: '2026-07-01T00:00:00Z',
        endsAt: '2026-06-01T00:00:00Z',
        usageLimit: 0,
        conditions: { minimumSubtotal: '10.001', minimumQuantity: 1.5 },
        action: { type: 'ORDER_PERCENTAGE', percentage: '100.01' },
      },
      'USD',
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.userErrors.map((e) => [e.field?.join('.'), e.code])).toEqual([
      ['input.title', 'REQUIRED'],
      ['input.code', 'INVALID'],
      ['input.priority', 'NEGATIVE'],
      ['input.usageLimit', 'INVALID'],
      ['input.conditions.minimumSubtotal', 'PRECISION'],
      ['input.conditions.minimumQuantity', 'INVALID'],
      ['input.action.percentage', 'INVALID'],
      ['input.endsAt', 'INVALID'],
    ]);
    expect(result.userErrors.find((e) => e.field?.join('.') === 'input.action.percentage')?.message).toBe(
      'Percentage must be between 0.01 and 100 with at most two decimals',
    );
  });

  it.each([
    {
      name: 'a zero amount off',
      action: { type: 'ORDER_FIXED', amount: '0' },
      field: 'input.action.amount',
      message: 'Amount off must be more than zero',
    },
    { name: 'a zero percentage', action: { type: 'LINE_PERCENTAGE', percentage: '0' }, field: 'input.action.percentage' },
    { name: 'buy 0 get 1', action: { type: 'BUY_X_GET_Y', buyQuantity: 0, getQuantity: 1 }, field: 'input.action.buyQuantity' },
    { name: 'a missing amount', action: { type: 'ORDER_FIXED' }, field: 'input.action.amount' },
    { name: 'an unknown action', action: { type: 'FREE_GIFT' }, field: 'input.action.type' },
  ])('refuses $name', ({ action, field, message }) => {
    const result = parsePromotionInput({ ...base, action }, 'USD');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.userErrors.map((e) => e.field?.join('.'))).toEqual([field]);
    if (message) expect(result.userErrors[0]?.message).toBe(message);
  });

  it('refuses a window that ends before it starts, and an unreadable date', () => {
    const backwards = parsePromotionInput({ ...base, startsAt: '2026-07-01T00:00:00Z', endsAt: '2026-06-01T00:00:00Z' }, 'USD');
    expect(backwards).toMatchObject({ ok: false, userErrors: [{ field: ['input', 'endsAt'], message: 'The end must come after the start' }] });
    const garbage = parsePromotionInput({ ...base, startsAt: 'soon' }, 'USD');
    expect(garbage).toMatchObject({ ok: false, userErrors: [{ field: ['input', 'startsAt'], message: 'Not a valid date' }] });
  });
});
