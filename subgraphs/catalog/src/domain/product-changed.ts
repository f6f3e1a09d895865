import type { ProductChanged } from '@shop/platform';
import type { ProductVariant } from '../data/product-variant.entity.ts';
import { availableOf } from './inventory.ts';

/**
 * The event other subgraphs react to (the cart re-prices, lookups refresh), one per variant: every
 * change to a variant's price, stock or availability emits it in the transaction of the change.
 */
export function changed(variant: ProductVariant, change: ProductChanged['change']): ProductChanged {
  return {
    productId: variant.product.id,
    variantId: variant.id,
    sku: variant.sku,
    priceAmount: variant.priceAmount,
    currency: variant.currency,
    availableQuantity: availableOf(variant),
    available: !variant.deletedAt,
    change,
  };
}

/** A product's price: its lowest live variant price (what the listing sorts and filters on). */
export function lowestPrice(variants: readonly Pick<ProductVariant, 'priceAmount' | 'deletedAt'>[], fallback: number): number {
  const live = variants.filter((v) => !v.deletedAt).map((v) => v.priceAmount);
  return live.length ? Math.min(...live) : fallback;
}
