import { RedisPubSub, type PubSubRedisOptions } from 'graphql-redis-subscriptions';
import { cartChangedChannel, createRedis, redisReady, type CartChangedMessage, type Logger } from '@shop/platform';
import { Counter, type Registry } from 'prom-client';

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
  const { redisUrl, log, registry, timeoutMs = 250 } = options;
  const registers = [registry];
  const published = new Counter({ name: 'cart_changed_published_total', help: 'cart-changed messages published', registers });
  const failed = new Counter({
    name: 'cart_changed_publish_errors_total',
    help: 'cart-changed messages not published (Redis unavailable)',
    registers,
  });

  // RedisPubSub wants its own publisher and subscriber connections (a subscribed connection cannot
  // publish); both fail fast while Redis is down and reconnect in the background.
  const publisher = createRedis(redisUrl, log, 'cart-events-publisher');
  const subscriber = createRedis(redisUrl, log, 'cart-events-subscriber');
  // The library's types name ioredis 5; it only calls publish/subscribe/on/quit, same in ioredis 6.
  const asClient = (client: typeof publisher) => client as unknown as NonNullable<PubSubRedisOptions['publisher']>;
  const pubsub = new RedisPubSub({ publisher: asClient(publisher), subscriber: asClient(subscriber) });
  let failing = false;

  async function publishCartChanged({ cartId, version }: CartChangedMessage): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const payload: CartChangedMessage = { cartId, version };
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
      });
      await Promise.race([pubsub.publish(cartChangedChannel(cartId), payload), timeout]);
      published.inc();
      if (failing) log.info('cart-changed messages are published again');
      failing = false;
    } catch (err) {
      failed.inc();
      if (!failing) log.warn({ err, cartId, version }, 'cart-changed message not published: live cart updates paused');
      failing = true;
    } finally {
      clearTimeout(timer);
    }
  }

  async function close(): Promise<void> {
    // quit() is refused while disconnected (no offline queue): then just drop the connection.
    await Promise.all([publisher, subscriber].map((client) => client.quit().then(() => undefined, () => client.disconnect())));
  }

  return { publishCartChanged, ready: () => redisReady(publisher), close };
}
