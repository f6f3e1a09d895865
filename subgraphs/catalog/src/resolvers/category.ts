import type { MutationResolvers } from '../generated/resolvers-types.ts';

/** Admin changes to the category tree (guarded in permissions.ts): one service call each. */
export const CategoryMutation: Pick<MutationResolvers, 'categoryCreate' | 'categoryUpdate' | 'categoryDelete'> = {
  categoryCreate: (_root, args, ctx) => ctx.categoryAdmin.create(args.input),
  categoryUpdate: (_root, args, ctx) => ctx.categoryAdmin.update(args.id, args.input),
  categoryDelete: (_root, args, ctx) => ctx.categoryAdmin.delete(args.id),
};
