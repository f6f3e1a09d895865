/**
 * Request-reply payloads that cross subgraphs (core NATS, not events: events live in catalog.ts).
 */

/** Core NATS request-reply: the cart's batched product lookup, answered with one query. */
export const CATALOG_PRODUCT_LOOKUP = 'catalog.products.lookup';
/** The title of the one variant of a product without options (Shopify's name for it): shown as no variant title. */
export const DEFAULT_VARIANT_TITLE = 'Default Title';

/** One option value of a variant, e.g. { name: "Size", value: "M" }. */
export interface SelectedOptionValue {
  name: string;
  value: string;
}

/**
 * What the catalog answers for one id asked for: a variant (what is bought; a product without
 * options sells one, with the product's id), or — `variantRequired` — a product sold in several
 * variants, which cannot be bought by its product id.
 */
export interface ProductLookupItem {
  /** The id asked for: the variant's (or, with `variantRequired`, the product's). */
  id: string;
  /** The variant's product. */
  productId: string;
  sku: string;
  /** The product's name. */
  name: string;
  /** The variant's title, e.g. "M / Blue"; "Default Title" for a product without options. */
  title: string;
  selectedOptions: SelectedOptionValue[];
  priceAmount: number;
  currency: string;
  availableQuantity: number;
  /** False when the variant or its product is deleted (no longer sold). */
  available: boolean;
  /** The product's category and that category's ancestors, root first; absent from catalogs before it was sent: none. */
  categoryIds?: string[];
  /** The id names a product sold in several variants: choose one (its other fields describe the product). */
  variantRequired?: boolean;
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
