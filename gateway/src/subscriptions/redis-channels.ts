import { RedisPubSub, type PubSubRedisOptions } from 'graphql-redis-subscriptions';
import { createRedis, type Logger, type Redis } from '@shop/platform';
import type { Listen } from './live-subscription.ts';

/**
 * The change channels on Redis pub/sub (graphql-redis-subscriptions): one SUBSCRIBE per channel and
 * gateway process however many clients follow that cart or order, released with the last of them.
 * Every gateway process listens for its own subscribers, so any process can serve any client.
 */
export function redisLiveChannels(redisUrl: string, publisher: Redis, log: Logger, onReconnect: () => void) {
  // A subscribed connection can do nothing else: its own client. The publisher is never used here.
  const subscriber = createRedis(redisUrl, log, 'gateway-live-updates');
  let connectedOnce = false;
  subscriber.on('ready', () => {
    // ioredis subscribes again by itself; messages published meanwhile are gone, so refetch.
    if (connectedOnce) onReconnect();
    connectedOnce = true;
  });
  // The library's types name ioredis 5; it only calls publish/subscribe/on/quit, same in ioredis 6.
  const asClient = (client: Redis) => client as unknown as NonNullable<PubSubRedisOptions['publisher']>;
  const pubsub = new RedisPubSub({ publisher: asClient(publisher), subscriber: asClient(subscriber) });

  const listen: Listen = async (channel, onMessage) => {
    const id = await pubsub.subscribe(channel, onMessage);
    return () => pubsub.unsubscribe(id);
  };
  const close = () => subscriber.quit().then(() => undefined, () => subscriber.disconnect());
  return { listen, close, subscriber };
}
