import { cartChangedChannel, createLiveUpdatePublisher, createRedis, redisReady, type CartChangedMessage, type Logger } from '@shop/platform';
import type { Registry } from 'prom-client';

/**
 * Live cart updates: after every committed change the cart subgraph publishes `{ cartId, version }`
 * on Redis pub/sub; the gateway subscribes to `cartChangedChannel(id)` and answers
 * `Subscription.cartUpdated` with a fresh read. Pub/sub is fire-and-forget: a message published
 * while Redis is down is lost, so subscribers refetch when they (re)subscribe.
 */
export interface CartChangedPublisherOptions {
  redisUrl: string;
  log: Logger;
  registry: Registry;
  /** Upper bound for one publish: a hung Redis must not hold the mutation that just committed. */
  timeoutMs?: number;
}

export interface CartChangedPublisher {
  /** Call after the commit. Never throws: a failure is logged (once per outage) and counted. */
  publishCartChanged(message: CartChangedMessage): Promise<void>;
  /** PING on the publisher connection (for /health/ready; fails fast while it is not connected). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export function createCartChangedPublisher(options: CartChangedPublisherOptions): CartChangedPublisher {
  const { redisUrl, log, registry, timeoutMs } = options;
  // Its own connection: fails fast while Redis is down and reconnects in the background.
  const publisher = createRedis(redisUrl, log, 'cart-events-publisher');
  const publish = createLiveUpdatePublisher<CartChangedMessage>({
    redis: publisher,
    log,
    registry,
    name: 'cart-changed',
    channel: (message) => cartChangedChannel(message.cartId),
    consequence: 'live cart updates paused',
    timeoutMs,
  });

  return {
    publishCartChanged: ({ cartId, version }) => publish({ cartId, version }),
    ready: () => redisReady(publisher),
    // quit() is refused while disconnected (no offline queue): then just drop the connection.
    close: () =>
      publisher.quit().then(
        () => undefined,
        () => publisher.disconnect(),
      ),
  };
}
