/**
 * Event and request payloads that cross subgraphs, defined once. Subjects are
 * `<producer>.<topic>...` and live in the producer's stream (see streams.ts).
 */

export interface StockLine {
  productId: string;
  quantity: number;
}

/** Order saga → catalog (ORDER stream, consumer filter `order.stock.>`). */
export const ORDER_STOCK_RESERVE = 'order.stock.reserve';
export const ORDER_STOCK_COMMIT = 'order.stock.commit';
export const ORDER_STOCK_RELEASE = 'order.stock.release';

export interface StockReserveRequested {
  orderId: string;
  lines: StockLine[];
}
export interface StockCommitRequested {
  orderId: string;
}
export interface StockReleaseRequested {
  orderId: string;
  reason: 'PAYMENT_FAILED' | 'CANCELLED' | 'EXPIRED' | 'TIMEOUT' | string;
}

/** Catalog → order saga (INVENTORY stream). */
export const INVENTORY_RESERVED = 'inventory.reserved';
export const INVENTORY_REJECTED = 'inventory.rejected';
export const INVENTORY_COMMITTED = 'inventory.committed';
export const INVENTORY_RELEASED = 'inventory.released';

export interface StockReserved {
  orderId: string;
  lines: StockLine[];
  expiresAt: string;
}
export interface StockRejected {
  orderId: string;
  /** The products that are short, with what was asked and what is available. */
  shortProducts: Array<{ productId: string; requested: number; available: number }>;
}
export interface StockCommitted {
  orderId: string;
}
export interface StockReleased {
  orderId: string;
  reason: string;
}

/** Catalog → anyone (PRODUCT stream): price, stock or availability changed. */
export const PRODUCT_CHANGED = 'product.changed';
export interface ProductChanged {
  productId: string;
  sku: string;
  priceAmount: number;
  currency: string;
  availableQuantity: number;
  available: boolean;
  change: 'CREATED' | 'UPDATED' | 'PRICE' | 'STOCK' | 'DELETED';
}

/** Core NATS request-reply: the cart's batched product lookup, answered with one query. */
export const CATALOG_PRODUCT_LOOKUP = 'catalog.products.lookup';
export interface ProductLookupRequest {
  ids: string[];
}
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

/** Cart → order (CHECKOUT stream): everything the order needs, frozen at checkout. */
export const CHECKOUT_REQUESTED = 'checkout.requested';
export interface CheckoutAddress {
  name: string;
  line1: string;
  line2: string | null;
  city: string;
  postalCode: string;
  countryCode: string;
}
export interface CheckoutRequested {
  /** Also the order's id. */
  checkoutId: string;
  cartId: string;
  customerId: string | null;
  email: string;
  shippingAddress: CheckoutAddress;
  /** Provider token (e.g. tok_visa); never card data. */
  paymentToken: string;
  idempotencyKey: string;
  currency: string;
  lines: Array<{ productId: string; name: string; quantity: number; unitPriceAmount: number }>;
  totals: { subtotal: number; discount: number; shipping: number; tax: number; total: number };
  discountCodes: string[];
}

/** Order → anyone (ORDER stream): `order.status.<status in lower case>`, e.g. order.status.confirmed. */
export const ORDER_STATUS_PREFIX = 'order.status';
export const orderStatusSubject = (status: string) => `${ORDER_STATUS_PREFIX}.${status.toLowerCase()}`;
export interface OrderStatusChanged {
  orderId: string;
  /** The checkout the order came from (same id) and its cart. */
  cartId: string;
  status: 'PENDING' | 'AWAITING_PAYMENT' | 'CONFIRMED' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED' | 'PAYMENT_FAILED' | 'REJECTED';
  reason: string | null;
}

/** Order saga → payment (ORDER stream, consumer filter `order.payment.>`). */
export const ORDER_PAYMENT_REQUESTED = 'order.payment.requested';
export const ORDER_PAYMENT_REFUND = 'order.payment.refund';
export interface PaymentRequested {
  orderId: string;
  customerId: string | null;
  /** Minor units of `currency`. */
  amount: number;
  currency: string;
  /** Provider token from checkout (e.g. tok_visa). */
  paymentToken: string;
}
export interface RefundRequested {
  orderId: string;
  /** Minor units; null refunds whatever is left of the capture. */
  amount: number | null;
  reason: string;
  /** Same key twice refunds once. */
  idempotencyKey: string;
}

/** Payment → order saga (PAYMENT stream). */
export const PAYMENT_CAPTURED = 'payment.captured';
export const PAYMENT_FAILED = 'payment.failed';
export const PAYMENT_REFUNDED = 'payment.refunded';
export interface PaymentCaptured {
  orderId: string;
  paymentId: string;
  amount: number;
  currency: string;
}
export interface PaymentFailed {
  orderId: string;
  /** DECLINED, INSUFFICIENT_FUNDS, PROVIDER_ERROR, PROVIDER_UNAVAILABLE (circuit open), TIMEOUT. */
  code: string;
  reason: string;
}
export interface PaymentRefunded {
  orderId: string;
  paymentId: string;
  refundId: string;
  amount: number;
  currency: string;
}

/** Order → catalog: a cancelled order that was already paid puts its committed stock back. */
export const ORDER_STOCK_RETURN = 'order.stock.return';
export interface StockReturnRequested {
  orderId: string;
  reason: string;
}
