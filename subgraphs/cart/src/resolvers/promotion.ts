import { formatMinor, money, pageSize, type UserError } from '@shop/platform';
import type { PromotionInput, PromotionResolvers, QueryResolvers, MutationResolvers } from '../generated/resolvers-types.ts';
import type { PromotionResult } from '../domain/promotion-admin.service.ts';

/** GraphQL's names → the engine's admin input (promotion-input.ts): targets and the action's `kind`. */
function engineInput(input: PromotionInput) {
  const c = input.conditions;
  const a = input.action;
  return {
    ...input,
    conditions: c && {
      minimumSubtotal: c.minimumSubtotal,
      minimumQuantity: c.minimumQuantity,
      variantIds: c.targetVariantIds,
      productIds: c.targetProductIds,
      categoryIds: c.targetCategoryIds,
      signedInOnly: c.signedInOnly,
      firstOrderOnly: c.firstOrderOnly,
    },
    action: a && {
      type: a.kind,
      percentage: a.percentage,
      amount: a.amount,
      buyQuantity: a.buyQuantity,
      getQuantity: a.getQuantity,
      maxApplications: a.maxApplications,
    },
  };
}

/** The engine's field names in userErrors → the input's. */
const GRAPHQL_FIELD: Record<string, string> = {
  variantIds: 'targetVariantIds',
  productIds: 'targetProductIds',
  categoryIds: 'targetCategoryIds',
  type: 'kind',
};
const graphqlField = (e: UserError): UserError => ({ ...e, field: e.field && e.field.map((part, i) => (i === 2 && GRAPHQL_FIELD[part]) || part) });
const payload = (result: PromotionResult) => ({ promotion: result.promotion, userErrors: result.userErrors.map(graphqlField) });

export const promotionQueries: Pick<QueryResolvers, 'promotions' | 'discountCodes'> = {
  promotions: (_root, args, ctx) =>
    ctx.promotions.list({ first: pageSize(args.first, 50), after: args.after, includeArchived: args.includeArchived ?? false }),
  discountCodes: (_root, _args, ctx) => ctx.promotions.discountCodes(),
};

export const promotionMutations: Pick<MutationResolvers, 'promotionCreate' | 'promotionUpdate' | 'promotionArchive' | 'discountCodeUpsert'> = {
  promotionCreate: async (_root, args, ctx) => payload(await ctx.promotions.create(engineInput(args.input))),
  promotionUpdate: async (_root, args, ctx) => payload(await ctx.promotions.update(args.id, engineInput(args.input))),
  promotionArchive: async (_root, args, ctx) => payload(await ctx.promotions.archive(args.id)),
  discountCodeUpsert: (_root, args, ctx) => ctx.promotions.upsertDiscountCode(args.input),
};

export const Promotion: PromotionResolvers = {
  archived: (p) => p.archivedAt !== null,
  conditions: (p, _args, ctx) => {
    const c = p.conditions;
    return {
      minimumSubtotal: c.minimumSubtotal === null ? null : money(c.minimumSubtotal, ctx.currency),
      minimumQuantity: c.minimumQuantity,
      targetVariantIds: [...(c.target?.variantIds ?? [])],
      targetProductIds: [...(c.target?.productIds ?? [])],
      targetCategoryIds: [...(c.target?.categoryIds ?? [])],
      signedInOnly: c.signedInOnly,
      firstOrderOnly: c.firstOrderOnly,
    };
  },
  action: (p, _args, ctx) => {
    const a = p.action;
    // Basis points as percent: 1500 → "15.00".
    const percentage = 'basisPoints' in a ? formatMinor(a.basisPoints, 'USD') : null;
    return {
      kind: a.type,
      percentage,
      amount: 'amount' in a ? money(a.amount, ctx.currency) : null,
      buyQuantity: a.type === 'BUY_X_GET_Y' ? a.buyQuantity : null,
      getQuantity: a.type === 'BUY_X_GET_Y' ? a.getQuantity : null,
      maxApplications: a.type === 'BUY_X_GET_Y' ? a.maxApplications : null,
    };
  },
};
