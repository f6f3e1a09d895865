import { describe, expect, it } from 'vitest';
import { isUuid } from '@shop/platform';
import {
  answerEventId,
  answerFor,
  availableOf,
  countOnly,
  decide,
  MAX_LINE_QUANTITY,
  normalizeLines,
  shortages,
  stockChanged,
  sumByProduct,
  type ReservationStatus,
  type StockCommand,
} from './inventory.ts';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';
const ORDER = '11111111-1111-4111-8111-111111111111';

describe('normalizeLines', () => {
  it('merges duplicate products and sorts by product id (the lock order)', () => {
    const result = normalizeLines([
      { productId: C, quantity: 1 },
      { productId: A, quantity: 2 },
      { productId: C.toUpperCase(), quantity: 3 },
    ]);
    expect(result).toEqual({
      ok: true,
      lines: [
        { productId: A, quantity: 2 },
        { productId: C, quantity: 4 },
      ],
    });
  });

  it('rejects the order for any quantity that is not a positive integer, naming every bad line', () => {
    const result = normalizeLines([
      { productId: A, quantity: 0 },
      { productId: B, quantity: -2 },
      { productId: C, quantity: 1.5 },
      { productId: A, quantity: '3' },
      { productId: B, quantity: 2 },
    ]);
    expect(result).toEqual({
      ok: false,
      invalid: [
        { productId: A, requested: 0, available: 0 },
        { productId: B, requested: -2, available: 0 },
        { productId: C, requested: 1.5, available: 0 },
        { productId: A, requested: 0, available: 0 },
      ],
    });
  });

  it('rejects product ids that are not uuids, empty or missing lines, and merged totals beyond int4', () => {
    expect(normalizeLines([{ productId: 'nope', quantity: 1 }])).toEqual({ ok: false, invalid: [{ productId: 'nope', requested: 1, available: 0 }] });
    expect(normalizeLines([])).toEqual({ ok: false, invalid: [] });
    expect(normalizeLines(undefined)).toEqual({ ok: false, invalid: [] });
    expect(normalizeLines([null])).toEqual({ ok: false, invalid: [{ productId: 'undefined', requested: 0, available: 0 }] });
    expect(
      normalizeLines([
        { productId: A, quantity: MAX_LINE_QUANTITY },
        { productId: A, quantity: 1 },
      ]),
    ).toEqual({ ok: false, invalid: [{ productId: A, requested: MAX_LINE_QUANTITY + 1, available: 0 }] });
  });
});

describe('sumByProduct', () => {
  it('adds up lines of several orders per product, sorted', () => {
    expect(
      sumByProduct([
        { productId: B, quantity: 1 },
        { productId: A, quantity: 2 },
        { productId: B, quantity: 4 },
      ]),
    ).toEqual([
      { productId: A, quantity: 2 },
      { productId: B, quantity: 5 },
    ]);
  });
});

describe('availability and shortages', () => {
  it('counts nothing as available for a deleted product', () => {
    expect(availableOf({ onHand: 10, reserved: 3, deletedAt: null })).toBe(7);
    expect(availableOf({ onHand: 10, reserved: 3, deletedAt: new Date() })).toBe(0);
  });

  it('names each short product with what was asked and what is available, capped below the request', () => {
    const stock = new Map([
      [A, { onHand: 5, reserved: 3, deletedAt: null }],
      [B, { onHand: 9, reserved: 0, deletedAt: null }], // freed after the update failed
      [C, { onHand: 9, reserved: 0, deletedAt: new Date() }],
    ]);
    const missing = '00000000-0000-4000-8000-0000000000ff';
    expect(
      shortages(
        [
          { productId: A, quantity: 3 },
          { productId: B, quantity: 4 },
          { productId: C, quantity: 1 },
          { productId: missing, quantity: 2 },
        ],
        stock,
      ),
    ).toEqual([
      { productId: A, requested: 3, available: 2 },
      { productId: B, requested: 4, available: 3 },
      { productId: C, requested: 1, available: 0 },
      { productId: missing, requested: 2, available: 0 },
    ]);
  });
});

describe('decide', () => {
  const table: Array<[StockCommand, ReservationStatus | null, ReturnType<typeof decide>]> = [
    ['reserve', null, 'apply'],
    ['reserve', 'RESERVED', 'answer'],
    ['reserve', 'REJECTED', 'answer'],
    ['reserve', 'COMMITTED', 'answer'],
    ['reserve', 'RELEASED', 'answer'],
    ['commit', null, 'tombstone'],
    ['commit', 'RESERVED', 'apply'],
    ['commit', 'COMMITTED', 'answer'],
    ['commit', 'RELEASED', 'answer'], // after expiry or cancellation: stock untouched
    ['commit', 'REJECTED', 'answer'],
    ['release', null, 'tombstone'],
    ['release', 'RESERVED', 'apply'],
    ['release', 'RELEASED', 'answer'],
    ['release', 'COMMITTED', 'answer'], // sold: a release has no effect
    ['release', 'REJECTED', 'answer'],
  ];
  it.each(table)('%s on %s → %s', (command, status, expected) => {
    expect(decide(command, status)).toBe(expected);
  });
});

describe('answers', () => {
  it('gives each (order, outcome) one stable uuid', () => {
    const id = answerEventId('inventory.reserved', ORDER);
    expect(isUuid(id)).toBe(true);
    expect(answerEventId('inventory.reserved', ORDER.toUpperCase())).toBe(id);
    expect(answerEventId('inventory.released', ORDER)).not.toBe(id);
    expect(answerEventId('inventory.reserved', C)).not.toBe(id);
  });

  it('maps outcomes to the INVENTORY contracts (none for a commit)', () => {
    const expiresAt = new Date('2026-11-23T10:15:00.000Z');
    expect(answerFor({ status: 'RESERVED', orderId: ORDER, lines: [{ productId: A, quantity: 1 }], expiresAt })).toEqual({
      id: answerEventId('inventory.reserved', ORDER),
      subject: 'inventory.reserved',
      data: { orderId: ORDER, lines: [{ productId: A, quantity: 1 }], expiresAt: '2026-11-23T10:15:00.000Z' },
    });
    expect(answerFor({ status: 'REJECTED', orderId: ORDER, shortProducts: [] })).toMatchObject({
      subject: 'inventory.rejected',
      data: { orderId: ORDER, shortProducts: [] },
    });
    // A commit that took effect needs no answer: the order is CONFIRMED already.
    expect(answerFor({ status: 'COMMITTED', orderId: ORDER })).toBeNull();
    expect(answerFor({ status: 'RELEASED', orderId: ORDER, reason: 'EXPIRED' })).toMatchObject({
      subject: 'inventory.released',
      data: { orderId: ORDER, reason: 'EXPIRED' },
    });
  });
});

describe('stockChanged', () => {
  const P = '00000000-0000-4000-8000-0000000000a1';
  const product = { id: A, productId: P, sku: 'SKU-A', priceAmount: 1299, currency: 'USD', onHand: 10, reserved: 4, deletedAt: null };

  it('announces a reservation or release of a variant: the available quantity moved', () => {
    expect(stockChanged(product, { onHand: 10, reserved: 1 })).toEqual({
      productId: P,
      variantId: A,
      sku: 'SKU-A',
      priceAmount: 1299,
      currency: 'USD',
      availableQuantity: 6,
      available: true,
      change: 'STOCK',
    });
  });

  it('stays silent for a commit (reserved units become sold, available is the same) and for a deleted product', () => {
    expect(stockChanged({ ...product, onHand: 8, reserved: 2 }, { onHand: 10, reserved: 4 })).toBeNull();
    expect(stockChanged({ ...product, deletedAt: new Date() }, { onHand: 10, reserved: 6 })).toBeNull();
  });
});

describe('countOnly', () => {
  const P = '00000000-0000-4000-8000-0000000000a1';
  const variant = { id: A, productId: P, sku: 'SKU-A', priceAmount: 1299, currency: 'USD', onHand: 10, reserved: 4, deletedAt: null };

  it('is a move within stock: in stock before and after', () => {
    expect(countOnly(variant, { onHand: 10, reserved: 1 })).toBe(true);
  });

  it('is not a move into or out of stock, nor one of a deleted variant (carts show those)', () => {
    expect(countOnly({ ...variant, reserved: 10 }, { onHand: 10, reserved: 9 })).toBe(false);
    expect(countOnly(variant, { onHand: 10, reserved: 10 })).toBe(false);
    expect(countOnly({ ...variant, deletedAt: new Date() }, { onHand: 10, reserved: 1 })).toBe(false);
  });
});
