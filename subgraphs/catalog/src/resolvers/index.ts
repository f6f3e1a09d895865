import { BadUserInputError, DateTime, Decimal, money, pageSize, type CurrencyCode } from '@shop/platform';
import type { Resolvers } from '../generated/resolvers-types.ts';
import { availableQuantity, type ProductLookup } from '../domain/product.service.ts';

/** Thin: map arguments to a service call and entities to GraphQL shapes. */
export const resolvers: Resolvers = {
  DateTime,
  Decimal,
  Query: {
    products: (_root, args, ctx) => ctx.products.list({ first: pageSize(args.first, 20), after: args.after }),
    product: (_root, args, ctx) => {
      const given = (['id', 'sku', 'slug'] as const).filter((key) => args[key] != null);
      if (given.length !== 1) throw new BadUserInputError('Give exactly one of id, sku or slug', ['id']);
      const key = given[0]!;
      return ctx.products.findOne({ [key]: args[key] } as ProductLookup);
    },
    categories: (_root, _args, ctx) => ctx.products.categories(),
    category: (_root, args, ctx) => ctx.products.categoryBySlug(args.slug),
  },
  Product: {
    // One SQL statement per _entities batch, whatever the number of representations.
    __resolveReference: async (ref, ctx) => {
      if ('id' in ref && ref.id) return ctx.productById.load(ref.id);
      if ('sku' in ref && ref.sku) return ctx.products.findOne({ sku: ref.sku });
      return null;
    },
    price: (product) => money(product.priceAmount, product.currency as CurrencyCode),
    images: (product) => product.images,
    category: (product, _args, ctx) => (product.category ? ctx.categoryById.load(product.category.id) : null),
    inStock: (product) => availableQuantity(product) > 0,
    availableQuantity: (product) => availableQuantity(product),
  },
  Category: {
    __resolveReference: (ref, ctx) => ctx.categoryById.load(ref.id),
    products: (category, args, ctx) => ctx.products.list({ first: pageSize(args.first, 20), after: args.after, categoryId: category.id }),
  },
};
