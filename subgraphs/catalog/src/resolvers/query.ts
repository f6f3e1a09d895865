import { BadUserInputError, pageSize } from '@shop/platform';
import type { QueryResolvers } from '../generated/resolvers-types.ts';
import type { ProductLookup } from '../domain/product.service.ts';

/** Thin: map arguments to a service call. */
export const Query: QueryResolvers = {
  products: (_root, args, ctx) => ctx.search.list({ first: pageSize(args.first, 20), after: args.after, sort: args.sort, filter: args.filter }),
  lowStockProducts: (_root, args, ctx) => ctx.search.lowStock({ threshold: args.threshold ?? 5, first: pageSize(args.first, 20), after: args.after }),
  product: (_root, args, ctx) => {
    const given = (['id', 'sku', 'slug'] as const).filter((key) => args[key] != null);
    if (given.length !== 1) throw new BadUserInputError('Give exactly one of id, sku or slug', ['id']);
    const key = given[0]!;
    return ctx.products.withVariants({ [key]: args[key] } as ProductLookup);
  },
  categories: (_root, _args, ctx) => ctx.products.categories(),
  category: (_root, args, ctx) => ctx.products.categoryBySlug(args.slug),
};
