import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../logger.ts';
import type { Redis } from '../redis.ts';
import { withTimeout } from '../timeout.ts';
import { currentTraceparent } from '../tracing/context.ts';

/*
 * Live-update channels on Redis pub/sub (not JetStream: fire-and-forget, no replay). The owning
 * subgraph publishes after the commit; the gateway's subscriptions listen and read again. A message
 * published while Redis is down is lost, so subscribers refetch when they (re)subscribe.
 */

/**
 * Cart → gateway: `{ cartId, version }` after every committed cart change (and `traceparent`, the
 * publishing span's W3C context, when tracing is on — every message on these channels may carry it).
 */
export const cartChangedChannel = (cartId: string): string => `cart.changed.${cartId}`;
export interface CartChangedMessage {
  cartId: string;
  version: number;
}

/**
 * Order and payment → gateway: `{ orderId }` after every committed change an order view shows. The
 * order adds the state it committed when it knows it (`status`, and `updatedAt` as the Order field
 * shows it): a subscriber that selected no more than that is answered from the message, no read.
 */
export const orderChangedChannel = (orderId: string): string => `order.changed.${orderId}`;
export interface OrderChangedState {
  status: string;
  updatedAt: string;
}
export interface OrderChangedMessage extends Partial<OrderChangedState> {
  orderId: string;
}

export interface LiveUpdateOptions<M> {
  redis: Redis;
  log: Logger;
  registry: Registry;
  /** `cart-changed`, `order-changed`: names the log lines and the metrics (`cart_changed_published_total`). */
  name: string;
  channel: (message: M) => string;
  /** What a lost message costs, for the log line. */
  consequence: string;
  /** Upper bound for one publish: a hung Redis must not hold the change that just committed. */
  timeoutMs?: number;
}

/**
 * A live-update publisher. `publish` is called after the commit and never throws: a failure is
 * counted and logged once per outage (and once more when messages get through again).
 */
export function createLiveUpdatePublisher<M extends object>(options: LiveUpdateOptions<M>): (message: M) => Promise<void> {
  const { redis, log, registry, name, channel, consequence, timeoutMs = 250 } = options;
  const metric = name.replaceAll('-', '_');
  const registers = [registry];
  const published = new Counter({ name: `${metric}_published_total`, help: `${name} messages published`, registers });
  const failed = new Counter({ name: `${metric}_publish_errors_total`, help: `${name} messages not published (Redis unavailable)`, registers });
  let failing = false;

  return async (message) => {
    try {
      // With tracing on, the gateway's read and push continue the change's trace.
      const traceparent = currentTraceparent();
      const payload = JSON.stringify(traceparent ? { ...message, traceparent } : message);
      await withTimeout(redis.publish(channel(message), payload), timeoutMs, `Redis did not answer within ${timeoutMs} ms`);
      published.inc();
      if (failing) log.info(`${name} messages are published again`);
      failing = false;
    } catch (err) {
      failed.inc();
      if (!failing) log.warn({ err, ...(message as Record<string, unknown>) }, `${name} message not published: ${consequence}`);
      failing = true;
    }
  };
}

/** Order and payment: `{ orderId }` (and the committed state, when known) on the order's channel after a committed change. */
export function createOrderChangedPublisher(
  redis: Redis,
  log: Logger,
  registry: Registry,
  timeoutMs?: number,
): (orderId: string, state?: OrderChangedState) => Promise<void> {
  const publish = createLiveUpdatePublisher<OrderChangedMessage>({
    redis,
    log,
    registry,
    name: 'order-changed',
    channel: (message) => orderChangedChannel(message.orderId),
    consequence: 'live order views miss changes',
    timeoutMs,
  });
  return (orderId, state) => publish(state ? { orderId, ...state } : { orderId });
}
