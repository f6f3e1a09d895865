import { money, pageSize, type CurrencyCode } from '@shop/platform';
import type { CategoryResolvers, ProductResolvers } from '../generated/resolvers-types.ts';
import { availableOf } from '../domain/inventory.ts';

export const Product: ProductResolvers = {
  // One SQL statement per _entities batch, whatever the number of representations.
  __resolveReference: async (ref, ctx) => {
    if ('id' in ref && ref.id) return ctx.productById.load(ref.id);
    if ('sku' in ref && ref.sku) return ctx.products.findOne({ sku: ref.sku });
    return null;
  },
  price: (product) => money(product.priceAmount, product.currency as CurrencyCode),
  images: (product) => product.images,
  category: (product, _args, ctx) => (product.category ? ctx.categoryById.load(product.category.id) : null),
  inStock: (product) => availableOf(product) > 0,
  availableQuantity: (product) => availableOf(product),
  available: (product) => !product.deletedAt,
};

export const Category: CategoryResolvers = {
  __resolveReference: (ref, ctx) => ctx.categoryById.load(ref.id),
  products: (category, args, ctx) =>
    ctx.search.list({ first: pageSize(args.first, 20), after: args.after, sort: 'NAME_ASC', filter: { categoryId: category.id } }),
};
