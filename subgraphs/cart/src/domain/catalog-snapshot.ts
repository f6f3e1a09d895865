import { ServiceUnavailableError, type ProductLookupItem } from '@shop/platform';

/** The catalog's answer for a batch of product ids (throws ServiceUnavailableError when it cannot be reached). */
export type ProductLookup = (ids: readonly string[]) => Promise<Map<string, ProductLookupItem>>;

/**
 * The catalog's current answer, or null when it cannot be reached (NATS down, no catalog
 * process, no answer in time). The caller then works from the cart's own snapshot — the price,
 * name and availability each line stores, kept current by product.changed events — where that is
 * safe, and refuses with SERVICE_UNAVAILABLE where only the catalog can answer.
 */
export async function catalogOrSnapshot(lookup: ProductLookup, ids: readonly string[]): Promise<Map<string, ProductLookupItem> | null> {
  try {
    return await lookup(ids);
  } catch (error) {
    if (error instanceof ServiceUnavailableError) return null;
    throw error;
  }
}

/** A product the cart has no snapshot of can only be priced by the catalog. */
export const catalogNeededForNewProduct = () =>
  new ServiceUnavailableError('Adding a product needs the catalog, which cannot be reached right now; retry shortly');

/** A line the catalog has not confirmed recently cannot be sold from its snapshot. */
export const catalogNeededForCheckout = () =>
  new ServiceUnavailableError('Checking out needs the catalog to confirm the prices, and it cannot be reached right now; retry shortly');
