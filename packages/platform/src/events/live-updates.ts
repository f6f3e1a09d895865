import type { Logger } from '../logger.ts';
import type { Redis } from '../redis.ts';

/*
 * Live-update channels on Redis pub/sub (not JetStream: fire-and-forget, no replay). The owning
 * subgraph publishes after the commit; the gateway's subscriptions listen and read again.
 */

/** Cart → gateway: `{ cartId, version }` after every committed cart change. */
export const cartChangedChannel = (cartId: string): string => `cart.changed.${cartId}`;
export interface CartChangedMessage {
  cartId: string;
  version: number;
}

/** Order and payment → gateway: `{ orderId }` after every committed change an order view shows. */
export const orderChangedChannel = (orderId: string): string => `order.changed.${orderId}`;
export interface OrderChangedMessage {
  orderId: string;
}

/** Call after the commit. Never throws: a lost message costs freshness (logged), not the change. */
export function publishOrderChanged(redis: Redis, log: Logger, orderId: string): Promise<void> {
  const message: OrderChangedMessage = { orderId };
  return redis.publish(orderChangedChannel(orderId), JSON.stringify(message)).then(
    () => undefined,
    (error: unknown) => log.warn({ err: error, orderId }, 'order-changed not published: live order views miss this change'),
  );
}
