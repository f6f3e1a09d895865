import { describe, expect, it } from 'vitest';
import { amountField, formatMinor, formatMoney, MAX_AMOUNT_MINOR, parseDecimal } from './money.ts';

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

  it('refuses amounts beyond what a money column holds, however many digits they have', () => {
    expect(parseDecimal('21474836.47', 'USD')).toEqual({ ok: true, minor: MAX_AMOUNT_MINOR });
    expect(parseDecimal('21474836.48', 'USD')).toEqual({ ok: false, reason: 'RANGE' });
    expect(parseDecimal('-21474836.48', 'USD')).toEqual({ ok: false, reason: 'RANGE' });
    expect(parseDecimal('1000000000000000000000000000000', 'USD')).toEqual({ ok: false, reason: 'RANGE' });
    expect(parseDecimal('2147483647', 'JPY')).toEqual({ ok: true, minor: 2147483647 });
    expect(parseDecimal('2147483648', 'JPY')).toEqual({ ok: false, reason: 'RANGE' });
    expect(parseDecimal('-0.00', 'USD')).toEqual({ ok: true, minor: 0 });
  });

  it('gives every amount field the same codes', () => {
    const price = amountField('USD', 'Price');
    const code = (value: string, field = price) => {
      const result = field.safeParse(value);
      return result.success ? result.data : (result.error.issues[0] as { params?: { code?: string } }).params?.code;
    };
    expect(code('19.99')).toBe(1999);
    expect(code('21474836.48')).toBe('TOO_LARGE');
    expect(code('1.999')).toBe('PRECISION');
    expect(code('abc')).toBe('INVALID');
    expect(code('-1')).toBe('NEGATIVE');
    expect(code('0')).toBe(0);
    expect(code('0', amountField('USD', 'Value', { positive: true }))).toBe('INVALID');
    expect(price.safeParse('21474836.48').error?.issues[0]?.message).toBe('Price is at most 21474836.47 USD');
  });

  it('quotes money for people as a decimal with the currency, never minor units', () => {
    expect(formatMoney(2500, 'USD')).toBe('25.00 USD');
    expect(formatMoney(5, 'EUR')).toBe('0.05 EUR');
    expect(formatMoney(-500, 'GBP')).toBe('-5.00 GBP');
    expect(formatMoney(0, 'USD')).toBe('0.00 USD');
    // JPY has no minor unit: 1200 is 1200 yen.
    expect(formatMoney(1200, 'JPY')).toBe('1200 JPY');
    expect(formatMoney(MAX_AMOUNT_MINOR, 'USD')).toBe('21474836.47 USD');
    expect(() => formatMoney(100, 'XXX')).toThrow(RangeError);
    expect(() => formatMoney(1.5, 'USD')).toThrow(RangeError);
  });

  it('refuses non-integer minor amounts', () => {
    expect(() => formatMinor(1.5, 'USD')).toThrow(RangeError);
  });
});
