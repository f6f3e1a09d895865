import { BadUserInputError } from '@shop/platform';
import type { MutationResolvers } from '../generated/resolvers-types.ts';

/** Exactly one of variantId or the deprecated productId (a one-variant product's variant has its id). */
function variantArgument(args: { variantId?: string | null; productId?: string | null }): ['variantId' | 'productId', string] {
  if ((args.variantId == null) === (args.productId == null)) throw new BadUserInputError('Give exactly one of variantId or productId', ['variantId']);
  return args.variantId != null ? ['variantId', args.variantId] : ['productId', args.productId!];
}

/** Admin mutations (guarded in permissions.ts): thin, one service call each. */
export const Mutation: MutationResolvers = {
  productCreate: (_root, args, ctx) => ctx.admin.create(args.input),
  productUpdate: (_root, args, ctx) => ctx.admin.update(args.id, args.input),
  productDelete: (_root, args, ctx) => ctx.admin.delete(args.id),
  productVariantCreate: (_root, args, ctx) => ctx.variantAdmin.create(args.productId, args.input),
  productVariantUpdate: (_root, args, ctx) => ctx.variantAdmin.update(args.id, args.input),
  productVariantDelete: (_root, args, ctx) => ctx.variantAdmin.delete(args.id),
  inventoryAdjust: (_root, args, ctx) => {
    const [field, id] = variantArgument(args);
    return ctx.admin.adjustInventory(id, args.delta, args.reason, ctx.identity, field);
  },
};
