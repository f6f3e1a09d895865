import { decodeCursor, encodeCursor, toConnection, type Connection } from '@shop/platform';
import { optionValue, type ProductVariantView as ProductVariant, type SelectedOption } from '../data/product-variant.entity.ts';
import { availableOf } from './inventory.ts';

/**
 * Pure rules about a product's variants (no database): their identity by option values, a page of
 * them, the price range and what is available over all of them.
 */

/** "Size=M" for each option, sorted: equal for equal option sets whatever order they were given in. */
export const optionValuesOf = (selected: readonly SelectedOption[]): string[] => selected.map((o) => optionValue(o.name, o.value)).sort();

/** The variant with exactly these option values (the unique index on the values makes it one at most). */
export function variantWithOptions(variants: readonly ProductVariant[], selected: readonly SelectedOption[]): ProductVariant | null {
  const wanted = optionValuesOf(selected).join('\n');
  return variants.find((v) => [...v.optionValues].sort().join('\n') === wanted) ?? null;
}

/**
 * A page of a product's live variants, in display order. A product has few variants (at most
 * MAX_VARIANTS), all loaded with it in one batched query, so the page is cut in memory; the cursor
 * names the last variant seen.
 */
export function variantPage(variants: readonly ProductVariant[], first: number, after?: string | null): Connection<ProductVariant> {
  let start = 0;
  if (after) {
    const [kind, id] = decodeCursor<[string, string]>(after, 2);
    const index = kind === 'V' ? variants.findIndex((v) => v.id === id) : -1;
    // A variant deleted since the cursor was made: start over rather than fail the page.
    start = index + 1;
  }
  return toConnection(variants.slice(start, start + first + 1), first, variants.length, (v) => encodeCursor(['V', v.id]), start > 0);
}

/** Lowest and highest live variant price; the product's own price when it has no live variant (deleted). */
export function priceRange(variants: readonly ProductVariant[], fallback: number): { min: number; max: number } {
  if (variants.length === 0) return { min: fallback, max: fallback };
  const prices = variants.map((v) => v.priceAmount);
  return { min: Math.min(...prices), max: Math.max(...prices) };
}

/** Units available over all live variants. */
export const totalAvailable = (variants: readonly ProductVariant[]): number => variants.reduce((sum, v) => sum + availableOf(v), 0);
