import { describe, expect, it } from 'vitest';
import { deliveryOptions, selectOption } from './delivery-options.ts';

const method = (handle: string, price: number, freeOver: number | null = null, pickup = false) => ({
  handle,
  title: handle,
  price,
  freeOver,
  minDays: null,
  maxDays: null,
  pickup,
});
const METHODS = [method('express', 1499), method('pickup', 0, null, true), method('standard', 499, 5000), method('economy', 499)];

describe('delivery options', () => {
  it('are cheapest first after the free-over rule, ties in the zone’s order, pickup last', () => {
    expect(deliveryOptions(METHODS, 2500, 2500).map((o) => [o.handle, o.cost])).toEqual([
      ['standard', 499],
      ['economy', 499],
      ['express', 1499],
      ['pickup', 0],
    ]);
    // From the threshold on (on the discounted subtotal) Standard is free and comes first.
    expect(deliveryOptions(METHODS, 6000, 5000).map((o) => [o.handle, o.cost])).toEqual([
      ['standard', 0],
      ['economy', 499],
      ['express', 1499],
      ['pickup', 0],
    ]);
  });

  it('select the shopper’s choice while offered, else the cheapest shipped one; pickup only when nothing ships', () => {
    const options = deliveryOptions(METHODS, 2500, 2500);
    expect(selectOption(options, 'express')?.handle).toBe('express');
    expect(selectOption(options, 'drone')?.handle).toBe('standard');
    expect(selectOption(options, null)?.handle).toBe('standard');
    expect(selectOption(deliveryOptions([method('pickup', 0, null, true)], 100, 100), null)?.handle).toBe('pickup');
    expect(selectOption([], 'standard')).toBeNull();
  });
});
