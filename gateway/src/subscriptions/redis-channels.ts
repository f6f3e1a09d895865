import { RedisPubSub, type PubSubRedisOptions } from 'graphql-redis-subscriptions';
import { createRedis, type Logger, type Redis } from '@shop/platform';
import type { Listen } from './live-feed.ts';

/**
 * The change channels on Redis pub/sub (graphql-redis-subscriptions): one SUBSCRIBE per channel and
 * gateway process however many clients follow that cart or order, released with the last of them.
 * Every gateway process listens for its own subscribers, so any process can serve any client.
 */
export function redisLiveChannels(redisUrl: string, publisher: Redis, log: Logger, onReconnect: () => void) {
  // A subscribed connection can do nothing else: its own client. The publisher is never used here.
  const subscriber = createRedis(redisUrl, log, 'gateway-live-updates');
  const wanted = new Map<string, number>();
  const orphans = new Set<string>();
  let connectedOnce = false;
  subscriber.on('ready', () => {
    if (!connectedOnce) return void (connectedOnce = true);
    // ioredis subscribed again by itself, including channels whose UNSUBSCRIBE failed: drop those.
    for (const channel of orphans) if (!wanted.has(channel)) subscriber.unsubscribe(channel).catch(() => undefined);
    orphans.clear();
    // Messages published while Redis was away are gone: every subscription reads again.
    onReconnect();
  });

  /*
   * RedisPubSub keeps the listeners per channel and parses the messages. Its Redis calls are not
   * safe during an outage (a failed SUBSCRIBE leaves a rejected promise nobody observes, which ends
   * the process; UNSUBSCRIBE is not caught), so it gets a client whose calls cannot fail: listen()
   * below subscribes first and fails cleanly, and a failed UNSUBSCRIBE is retried on reconnect.
   */
  const guarded = {
    subscribe: (_channel: string, done: (error: Error | null) => void) => done(null),
    psubscribe: (_pattern: string, done: (error: Error | null) => void) => done(null),
    unsubscribe: (channel: string) => void subscriber.unsubscribe(channel).catch(() => orphans.add(channel)),
    punsubscribe: () => undefined,
    on: (event: string, listener: (...args: unknown[]) => void) => {
      subscriber.on(event, listener);
      return guarded;
    },
    quit: () => subscriber.quit(),
  };
  // The library's types name ioredis 5's client; it only calls the methods above.
  const asClient = (client: unknown) => client as NonNullable<PubSubRedisOptions['publisher']>;
  const pubsub = new RedisPubSub({ publisher: asClient(publisher), subscriber: asClient(guarded) });

  const listen: Listen = async (channel, onMessage) => {
    // Redis down: this rejects at once (no offline queue) and the client is told to retry.
    if (!wanted.has(channel)) await subscriber.subscribe(channel);
    wanted.set(channel, (wanted.get(channel) ?? 0) + 1);
    const id = await pubsub.subscribe(channel, onMessage);
    return () => {
      const left = (wanted.get(channel) ?? 1) - 1;
      if (left > 0) wanted.set(channel, left);
      else wanted.delete(channel);
      pubsub.unsubscribe(id);
    };
  };
  const close = () =>
    subscriber.quit().then(
      () => undefined,
      () => subscriber.disconnect(),
    );
  return { listen, close, isUp: () => subscriber.status === 'ready' };
}
