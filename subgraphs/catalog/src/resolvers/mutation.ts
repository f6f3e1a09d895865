import type { MutationResolvers } from '../generated/resolvers-types.ts';

/** Admin mutations (guarded in permissions.ts); filled in with the product admin service. */
export const Mutation: MutationResolvers = {};
