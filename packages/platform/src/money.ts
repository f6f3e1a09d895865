/** Minor-unit digits per supported currency (ISO 4217). */
export const CURRENCY_DIGITS = { USD: 2, EUR: 2, GBP: 2, JPY: 0 } as const;
export type CurrencyCode = keyof typeof CURRENCY_DIGITS;

export interface Money {
  amount: string;
  currencyCode: CurrencyCode;
}

/** 1999 USD → "19.99"; amounts are integers in minor units everywhere inside the system. */
export function formatMinor(minor: number, currency: CurrencyCode): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`amount must be an integer of minor units, got ${minor}`);
  const digits = CURRENCY_DIGITS[currency];
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor).toString().padStart(digits + 1, '0');
  return digits === 0 ? `${sign}${abs}` : `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
}

export function money(minor: number, currency: CurrencyCode): Money {
  return { amount: formatMinor(minor, currency), currencyCode: currency };
}

export type ParseDecimalResult = { ok: true; minor: number } | { ok: false; reason: 'FORMAT' | 'PRECISION' | 'RANGE' };

/**
 * "19.99" → 1999 for USD. Refuses more decimals than the currency has (no silent rounding of
 * money a client sent) and anything that is not a plain decimal string.
 */
export function parseDecimal(value: string, currency: CurrencyCode): ParseDecimalResult {
  const match = /^(-?)(\d{1,13})(?:\.(\d+))?$/.exec(value.trim());
  if (!match) return { ok: false, reason: 'FORMAT' };
  const [, sign, whole, fraction = ''] = match;
  const digits = CURRENCY_DIGITS[currency];
  if (fraction.length > digits) return { ok: false, reason: 'PRECISION' };
  const minor = Number(`${whole}${fraction.padEnd(digits, '0')}`);
  if (!Number.isSafeInteger(minor)) return { ok: false, reason: 'RANGE' };
  return { ok: true, minor: sign === '-' ? -minor : minor };
}
