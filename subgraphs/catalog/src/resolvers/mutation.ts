import type { MutationResolvers } from '../generated/resolvers-types.ts';

/** Admin mutations (guarded in permissions.ts): thin, one service call each. */
export const Mutation: MutationResolvers = {
  productCreate: (_root, args, ctx) => ctx.admin.create(args.input),
  productUpdate: (_root, args, ctx) => ctx.admin.update(args.id, args.input),
  productDelete: (_root, args, ctx) => ctx.admin.delete(args.id),
  inventoryAdjust: (_root, args, ctx) => ctx.admin.adjustInventory(args.productId, args.delta, args.reason, ctx.identity),
};
