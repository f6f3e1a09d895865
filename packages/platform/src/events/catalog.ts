import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { UUID_PATTERN } from '../ids.ts';
import { deterministicEventId, enqueueEvent } from './outbox.ts';

/**
 * Every event that crosses subgraphs, declared once: its subject, its stream, its schema (payload
 * types are inferred from it) and its dedupe key, the part of the payload its event id is derived
 * from (same key, same id: a re-published outcome is ignored by the outbox, JetStream and inboxes).
 * Subjects are `<producer>.<topic>...` and live in the producer's stream (see streams.ts).
 * Publish with `emitEvent` (or the unit of work's `emit`); consume with `startConsumer({ handlers })`.
 */

const orderId = z.string().regex(UUID_PATTERN);
/** A promotion's discount as the cart showed it: title, code (null: automatic), amount in minor units. */
const discountAllocation = z.object({ title: z.string(), code: z.string().nullable(), amount: z.number() });
/** Units of what is bought. `productId` is the variant's id (a one-variant product's variant has the product's id). */
const stockLine = z.object({ productId: z.string(), quantity: z.number() });
export type StockLine = z.infer<typeof stockLine>;

const customerId = z.string().min(1).max(128);
const email = z.string().email().max(254);

const shippingAddress = z.object({
  name: z.string(),
  line1: z.string(),
  line2: z.string().nullable(),
  city: z.string(),
  /** Region or state code; absent in events from before delivery zones. */
  province: z.string().nullable().optional(),
  postalCode: z.string(),
  countryCode: z.string(),
  phone: z.string().nullable().optional(),
});

/** A postal address as a shopper enters it (the account's MailingAddress without its id). */
const mailingAddress = z.object({
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  company: z.string().nullable(),
  address1: z.string(),
  address2: z.string().nullable(),
  city: z.string(),
  province: z.string().nullable(),
  postalCode: z.string(),
  countryCode: z.string(),
  phone: z.string().nullable(),
});
export type MailingAddressData = z.infer<typeof mailingAddress>;

/** The order as its buyer sees it in an email: frozen lines, totals (minor units), address, tracking. */
const orderDetails = z.object({
  number: z.string(),
  email: z.string(),
  customerId: customerId.nullable(),
  currency: z.string(),
  lines: z.array(z.object({ title: z.string(), variantTitle: z.string().nullable(), quantity: z.number(), unitPriceAmount: z.number() })),
  /** taxesIncluded: the tax is part of the total (absent in events from before: false). */
  totals: z.object({
    subtotal: z.number(),
    discount: z.number(),
    shipping: z.number(),
    tax: z.number(),
    total: z.number(),
    taxesIncluded: z.boolean().optional(),
  }),
  shippingAddress,
  trackingNumber: z.string().nullable(),
});
export type OrderDetails = z.infer<typeof orderDetails>;

/** A product the catalog could not reserve: what was asked and what is available (the rejection's event and request reply). */
export const shortProduct = z.object({ productId: z.string(), requested: z.number(), available: z.number() });

const schemas = {
  /** Order saga → catalog (ORDER stream, consumer filter `order.stock.>`). */
  stockReserve: z.object({ orderId, lines: z.array(stockLine) }),
  stockCommit: z.object({ orderId }),
  stockRelease: z.object({ orderId, reason: z.string() }),
  /** A cancelled order that was already paid puts its committed stock back. */
  stockReturn: z.object({ orderId, reason: z.string() }),
  /** Catalog → order saga (INVENTORY stream). */
  stockReserved: z.object({ orderId, lines: z.array(stockLine), expiresAt: z.string() }),
  /** The products that are short, with what was asked and what is available. */
  stockRejected: z.object({ orderId, shortProducts: z.array(shortProduct) }),
  stockCommitted: z.object({ orderId }),
  stockReleased: z.object({ orderId, reason: z.string() }),
  /**
   * Catalog → anyone (PRODUCT stream): categories whose own fields (name, slug, parent, children)
   * changed — the category itself, and the parents that gained or lost a child.
   */
  categoryChanged: z.object({ categoryIds: z.array(z.string()).min(1), change: z.enum(['CREATED', 'UPDATED', 'DELETED']) }),
  /** Catalog → anyone (PRODUCT stream): price, stock or availability changed. */
  productChanged: z.object({
    productId: z.string(),
    /** The variant the figures are of (one event per variant). Absent only in events from before variants: then the product's only variant, which has the product's id. */
    variantId: z.string().optional(),
    sku: z.string(),
    priceAmount: z.number(),
    currency: z.string(),
    availableQuantity: z.number(),
    available: z.boolean(),
    change: z.enum(['CREATED', 'UPDATED', 'PRICE', 'STOCK', 'DELETED']),
  }),
  /** Cart → order (CHECKOUT stream): everything the order needs, frozen at checkout. */
  checkoutRequested: z.object({
    /** Also the order's id and the event's id. */
    checkoutId: orderId,
    cartId: z.string(),
    customerId: z.string().nullable(),
    email: z.string(),
    shippingAddress,
    /** Provider token (e.g. tok_visa); never card data. */
    paymentToken: z.string(),
    idempotencyKey: z.string(),
    currency: z.string(),
    /**
     * What was bought, frozen. `variantId`, `sku`, `variantTitle` and `selectedOptions` are absent only
     * in events from before variants (then the product's only variant, which has the product's id).
     */
    lines: z.array(
      z.object({
        productId: z.string(),
        variantId: z.string().optional(),
        sku: z.string().optional(),
        name: z.string(),
        variantTitle: z.string().nullable().optional(),
        selectedOptions: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
        quantity: z.number(),
        unitPriceAmount: z.number(),
        /** The line's own promotion discounts (minor units); absent before promotions. */
        discountAllocations: z.array(discountAllocation).optional(),
      }),
    ),
    /** Order and delivery discounts (minor units); absent before promotions. With the lines' they sum to `totals.discount`. */
    discountAllocations: z.array(discountAllocation).optional(),
    /**
     * As charged: total = subtotal − discount + shipping (+ tax); shipping before a free-delivery
     * promotion, which is in `discount`. taxesIncluded: prices include tax, so `tax` is part of
     * `total` (absent before delivery zones: false).
     */
    totals: z.object({
      subtotal: z.number(),
      discount: z.number(),
      shipping: z.number(),
      tax: z.number(),
      total: z.number(),
      taxesIncluded: z.boolean().optional(),
    }),
    discountCodes: z.array(z.string()),
    /** The delivery option the shipping was charged for; absent in events from before delivery zones. */
    deliveryMethod: z.object({ handle: z.string(), title: z.string(), pickup: z.boolean() }).nullable().optional(),
    /** The cart's note (a gift message) and attributes; absent in events from before they existed. */
    note: z.string().nullable().optional(),
    attributes: z.array(z.object({ key: z.string(), value: z.string().nullable() })).optional(),
  }),
  /** Order → anyone (ORDER stream): `order.status.<status in lower case>`. */
  orderStatusChanged: z.object({
    orderId,
    /** The checkout the order came from (same id) and its cart. */
    cartId: z.string(),
    status: z.enum(['PENDING', 'AWAITING_PAYMENT', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'PAYMENT_FAILED', 'REJECTED']),
    reason: z.string().nullable(),
    /** What a message to the buyer needs (the notifications worker has no access to orders); absent in events from before accounts. */
    details: orderDetails.optional(),
  }),
  /** Order saga → payment (ORDER stream, consumer filter `order.payment.>`). */
  paymentRequested: z.object({
    orderId,
    customerId: z.string().max(128).nullable(),
    /** Minor units of `currency`. */
    amount: z.number().int().nonnegative(),
    currency: z.string().length(3),
    /** Provider token from checkout (e.g. tok_visa). */
    paymentToken: z.string().min(1).max(64),
  }),
  refundRequested: z.object({
    orderId,
    /** Minor units; null refunds whatever is left of the capture. */
    amount: z.number().int().positive().nullable(),
    reason: z.string(),
    /** Same key twice refunds once. */
    idempotencyKey: z.string().min(1).max(255),
  }),
  /** Payment → order saga (PAYMENT stream). */
  paymentCaptured: z.object({ orderId, paymentId: z.string(), amount: z.number(), currency: z.string() }),
  /** code: DECLINED, INSUFFICIENT_FUNDS, PROVIDER_ERROR, PROVIDER_UNAVAILABLE (circuit open), TIMEOUT. */
  paymentFailed: z.object({ orderId, code: z.string(), reason: z.string() }),
  paymentRefunded: z.object({ orderId, paymentId: z.string(), refundId: z.string(), amount: z.number(), currency: z.string() }),
  /**
   * Account → notifications (ACCOUNT stream). The one-time token travels to the mailer that puts it
   * in the link; it is stored only hashed, expires at `expiresAt` and works once.
   */
  emailVerificationRequested: z.object({ customerId, email, firstName: z.string().nullable(), token: z.string(), expiresAt: z.string() }),
  passwordResetRequested: z.object({ customerId, email, firstName: z.string().nullable(), token: z.string(), expiresAt: z.string() }),
  /** Account → cart: a customer signed in with a guest cart; the cart folds it into theirs (MERGE rules). */
  guestCartMergeRequested: z.object({ customerId, guestCartId: z.string().max(128) }),
  /**
   * Account → cart: the customer's default address is now this one (null: none). `changedAt` orders
   * them: a consumer keeps the latest it has seen, whatever order they arrive in.
   */
  customerDefaultAddressChanged: z.object({ customerId, address: mailingAddress.nullable(), changedAt: z.string() }),
  /** Account → order: guest orders placed with this verified email now belong to the customer. */
  ordersClaimRequested: z.object({ customerId, email }),
  /** Order → payment (ORDER stream): a guest order got its owner (a claim); the payment follows, so the owner sees it. */
  orderCustomerAssigned: z.object({ orderId, customerId }),
};

export type StockReserveRequested = z.infer<typeof schemas.stockReserve>;
export type StockReleaseRequested = z.infer<typeof schemas.stockRelease>;
export type StockReserved = z.infer<typeof schemas.stockReserved>;
export type StockRejected = z.infer<typeof schemas.stockRejected>;
export type StockCommitted = z.infer<typeof schemas.stockCommitted>;
export type StockReleased = z.infer<typeof schemas.stockReleased>;
export type ProductChanged = z.infer<typeof schemas.productChanged>;
export type CategoryChanged = z.infer<typeof schemas.categoryChanged>;
export type CheckoutRequested = z.infer<typeof schemas.checkoutRequested>;
export type OrderStatusChanged = z.infer<typeof schemas.orderStatusChanged>;
export type OrderStatus = OrderStatusChanged['status'];
export type PaymentRequested = z.infer<typeof schemas.paymentRequested>;
export type RefundRequested = z.infer<typeof schemas.refundRequested>;
export type PaymentCaptured = z.infer<typeof schemas.paymentCaptured>;
export type PaymentFailed = z.infer<typeof schemas.paymentFailed>;
export type PaymentRefunded = z.infer<typeof schemas.paymentRefunded>;
export type EmailVerificationRequested = z.infer<typeof schemas.emailVerificationRequested>;
export type PasswordResetRequested = z.infer<typeof schemas.passwordResetRequested>;
export type GuestCartMergeRequested = z.infer<typeof schemas.guestCartMergeRequested>;
export type OrdersClaimRequested = z.infer<typeof schemas.ordersClaimRequested>;
export type CustomerDefaultAddressChanged = z.infer<typeof schemas.customerDefaultAddressChanged>;
export type OrderCustomerAssigned = z.infer<typeof schemas.orderCustomerAssigned>;

interface EventDefinition<S extends z.ZodType> {
  stream: string;
  schema: S;
  /** What the event id is derived from; null: every emit is a new event (random id). */
  dedupeKey: ((data: z.infer<S>) => string) | null;
  /** The key is used as the id itself (it already is a UUID made for this event). */
  keyIsId?: boolean;
  /**
   * What must stay in order: a consumer handles messages with the same ordering key one at a time,
   * in stream order, and messages with different keys side by side (see startConsumer).
   */
  orderingKey: (data: z.infer<S>) => string;
}

const define = <S extends z.ZodType>(
  stream: string,
  schema: S,
  dedupeKey: EventDefinition<S>['dedupeKey'],
  orderingKey: EventDefinition<S>['orderingKey'],
  keyIsId = false,
): EventDefinition<S> => ({ stream, schema, dedupeKey, keyIsId, orderingKey });
/** One answer or command per order and subject; also what the saga's messages are ordered by. */
const byOrder = (data: { orderId: string }) => data.orderId;
const byCustomer = (data: { customerId: string }) => data.customerId;
/** A cart's statuses follow each other across its orders (a rejected order's cart checks out again); an order without a cart by itself. */
const byCart = (data: { cartId: string; orderId: string }) => `cart:${data.cartId || data.orderId}`;

const orderStatusEvents = <const T extends readonly OrderStatus[]>(statuses: T) =>
  Object.fromEntries(statuses.map((s) => [`order.status.${s.toLowerCase()}`, define('ORDER', schemas.orderStatusChanged, byOrder, byCart)])) as {
    [K in T[number] as `order.status.${Lowercase<K>}`]: EventDefinition<typeof schemas.orderStatusChanged>;
  };

export const EVENTS = {
  'order.stock.reserve': define('ORDER', schemas.stockReserve, byOrder, byOrder),
  'order.stock.commit': define('ORDER', schemas.stockCommit, byOrder, byOrder),
  'order.stock.release': define('ORDER', schemas.stockRelease, byOrder, byOrder),
  'order.stock.return': define('ORDER', schemas.stockReturn, byOrder, byOrder),
  'order.payment.requested': define('ORDER', schemas.paymentRequested, byOrder, byOrder),
  'order.payment.refund': define('ORDER', schemas.refundRequested, byOrder, byOrder),
  /** An order gets an owner once (only a guest order is claimed), so one event per order. */
  'order.customer.assigned': define('ORDER', schemas.orderCustomerAssigned, byOrder, byOrder),
  ...orderStatusEvents(['PENDING', 'AWAITING_PAYMENT', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'PAYMENT_FAILED', 'REJECTED'] as const),
  'inventory.reserved': define('INVENTORY', schemas.stockReserved, byOrder, byOrder),
  'inventory.rejected': define('INVENTORY', schemas.stockRejected, byOrder, byOrder),
  /** No longer published (a successful commit needs no answer); declared for copies still in the stream. */
  'inventory.committed': define('INVENTORY', schemas.stockCommitted, byOrder, byOrder),
  'inventory.released': define('INVENTORY', schemas.stockReleased, byOrder, byOrder),
  'payment.captured': define('PAYMENT', schemas.paymentCaptured, byOrder, byOrder),
  'payment.failed': define('PAYMENT', schemas.paymentFailed, byOrder, byOrder),
  /** One per refund (an order may have several). */
  'payment.refunded': define('PAYMENT', schemas.paymentRefunded, (data) => data.refundId, byOrder),
  'product.changed': define('PRODUCT', schemas.productChanged, null, (data) => data.variantId ?? data.productId),
  'product.category.changed': define('PRODUCT', schemas.categoryChanged, null, (data) => data.categoryIds[0]!),
  'checkout.requested': define(
    'CHECKOUT',
    schemas.checkoutRequested,
    (data) => data.checkoutId,
    (data) => data.checkoutId,
    true,
  ),
  /** Every request is its own message (a second request sends a second email with a new token). */
  'account.email.verification_requested': define('ACCOUNT', schemas.emailVerificationRequested, null, byCustomer),
  'account.password.reset_requested': define('ACCOUNT', schemas.passwordResetRequested, null, byCustomer),
  'account.cart.merge_requested': define('ACCOUNT', schemas.guestCartMergeRequested, null, byCustomer),
  'account.orders.claim_requested': define('ACCOUNT', schemas.ordersClaimRequested, null, byCustomer),
  /** Every change is its own message; the newest (changedAt) wins at the consumer. */
  'account.customer.default_address_changed': define('ACCOUNT', schemas.customerDefaultAddressChanged, null, byCustomer),
} as const;

export type Subject = keyof typeof EVENTS;
export type Payload<S extends Subject> = z.infer<(typeof EVENTS)[S]['schema']>;
export type OrderStatusSubject = Extract<Subject, `order.status.${string}`>;

export const ORDER_STOCK_RESERVE = 'order.stock.reserve' satisfies Subject;
export const ORDER_STOCK_COMMIT = 'order.stock.commit' satisfies Subject;
export const ORDER_STOCK_RELEASE = 'order.stock.release' satisfies Subject;
export const ORDER_STOCK_RETURN = 'order.stock.return' satisfies Subject;
export const ORDER_PAYMENT_REQUESTED = 'order.payment.requested' satisfies Subject;
export const ORDER_PAYMENT_REFUND = 'order.payment.refund' satisfies Subject;
export const ORDER_CUSTOMER_ASSIGNED = 'order.customer.assigned' satisfies Subject;
export const INVENTORY_RESERVED = 'inventory.reserved' satisfies Subject;
export const INVENTORY_REJECTED = 'inventory.rejected' satisfies Subject;
export const INVENTORY_COMMITTED = 'inventory.committed' satisfies Subject;
export const INVENTORY_RELEASED = 'inventory.released' satisfies Subject;
export const PAYMENT_CAPTURED = 'payment.captured' satisfies Subject;
export const PAYMENT_FAILED = 'payment.failed' satisfies Subject;
export const PAYMENT_REFUNDED = 'payment.refunded' satisfies Subject;
export const PRODUCT_CHANGED = 'product.changed' satisfies Subject;
/**
 * Core NATS, catalog → caches (not an event, in no stream): a variant's available quantity moved
 * by the saga and it stayed in stock, so nothing a cart shows changed. Going in or out of stock is
 * a product.changed event (STOCK) as every other change. Published after the commit and not
 * stored: a lost one leaves a cached count stale for its TTL at most. Payload: product.changed's
 * data (change STOCK), without an envelope.
 */
export const CATALOG_STOCK_CHANGED = 'catalog.stock.changed';

/** A CATALOG_STOCK_CHANGED message's payload, or null when it is not one. */
export function parseStockChanged(data: unknown): ProductChanged | null {
  const parsed = schemas.productChanged.safeParse(data);
  return parsed.success && parsed.data.change === 'STOCK' ? parsed.data : null;
}
export const CATEGORY_CHANGED = 'product.category.changed' satisfies Subject;
export const CHECKOUT_REQUESTED = 'checkout.requested' satisfies Subject;
export const ACCOUNT_EMAIL_VERIFICATION_REQUESTED = 'account.email.verification_requested' satisfies Subject;
export const ACCOUNT_PASSWORD_RESET_REQUESTED = 'account.password.reset_requested' satisfies Subject;
export const ACCOUNT_CART_MERGE_REQUESTED = 'account.cart.merge_requested' satisfies Subject;
export const ACCOUNT_ORDERS_CLAIM_REQUESTED = 'account.orders.claim_requested' satisfies Subject;
export const ACCOUNT_CUSTOMER_DEFAULT_ADDRESS_CHANGED = 'account.customer.default_address_changed' satisfies Subject;
export const ORDER_STATUS_PREFIX = 'order.status';
export const orderStatusSubject = (status: OrderStatus) => `${ORDER_STATUS_PREFIX}.${status.toLowerCase()}` as OrderStatusSubject;

export const ORDER_STATUS_SUBJECTS = Object.keys(EVENTS).filter((s) => s.startsWith(`${ORDER_STATUS_PREFIX}.`)) as OrderStatusSubject[];

export const isSubject = (subject: string): subject is Subject => Object.hasOwn(EVENTS, subject);

/** The id an event gets: derived from its dedupe key (see EVENTS), random when it has none. */
export function eventIdFor<S extends Subject>(subject: S, data: Payload<S>): string {
  const definition = EVENTS[subject] as EventDefinition<z.ZodType>;
  if (!definition.dedupeKey) return randomUUID();
  const key = definition.dedupeKey(data);
  return definition.keyIsId ? key : deterministicEventId(subject, key);
}

/** The key a consumer keeps this event's order by (see `orderingKey` in EVENTS). */
export function orderingKeyOf<S extends Subject>(subject: S, data: Payload<S>): string {
  return (EVENTS[subject] as EventDefinition<z.ZodType>).orderingKey(data);
}

/**
 * The one way to publish: into the outbox of the transaction `em` belongs to, under the id the
 * catalog derives. Prefer the unit of work's `emit`, which also wakes the relay after the commit.
 */
export function emitEvent<S extends Subject>(em: EntityManager, subject: S, data: Payload<S>): Promise<string> {
  return enqueueEvent(em, subject, data, eventIdFor(subject, data));
}

/** Payload check for a consumer: the parsed data, or the schema's issues. */
export function parseEvent<S extends Subject>(subject: S, data: unknown): { ok: true; data: Payload<S> } | { ok: false; issues: z.core.$ZodIssue[] } {
  const parsed = EVENTS[subject].schema.safeParse(data);
  return parsed.success ? { ok: true, data: parsed.data as Payload<S> } : { ok: false, issues: parsed.error.issues };
}
