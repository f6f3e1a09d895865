import { describe, expect, it } from 'vitest';
import { clampToAvailable, isValidQuantity, MAX_LINES, mergeCarts, mergeRequestedLines, normalizeCode } from './cart-rules.ts';

describe('quantities', () => {
  it('accepts integers 1..999 only', () => {
    expect([1, 999].every(isValidQuantity)).toBe(true);
    expect([0, 1000, 1.5, -1, Number.NaN].some(isValidQuantity)).toBe(false);
  });

  it('adds up the same product given twice in one request', () => {
    expect(
      mergeRequestedLines([
        { variantId: 'a', quantity: 2 },
        { variantId: 'b', quantity: 1 },
        { variantId: 'a', quantity: 3 },
      ]),
    ).toEqual(
      new Map([
        ['a', 5],
        ['b', 1],
      ]),
    );
  });

  it('clamps to what is available', () => {
    expect(clampToAvailable(5, 3)).toEqual({ quantity: 3, clamped: true });
    expect(clampToAvailable(2, 3)).toEqual({ quantity: 2, clamped: false });
    expect(clampToAvailable(2, -1)).toEqual({ quantity: 0, clamped: true });
  });

  it('normalizes discount codes', () => {
    expect(normalizeCode('  save15 ')).toBe('SAVE15');
  });
});

describe('mergeCarts', () => {
  const customer = new Map([
    ['a', 2],
    ['b', 998],
  ]);
  const guest = new Map([
    ['a', 3],
    ['b', 5],
    ['c', 1],
  ]);

  it('MERGE adds quantities of the same product within 999 per line', () => {
    const outcome = mergeCarts(customer, guest, 'MERGE');
    expect(outcome.quantities).toEqual(
      new Map([
        ['a', 5],
        ['b', 999],
        ['c', 1],
      ]),
    );
    expect(outcome.clamped).toEqual(['b']);
  });

  it('USE_GUEST takes the guest lines, KEEP_CUSTOMER keeps the customer lines', () => {
    expect(mergeCarts(customer, guest, 'USE_GUEST').quantities).toEqual(guest);
    expect(mergeCarts(customer, guest, 'KEEP_CUSTOMER').quantities).toEqual(customer);
  });

  it('never grows a cart beyond 250 lines', () => {
    const full = new Map(Array.from({ length: MAX_LINES }, (_, i) => [`p${i}`, 1] as const));
    const outcome = mergeCarts(
      full,
      new Map([
        ['new', 1],
        ['p0', 1],
      ]),
      'MERGE',
    );
    expect(outcome.quantities.size).toBe(MAX_LINES);
    expect(outcome.dropped).toEqual(['new']);
    expect(outcome.quantities.get('p0')).toBe(2);
  });
});
