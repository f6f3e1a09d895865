import { describe, expect, it } from 'vitest';
import type { DiscountRow } from '../data/cart-state.repository.ts';
import { isDiscountUsable } from './cart-view.ts';

const now = new Date('2026-12-02T12:00:00Z');
const code = (over: Partial<DiscountRow>): DiscountRow => ({
  kind: 'PERCENTAGE',
  value: 1000,
  minimumSubtotal: null,
  expiresAt: null,
  usageLimit: null,
  usageCount: 0,
  active: true,
  ...over,
});

describe('isDiscountUsable', () => {
  it('counts a code while it is on, not expired and under its limit', () => {
    expect(isDiscountUsable(code({}), now)).toBe(true);
    expect(isDiscountUsable(code({ expiresAt: new Date('2026-12-02T12:00:01Z'), usageLimit: 2, usageCount: 1 }), now)).toBe(true);
  });

  it('refuses a code switched off, expired at or before now, or used up', () => {
    expect(isDiscountUsable(code({ active: false }), now)).toBe(false);
    expect(isDiscountUsable(code({ expiresAt: now }), now)).toBe(false);
    expect(isDiscountUsable(code({ expiresAt: '2026-12-02T11:59:59Z' }), now)).toBe(false); // as the driver returns it
    expect(isDiscountUsable(code({ usageLimit: 3, usageCount: 3 }), now)).toBe(false);
  });
});
