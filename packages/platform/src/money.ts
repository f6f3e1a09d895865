import { z } from 'zod';

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
  const abs = Math.abs(minor)
    .toString()
    .padStart(digits + 1, '0');
  return digits === 0 ? `${sign}${abs}` : `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
}

/** Whether the store knows this currency (a string from a row or an event may be anything). */
export const isCurrencyCode = (code: string): code is CurrencyCode => Object.hasOwn(CURRENCY_DIGITS, code);

/**
 * 2500 USD → "25.00 USD", 1200 JPY → "1200 JPY": how every message to a person quotes money (never
 * minor units). Throws for a currency the store does not know.
 */
export function formatMoney(minor: number, currency: string): string {
  if (!isCurrencyCode(currency)) throw new RangeError(`unsupported currency ${JSON.stringify(currency)}`);
  return `${formatMinor(minor, currency)} ${currency}`;
}

export function money(minor: number, currency: CurrencyCode): Money {
  return { amount: formatMinor(minor, currency), currencyCode: currency };
}

/**
 * The largest amount, in minor units, anything may cost, be worth or total: what every money column
 * holds (Postgres `integer`). One rule for every amount a client sends and every total a checkout
 * freezes, so no amount ever reaches the database as "integer out of range".
 */
export const MAX_AMOUNT_MINOR = 2_147_483_647;

export type AmountRefusalReason = 'FORMAT' | 'PRECISION' | 'RANGE';
export type ParseDecimalResult = { ok: true; minor: number } | { ok: false; reason: AmountRefusalReason };

/**
 * "19.99" → 1999 for USD. Refuses more decimals than the currency has (no silent rounding of
 * money a client sent), anything that is not a plain decimal string, and amounts beyond
 * ±MAX_AMOUNT_MINOR (RANGE).
 */
export function parseDecimal(value: string, currency: CurrencyCode): ParseDecimalResult {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!match) return { ok: false, reason: 'FORMAT' };
  const [, sign, whole, fraction = ''] = match;
  const digits = CURRENCY_DIGITS[currency];
  if (fraction.length > digits) return { ok: false, reason: 'PRECISION' };
  // BigInt: however many digits were sent, the comparison is exact.
  const minor = BigInt(`${whole}${fraction.padEnd(digits, '0')}`);
  if (minor > BigInt(MAX_AMOUNT_MINOR)) return { ok: false, reason: 'RANGE' };
  const amount = Number(minor);
  return { ok: true, minor: sign === '-' && amount !== 0 ? -amount : amount };
}

/** The userError code and message for a refused amount: the same for every amount field. */
export function amountRefusal(
  reason: AmountRefusalReason,
  currency: CurrencyCode,
  label = 'Amount',
): { code: 'INVALID' | 'PRECISION' | 'TOO_LARGE'; message: string } {
  if (reason === 'PRECISION') return { code: 'PRECISION', message: `${label} has more decimals than ${currency} allows` };
  if (reason === 'RANGE') return { code: 'TOO_LARGE', message: `${label} is at most ${formatMoney(MAX_AMOUNT_MINOR, currency)}` };
  return { code: 'INVALID', message: `${label} must be a decimal amount like "19.99"` };
}

/**
 * A zod field for an amount a client sends ("19.99" → integer minor units) with the codes clients
 * branch on: INVALID, PRECISION, TOO_LARGE, and NEGATIVE below zero (or INVALID for 0 when `positive`).
 */
export function amountField(currency: CurrencyCode, label: string, { positive = false } = {}) {
  return z.string().transform((value, ctx) => {
    const parsed = parseDecimal(value, currency);
    if (!parsed.ok) {
      const { code, message } = amountRefusal(parsed.reason, currency, label);
      ctx.addIssue({ code: 'custom', message, params: { code } });
      return z.NEVER;
    }
    if (parsed.minor < 0 || (positive && parsed.minor === 0)) {
      const message = positive ? `${label} must be more than zero` : `${label} cannot be negative`;
      ctx.addIssue({ code: 'custom', message, params: { code: parsed.minor < 0 ? 'NEGATIVE' : 'INVALID' } });
      return z.NEVER;
    }
    return parsed.minor;
  });
}
