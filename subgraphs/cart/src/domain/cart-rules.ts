/** Cart rules that need no database: limits, quantity checks, merging. */
import { DEFAULT_VARIANT_TITLE } from '@shop/platform';
import type { CartStatus } from '../data/cart.entity.ts';

export const MAX_LINES = 250;
export const MAX_QUANTITY = 999;

export const isValidQuantity = (quantity: number) => Number.isInteger(quantity) && quantity >= 1 && quantity <= MAX_QUANTITY;

/** "Cotton Tee (M / Blue)" in messages; the product name alone for a product without options. */
export const itemLabel = (name: string, variantTitle: string | null | undefined) =>
  variantTitle && variantTitle !== DEFAULT_VARIANT_TITLE ? `${name} (${variantTitle})` : name;

/** How a shopper hears why a cart cannot change or check out: words, never the status enum. */
export function cartStatusPhrase(status: CartStatus, whose: 'This' | 'Your' | 'The guest' = 'This'): string {
  const phrase = { ACTIVE: 'is open', CHECKING_OUT: 'is being checked out', CHECKED_OUT: 'has been checked out', EXPIRED: 'has expired' }[status];
  return `${whose} cart ${phrase}`;
}

/** Discount codes are case-insensitive: stored and compared upper-case, trimmed. */
export const normalizeCode = (code: string) => code.trim().toUpperCase();

/** Sum quantities of repeated variants in one request (the same variant twice adds up; two sizes are two lines). */
export function mergeRequestedLines(lines: ReadonlyArray<{ variantId: string; quantity: number }>): Map<string, number> {
  const merged = new Map<string, number>();
  for (const line of lines) merged.set(line.variantId, (merged.get(line.variantId) ?? 0) + line.quantity);
  return merged;
}

export type MergeStrategy = 'MERGE' | 'USE_GUEST' | 'KEEP_CUSTOMER';

export interface MergeOutcome {
  /** Variant id → quantity the customer's cart ends with. */
  quantities: Map<string, number>;
  /** Variants whose summed quantity was cut to MAX_QUANTITY. */
  clamped: string[];
  /** Guest variants left out because the cart would exceed MAX_LINES. */
  dropped: string[];
}

/**
 * What the customer's cart holds after merging a guest cart in (before stock clamping, which
 * needs the catalog): MERGE adds quantities of the same variant (capped at 999 per line, 250
 * lines), USE_GUEST takes the guest's lines, KEEP_CUSTOMER keeps the customer's.
 */
export function mergeCarts(customer: ReadonlyMap<string, number>, guest: ReadonlyMap<string, number>, strategy: MergeStrategy): MergeOutcome {
  if (strategy === 'KEEP_CUSTOMER') return { quantities: new Map(customer), clamped: [], dropped: [] };
  if (strategy === 'USE_GUEST') return { quantities: new Map(guest), clamped: [], dropped: [] };
  const quantities = new Map(customer);
  const clamped: string[] = [];
  const dropped: string[] = [];
  for (const [variantId, quantity] of guest) {
    const existing = quantities.get(variantId);
    if (existing === undefined && quantities.size >= MAX_LINES) {
      dropped.push(variantId);
      continue;
    }
    const sum = (existing ?? 0) + quantity;
    if (sum > MAX_QUANTITY) clamped.push(variantId);
    quantities.set(variantId, Math.min(sum, MAX_QUANTITY));
  }
  return { quantities, clamped, dropped };
}

/** A quantity cut to what the catalog has available (never below zero). */
export function clampToAvailable(wanted: number, available: number): { quantity: number; clamped: boolean } {
  const quantity = Math.max(0, Math.min(wanted, available));
  return { quantity, clamped: quantity < wanted };
}
