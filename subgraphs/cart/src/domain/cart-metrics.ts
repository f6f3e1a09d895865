import { Counter, registerAll, type Registry } from '@shop/platform';

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
};

export function registerCartMetrics(registry: Registry): void {
  registerAll(registry, cartMetrics);
}

export const countCartCreated = (kind: 'guest' | 'customer') => cartMetrics.created.inc({ kind });
export const countCheckout = () => cartMetrics.checkedOut.inc();

// Both kinds start at 0 on /metrics, so rate() sees the first cart.
cartMetrics.created.inc({ kind: 'guest' }, 0);
cartMetrics.created.inc({ kind: 'customer' }, 0);
