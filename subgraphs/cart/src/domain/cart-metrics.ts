import type { EntityManager } from '@mikro-orm/postgresql';
import { afterCommitOf, Counter, Histogram, registerAll, secondsSince, type Registry } from '@shop/platform';

/**
 * The cart's checkout funnel. Process-wide (a CartService is made per request); the cart
 * subgraph's registry takes them in at start (registerCartMetrics). The cache's hits and misses
 * are the cart cache's own (cart_cache_hits_total, cart_cache_misses_total in cart-cache.ts).
 */
export const cartMetrics = {
  created: new Counter({
    name: 'shop_carts_created_total',
    help: 'Carts created, by kind (guest, customer)',
    labelNames: ['kind'] as const,
    registers: [],
  }),
  checkedOut: new Counter({
    name: 'shop_carts_checked_out_total',
    help: 'Checkouts started (checkout.requested written; a replayed idempotency key is not counted again)',
    registers: [],
  }),
  checkoutEnded: new Histogram({
    name: 'shop_checkout_completion_seconds',
    help: "From the checkout mutation to its outcome reaching the cart (completed: the order CONFIRMED; failed: rejected, payment failed or cancelled), on the cart's clock: every hop of the saga included",
    labelNames: ['outcome'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120],
    registers: [],
  }),
};

export function registerCartMetrics(registry: Registry): void {
  registerAll(registry, cartMetrics);
}

export const countCartCreated = (kind: 'guest' | 'customer') => cartMetrics.created.inc({ kind });
export const countCheckout = () => cartMetrics.checkedOut.inc();

/** A checkout's outcome, recorded after the commit of the change that follows it (a redelivery changes nothing and records nothing). */
export function recordCheckoutEnded(tx: EntityManager, createdAt: Date, outcome: 'completed' | 'failed'): void {
  const seconds = secondsSince(createdAt, Date.now());
  afterCommitOf(tx, () => cartMetrics.checkoutEnded.observe({ outcome }, seconds));
}

// Both kinds start at 0 on /metrics, so rate() sees the first cart.
cartMetrics.created.inc({ kind: 'guest' }, 0);
cartMetrics.created.inc({ kind: 'customer' }, 0);
