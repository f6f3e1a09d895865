/**
 * The admin's promotion input (as GraphQL will pass it: decimals as strings, dates as Date or
 * ISO strings, the action as one flat object with a `type`) → a `Promotion` without its id.
 * Every problem is reported at once, as userErrors under `input`.
 */
import { z } from 'zod';
import { amountField, parseDecimal, userErrorsFromZod, type CurrencyCode, type UserError } from '@shop/platform';
import { MAX_QUANTITY, normalizeCode } from '../cart-rules.ts';
import type { Promotion, PromotionAction } from './promotion.ts';

export type PromotionDefinition = Omit<Promotion, 'id'>;

/** "15" or "7.25" percent → basis points (two decimals are exactly basis points); 0.01 to 100. */
const percentageField = (label: string) =>
  z.string().transform((value, ctx) => {
    const parsed = parseDecimal(value, 'USD'); // USD: two decimals, the precision of a basis point
    if (!parsed.ok || parsed.minor < 1 || parsed.minor > 10_000) {
      ctx.addIssue({ code: 'custom', message: `${label} must be between 0.01 and 100 with at most two decimals`, params: { code: 'INVALID' } });
      return z.NEVER;
    }
    return parsed.minor;
  });

const count = (label: string, max: number) =>
  z.number().int(`${label} must be a whole number`).min(1, `${label} must be at least 1`).max(max, `${label} is at most ${max}`);

const ids = z.array(z.string().trim().min(1, 'An id cannot be empty').max(200)).max(1_000, 'At most 1,000 ids').nullish();

function actionModel(currency: CurrencyCode) {
  const percentage = { percentage: percentageField('Percentage') };
  const amount = { amount: amountField(currency, 'Amount off', { positive: true }) };
  return z.discriminatedUnion('type', [
    z.object({ type: z.literal('ORDER_PERCENTAGE'), ...percentage }),
    z.object({ type: z.literal('ORDER_FIXED'), ...amount }),
    z.object({ type: z.literal('LINE_PERCENTAGE'), ...percentage }),
    z.object({ type: z.literal('LINE_FIXED_PER_UNIT'), ...amount }),
    z.object({ type: z.literal('FREE_DELIVERY') }),
    z.object({
      type: z.literal('BUY_X_GET_Y'),
      buyQuantity: count('Buy quantity', MAX_QUANTITY),
      getQuantity: count('Get quantity', MAX_QUANTITY),
      /** Off the units got; absent: free. */
      percentage: percentageField('Percentage').nullish(),
      maxApplications: count('Maximum applications', MAX_QUANTITY).nullish(),
    }),
  ]);
}

/**
 * The window on its own: zod skips an object's refinements once a field inside failed hard (a
 * fraction where a whole number belongs), and the admin should hear about a backwards
 * window in the same answer. An intersection parses both sides and reports both sides' issues.
 */
const windowModel = z
  .object({
    startsAt: z.coerce.date('Not a valid date').nullish(),
    endsAt: z.coerce.date('Not a valid date').nullish(),
  })
  .refine((w) => !w.startsAt || !w.endsAt || w.endsAt.getTime() > w.startsAt.getTime(), {
    message: 'The end must come after the start',
    path: ['endsAt'],
  });

export function promotionInputModel(currency: CurrencyCode) {
  const fields = z.object({
    title: z.string().trim().min(1, 'Title is required').max(200),
    /** null or absent: an automatic promotion. */
    code: z
      .string()
      .trim()
      .min(1, 'Code is required (or leave it out for an automatic promotion)')
      .max(64)
      .regex(/^[A-Za-z0-9_-]+$/, 'Letters, digits, "_" and "-" only')
      .transform(normalizeCode)
      .nullish(),
    priority: z.number().int('Priority must be a whole number').min(0, 'Priority cannot be negative').max(1_000_000).nullish(),
    combinability: z.enum(['EXCLUSIVE', 'STACKABLE']).nullish(),
    usageLimit: count('Usage limit', 1_000_000_000).nullish(),
    usageLimitPerCustomer: count('Usage limit per customer', 1_000_000_000).nullish(),
    conditions: z
      .object({
        minimumSubtotal: amountField(currency, 'Minimum subtotal', { positive: true }).nullish(),
        minimumQuantity: count('Minimum quantity', 1_000_000).nullish(),
        productIds: ids,
        variantIds: ids,
        categoryIds: ids,
        signedInOnly: z.boolean().nullish(),
        firstOrderOnly: z.boolean().nullish(),
      })
      .nullish(),
    action: actionModel(currency),
  });
  return z.intersection(fields, windowModel).transform((p): PromotionDefinition => {
    const c = p.conditions;
    const target = { variantIds: c?.variantIds ?? [], productIds: c?.productIds ?? [], categoryIds: c?.categoryIds ?? [] };
    const targeted = target.variantIds.length + target.productIds.length + target.categoryIds.length > 0;
    return {
      title: p.title,
      code: p.code ?? null,
      priority: p.priority ?? 0,
      combinability: p.combinability ?? 'STACKABLE',
      startsAt: p.startsAt ?? null,
      endsAt: p.endsAt ?? null,
      usageLimit: p.usageLimit ?? null,
      usageLimitPerCustomer: p.usageLimitPerCustomer ?? null,
      conditions: {
        minimumSubtotal: c?.minimumSubtotal ?? null,
        minimumQuantity: c?.minimumQuantity ?? null,
        target: targeted ? target : null,
        signedInOnly: c?.signedInOnly ?? false,
        firstOrderOnly: c?.firstOrderOnly ?? false,
      },
      action: toAction(p.action),
    };
  });
}

function toAction(a: z.output<ReturnType<typeof actionModel>>): PromotionAction {
  switch (a.type) {
    case 'ORDER_PERCENTAGE':
    case 'LINE_PERCENTAGE':
      return { type: a.type, basisPoints: a.percentage };
    case 'ORDER_FIXED':
    case 'LINE_FIXED_PER_UNIT':
      return { type: a.type, amount: a.amount };
    case 'FREE_DELIVERY':
      return { type: a.type };
    case 'BUY_X_GET_Y':
      return {
        type: a.type,
        buyQuantity: a.buyQuantity,
        getQuantity: a.getQuantity,
        basisPoints: a.percentage ?? 10_000,
        maxApplications: a.maxApplications ?? null,
      };
  }
}

export type PromotionInputResult = { ok: true; promotion: PromotionDefinition } | { ok: false; userErrors: UserError[] };

/** The admin input checked and converted; every problem at once, fields under `input`. */
export function parsePromotionInput(input: unknown, currency: CurrencyCode): PromotionInputResult {
  const parsed = promotionInputModel(currency).safeParse(input);
  return parsed.success ? { ok: true, promotion: parsed.data } : { ok: false, userErrors: userErrorsFromZod(parsed.error, ['input']) };
}
