/**
 * The deprecated discount code API over promotions: a discount code is a promotion with a code, an
 * order percentage or amount off, and at most a minimum subtotal. `discountCodeUpsert` writes such a
 * promotion through the promotion model; `discountCodes` lists the promotions that are one.
 */
import { parseDecimal, type CurrencyCode, type UserError } from '@shop/platform';
import type { DiscountCode } from '../data/discount-code.entity.ts';
import type { PromotionRecord } from '../data/promotion.repository.ts';
import { parsePromotionInput, type PromotionDefinition } from './promotions/index.ts';

export interface DiscountCodeInput {
  code: string;
  kind: 'PERCENTAGE' | 'FIXED_AMOUNT';
  value: string;
  minimumSubtotal?: string | null;
  expiresAt?: Date | string | null;
  usageLimit?: number | null;
  active?: boolean | null;
}

/** Where the promotion model reports a field → where the discount code input has it (null: not the caller's field). */
const LEGACY_FIELD: Record<string, string | null> = {
  title: null,
  'action.percentage': 'value',
  'action.amount': 'value',
  'conditions.minimumSubtotal': 'minimumSubtotal',
  endsAt: 'expiresAt',
};

function toLegacyField(error: UserError): UserError | null {
  const [prefix, ...path] = error.field ?? [];
  const key = path.join('.');
  if (!(key in LEGACY_FIELD)) return error;
  const field = LEGACY_FIELD[key];
  return field ? { ...error, field: [prefix!, field] } : null;
}

export type DiscountCodeDefinition =
  { ok: true; promotion: PromotionDefinition & { code: string }; active: boolean } | { ok: false; userErrors: UserError[] };

/** The code as a promotion definition, checked by the promotion model; problems under the code input's own fields. */
export function parseDiscountCodeInput(input: DiscountCodeInput, currency: CurrencyCode): DiscountCodeDefinition {
  // A minimum of 0 was allowed for codes and means none; a promotion states "none" as null.
  const zero = input.minimumSubtotal != null && parseDecimal(input.minimumSubtotal, currency);
  const minimumSubtotal = zero && zero.ok && zero.minor === 0 ? null : input.minimumSubtotal;
  const parsed = parsePromotionInput(
    {
      title: input.code,
      code: input.code,
      endsAt: input.expiresAt,
      usageLimit: input.usageLimit,
      conditions: { minimumSubtotal },
      action: input.kind === 'PERCENTAGE' ? { type: 'ORDER_PERCENTAGE', percentage: input.value } : { type: 'ORDER_FIXED', amount: input.value },
    },
    currency,
  );
  if (!parsed.ok) return { ok: false, userErrors: parsed.userErrors.flatMap((e) => toLegacyField(e) ?? []) };
  return { ok: true, promotion: { ...parsed.promotion, code: parsed.promotion.code! }, active: input.active ?? true };
}

/**
 * A code redefined: what a discount code says replaces the promotion's (action, minimum subtotal,
 * end, usage limit); its title, priority, combinability, per-customer limit and sign-in or
 * first-order conditions stay. A target, a minimum quantity and a start, which a code cannot
 * express, are dropped.
 */
export function redefinedPromotion(existing: PromotionRecord | null, code: PromotionDefinition): PromotionDefinition {
  if (!existing) return code;
  return {
    ...code,
    title: existing.title,
    priority: existing.priority,
    combinability: existing.combinability,
    usageLimitPerCustomer: existing.usageLimitPerCustomer,
    conditions: {
      ...code.conditions,
      signedInOnly: existing.conditions.signedInOnly,
      firstOrderOnly: existing.conditions.firstOrderOnly,
    },
  };
}

/** The promotion as a discount code; null when it is not one (automatic, another action, a target or a minimum quantity). */
export function toDiscountCode(p: PromotionRecord, now = new Date()): DiscountCode | null {
  const { action, conditions } = p;
  if (p.code === null || conditions.target !== null || conditions.minimumQuantity !== null) return null;
  if (action.type !== 'ORDER_PERCENTAGE' && action.type !== 'ORDER_FIXED') return null;
  return {
    code: p.code,
    kind: action.type === 'ORDER_PERCENTAGE' ? 'PERCENTAGE' : 'FIXED_AMOUNT',
    value: action.type === 'ORDER_PERCENTAGE' ? action.basisPoints : action.amount,
    minimumSubtotal: conditions.minimumSubtotal,
    expiresAt: p.endsAt,
    usageLimit: p.usageLimit,
    usageCount: p.usageCount,
    active: p.archivedAt === null && (p.startsAt === null || p.startsAt <= now),
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}
