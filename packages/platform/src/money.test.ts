import { describe, expect, it } from 'vitest';
import { formatMinor, parseDecimal } from './money.ts';

describe('money', () => {
  it('formats minor units with the currency digits', () => {
    expect(formatMinor(1999, 'USD')).toBe('19.99');
    expect(formatMinor(5, 'USD')).toBe('0.05');
    expect(formatMinor(-250, 'EUR')).toBe('-2.50');
    expect(formatMinor(1200, 'JPY')).toBe('1200');
  });

  it('parses decimal strings exactly, refusing extra precision', () => {
    expect(parseDecimal('19.99', 'USD')).toEqual({ ok: true, minor: 1999 });
    expect(parseDecimal('19.9', 'USD')).toEqual({ ok: true, minor: 1990 });
    expect(parseDecimal('19', 'USD')).toEqual({ ok: true, minor: 1900 });
    expect(parseDecimal('19.999', 'USD')).toEqual({ ok: false, reason: 'PRECISION' });
    expect(parseDecimal('1.5', 'JPY')).toEqual({ ok: false, reason: 'PRECISION' });
    expect(parseDecimal('1e3', 'USD')).toEqual({ ok: false, reason: 'FORMAT' });
    expect(parseDecimal('', 'USD')).toEqual({ ok: false, reason: 'FORMAT' });
  });

  it('refuses non-integer minor amounts', () => {
    expect(() => formatMinor(1.5, 'USD')).toThrow(RangeError);
  });
});
