import { describe, expect, it } from 'vitest';
import { DateTime, Decimal } from './scalars.ts';

describe('Decimal', () => {
  it.each(['19.99', '0', '-5', '123456789012.1234'])('accepts %s', (value) => {
    expect(Decimal.parseValue(value)).toBe(value);
  });
  it.each(['abc', 'NaN', 'Infinity', '1e308', '99999999999999999999999.99', ' 5', '0x10', '', '1.23456', 1e308, 5])('refuses %j', (value) => {
    expect(() => Decimal.parseValue(value)).toThrow(/Decimal/);
  });
});

describe('DateTime', () => {
  it.each(['2026-12-31T23:59:59Z', '2026-12-31T23:59:59.123+02:00', '2026-12-31', '0001-01-01T00:00:00Z'])('accepts %s', (value) => {
    expect(DateTime.parseValue(value)).toBeInstanceOf(Date);
  });
  it.each(['0000-01-01T00:00:00Z', '+099999-12-31T23:59:59Z', 'tomorrow', '1 2 3', '2026-13-01', 1_700_000_000_000])(
    'refuses %j (Postgres or people could not read it)',
    (value) => {
      expect(() => DateTime.parseValue(value)).toThrow(/DateTime/);
    },
  );
});
