/**
 * Request-reply payloads that cross subgraphs (core NATS, not events: events live in catalog.ts).
 */

/** Core NATS request-reply: the cart's batched product lookup, answered with one query. */
export const CATALOG_PRODUCT_LOOKUP = 'catalog.products.lookup';
export interface ProductLookupItem {
  id: string;
  sku: string;
  name: string;
  priceAmount: number;
  currency: string;
  availableQuantity: number;
  /** False when the product is deleted (no longer sold). */
  available: boolean;
}
export interface ProductLookupReply {
  /** Found products; ids that do not exist are simply absent. */
  products: ProductLookupItem[];
}
/** A request the catalog did not answer: `unavailable` when the fault is the catalog's (worth a retry), not the request's. */
export interface ProductLookupFailure {
  error: string;
  unavailable?: boolean;
}
