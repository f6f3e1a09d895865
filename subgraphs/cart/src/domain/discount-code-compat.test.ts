import { describe, expect, it } from 'vitest';
import type { PromotionRecord } from '../data/promotion.repository.ts';
import { parseDiscountCodeInput, redefinedPromotion, toDiscountCode } from './discount-code-compat.ts';

const NOW = new Date('2026-06-15T12:00:00Z');

function record(overrides: Partial<PromotionRecord> = {}): PromotionRecord {
  return {
    id: 'p-1',
    title: 'Summer sale',
    code: 'SUMMER',
    priority: 3,
    combinability: 'EXCLUSIVE',
    startsAt: null,
    endsAt: null,
    usageLimit: null,
    usageLimitPerCustomer: 1,
    usageCount: 4,
    conditions: { minimumSubtotal: null, minimumQuantity: null, target: null, signedInOnly: true, firstOrderOnly: false },
    action: { type: 'ORDER_PERCENTAGE', basisPoints: 1500 },
    archivedAt: null,
    createdAt: NOW,
    updatedAt: NOW,
    ...overrides,
  };
}

describe('parseDiscountCodeInput', () => {
  it('turns a code into an order promotion titled by its code; a minimum of 0 is none', () => {
    const parsed = parseDiscountCodeInput({ code: ' summer ', kind: 'FIXED_AMOUNT', value: '5.00', minimumSubtotal: '0.00', usageLimit: 10 }, 'USD');
    expect(parsed).toMatchObject({
      ok: true,
      active: true,
      promotion: {
        title: 'summer',
        code: 'SUMMER',
        usageLimit: 10,
        conditions: { minimumSubtotal: null, target: null },
        action: { type: 'ORDER_FIXED', amount: 500 },
      },
    });
  });

  it("reports every problem under the code input's own fields (none under the title made from the code)", () => {
    const parsed = parseDiscountCodeInput(
      { code: '', kind: 'PERCENTAGE', value: '101', minimumSubtotal: '-1', expiresAt: 'soon', usageLimit: 0, active: false },
      'USD',
    );
    expect(parsed.ok).toBe(false);
    const fields = parsed.ok ? [] : parsed.userErrors.map((e) => [e.field?.join('.'), e.code]);
    expect(fields.sort()).toEqual([
      ['input.code', 'INVALID'],
      ['input.code', 'REQUIRED'],
      ['input.expiresAt', 'INVALID'],
      ['input.minimumSubtotal', 'NEGATIVE'],
      ['input.usageLimit', 'INVALID'],
      ['input.value', 'INVALID'],
    ]);
  });
});

describe('redefinedPromotion', () => {
  it('takes what a code says and keeps what it cannot say, dropping a target, a minimum quantity and a start', () => {
    const parsed = parseDiscountCodeInput({ code: 'SUMMER', kind: 'PERCENTAGE', value: '20', minimumSubtotal: '30' }, 'USD');
    if (!parsed.ok) throw new Error('valid input');
    const existing = record({
      startsAt: new Date('2026-06-01T00:00:00Z'),
      conditions: {
        minimumSubtotal: null,
        minimumQuantity: 2,
        target: { variantIds: [], productIds: ['p'], categoryIds: [] },
        signedInOnly: true,
        firstOrderOnly: true,
      },
    });
    expect(redefinedPromotion(existing, parsed.promotion)).toEqual({
      title: 'Summer sale',
      code: 'SUMMER',
      priority: 3,
      combinability: 'EXCLUSIVE',
      startsAt: null,
      endsAt: null,
      usageLimit: null,
      usageLimitPerCustomer: 1,
      conditions: { minimumSubtotal: 3000, minimumQuantity: null, target: null, signedInOnly: true, firstOrderOnly: true },
      action: { type: 'ORDER_PERCENTAGE', basisPoints: 2000 },
    });
  });
});

describe('toDiscountCode', () => {
  it('shows an order promotion with a code as a code: active unless archived or not started', () => {
    expect(toDiscountCode(record(), NOW)).toEqual({
      code: 'SUMMER',
      kind: 'PERCENTAGE',
      value: 1500,
      minimumSubtotal: null,
      expiresAt: null,
      usageLimit: null,
      usageCount: 4,
      active: true,
      createdAt: NOW,
      updatedAt: NOW,
    });
    expect(toDiscountCode(record({ archivedAt: NOW }), NOW)?.active).toBe(false);
    expect(toDiscountCode(record({ startsAt: new Date('2026-07-01T00:00:00Z') }), NOW)?.active).toBe(false);
  });

  it('is null for what a code cannot express: automatic, another action, a target or a minimum quantity', () => {
    expect(toDiscountCode(record({ code: null }), NOW)).toBeNull();
    expect(toDiscountCode(record({ action: { type: 'FREE_DELIVERY' } }), NOW)).toBeNull();
    const base = record().conditions;
    expect(toDiscountCode(record({ conditions: { ...base, minimumQuantity: 2 } }), NOW)).toBeNull();
    expect(toDiscountCode(record({ conditions: { ...base, target: { variantIds: ['v'], productIds: [], categoryIds: [] } } }), NOW)).toBeNull();
  });
});
