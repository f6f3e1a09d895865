import { money, pageSize, type CurrencyCode } from '@shop/platform';
import type { CategoryResolvers, ProductConnectionResolvers, ProductResolvers, ProductVariantResolvers } from '../generated/resolvers-types.ts';
import { availableOf } from '../domain/inventory.ts';
import { priceRange, totalAvailable, variantPage, variantWithOptions } from '../domain/variants.ts';
import { pathIds, type Category as CategoryModel } from '../data/category.entity.ts';
import type { ProductView } from '../data/product.entity.ts';
import type { ProductVariantView } from '../data/product-variant.entity.ts';
import type { Context } from '../context.ts';

/**
 * The product's live variants to `then`: read with the product (the product page, answered without
 * a promise), or one batched query per request.
 */
function withVariants<T>(product: ProductView, ctx: Context, then: (variants: readonly ProductVariantView[]) => T): T | Promise<T> {
  return product.listedVariants ? then(product.listedVariants) : ctx.variantsByProductId.load(product.id).then(then);
}

export const Product: ProductResolvers = {
  // One SQL statement per _entities batch, whatever the number of representations.
  __resolveReference: async (ref, ctx) => {
    if ('id' in ref && ref.id) return ctx.productById.load(ref.id);
    if ('sku' in ref && ref.sku) return ctx.products.findOne({ sku: ref.sku });
    return null;
  },
  price: (product) => money(product.priceAmount, product.currency as CurrencyCode),
  images: (product) => product.images,
  // A listing read it with the page (answered synchronously: no promise per product).
  category: (product, _args, ctx) =>
    product.listedCategory !== undefined ? product.listedCategory : product.category ? ctx.categoryById.load(product.category.id) : null,
  options: (product) => product.options,
  variants: (product, args, ctx) => withVariants(product, ctx, (variants) => variantPage(variants, pageSize(args.first, 50), args.after)),
  variantBySelectedOptions: (product, args, ctx) => withVariants(product, ctx, (variants) => variantWithOptions(variants, args.selectedOptions)),
  priceRange: (product, _args, ctx) =>
    withVariants(product, ctx, (variants) => {
      const { min, max } = priceRange(variants, product.priceAmount);
      const currency = product.currency as CurrencyCode;
      return { minVariantPrice: money(min, currency), maxVariantPrice: money(max, currency) };
    }),
  // A listing knows it already (read with the page); elsewhere the variants answer.
  inStock: (product, _args, ctx) =>
    product.deletedAt ? false : (product.listedInStock ?? withVariants(product, ctx, (variants) => totalAvailable(variants) > 0)),
  availableQuantity: (product, _args, ctx) => (product.deletedAt ? 0 : withVariants(product, ctx, totalAvailable)),
  available: (product) => !product.deletedAt,
};

export const ProductConnection: ProductConnectionResolvers = {
  // Counted only when asked for (four or five more statements); the low-stock view has none.
  facets: async (listing, _args, ctx) => {
    const facets = listing.plan ? await ctx.facets.facets(listing.plan) : { categories: [], options: [], priceBuckets: [], inStockCount: 0 };
    return {
      ...facets,
      priceBuckets: facets.priceBuckets.map((b) => ({
        minPrice: money(b.min, ctx.currency),
        maxPrice: b.max === null ? null : money(b.max, ctx.currency),
        count: b.count,
      })),
    };
  },
};

export const ProductVariant: ProductVariantResolvers = {
  // One SQL statement per _entities batch by id; by SKU one lookup each.
  __resolveReference: async (ref, ctx) => {
    if ('id' in ref && ref.id) return ctx.variantById.load(ref.id);
    if ('sku' in ref && ref.sku) return ctx.products.variantBySku(ref.sku);
    return null;
  },
  selectedOptions: (variant) => variant.selectedOptions,
  price: (variant) => money(variant.priceAmount, variant.currency as CurrencyCode),
  compareAtPrice: (variant) => (variant.compareAtAmount == null ? null : money(variant.compareAtAmount, variant.currency as CurrencyCode)),
  image: (variant) => variant.image ?? null,
  availableQuantity: (variant) => availableOf(variant),
  inStock: (variant) => availableOf(variant) > 0,
  available: (variant) => !variant.deletedAt,
  product: async (variant, _args, ctx) => (await ctx.productById.load(variant.product.id))!,
};

export const Category: CategoryResolvers = {
  __resolveReference: (ref, ctx) => ctx.categoryById.load(ref.id),
  parent: (category, _args, ctx) => (category.parentId ? ctx.categoryById.load(category.parentId) : null),
  children: (category, _args, ctx) => ctx.categoriesByParentId.load(category.id),
  ancestors: async (category, _args, ctx) => {
    const found = await ctx.categoryById.loadMany(pathIds(category.path).slice(0, -1));
    return found.filter((c): c is CategoryModel => c !== null && !(c instanceof Error));
  },
  // Batched: a menu of categories with their first products is one round trip, not one per category.
  products: (category, args, ctx) => ctx.productsByCategory.load({ categoryId: category.id, first: pageSize(args.first, 20), after: args.after }),
};
