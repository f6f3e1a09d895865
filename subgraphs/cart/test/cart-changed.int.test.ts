import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { Registry } from 'prom-client';
import { getFreePort, startRedis } from '@shop/platform/stack';
import { cartChangedChannel, createLogger, type CartChangedMessage } from '@shop/platform';
import { createCartChangedPublisher } from '../src/events/cart-changed.ts';
import { waitFor } from '../../../test/support/wait.ts';

const lines: Array<{ level: number; msg: string }> = [];
const log = createLogger('cart-changed-test', 'info', { write: (line: string) => void lines.push(JSON.parse(line)) });

async function metric(registry: Registry, name: string): Promise<number> {
  return (await registry.getSingleMetric(name)?.get())?.values[0]?.value ?? 0;
}
/** What the gateway does: a RedisPubSub with its own two connections, subscribed to one cart. */
async function subscribeTo(url: string, cartId: string) {
  const received: CartChangedMessage[] = [];
  // Its own clients (the library's ioredis); the listener swallows the errors of expected outages.
  const pubsub = new RedisPubSub({ connection: url, connectionListener: () => undefined });
  await pubsub.subscribe<CartChangedMessage>(cartChangedChannel(cartId), (message) => void received.push(message));
  return { received, close: () => pubsub.close() };
}

describe('cart-changed messages on Redis pub/sub', () => {
  it('reach a subscriber of cartChangedChannel(cartId), and only that cart’s', async () => {
    const url = inject('redisUrl');
    const registry = new Registry();
    const publisher = createCartChangedPublisher({ redisUrl: url, log, registry });
    const [cartId, otherId] = [randomUUID(), randomUUID()];
    const subscriber = await subscribeTo(url, cartId);
    try {
      expect(cartChangedChannel(cartId)).toBe(`cart.changed.${cartId}`);
      await waitFor('the publisher is connected', () =>
        publisher.ready().then(
          () => true,
          () => false,
        ),
      );
      await publisher.publishCartChanged({ cartId: otherId, version: 9 });
      await publisher.publishCartChanged({ cartId, version: 3 });
      // A marker published last: pub/sub keeps one connection's order, so once it arrives, anything
      // else published before it (the other cart's message, a second copy) would have arrived too.
      await publisher.publishCartChanged({ cartId, version: 4 });
      await waitFor('the marker arrives', () => subscriber.received.some((m) => m.version === 4));
      expect(subscriber.received).toEqual([
        { cartId, version: 3 },
        { cartId, version: 4 },
      ]);
      expect(await metric(registry, 'cart_changed_published_total')).toBe(3);
      expect(await metric(registry, 'cart_changed_publish_errors_total')).toBe(0);
    } finally {
      await subscriber.close();
      await publisher.close();
    }
  });

  it('does not throw or hang while Redis is down, says so once, and publishes again once it is back', async () => {
    // Our own Redis: this test stops it.
    const dir = mkdtempSync(join(tmpdir(), 'cart-changed-test-'));
    const server = await startRedis({ dataDir: join(dir, 'redis'), port: await getFreePort(), logFile: join(dir, 'redis.log'), ephemeral: true });
    const registry = new Registry();
    // A timeout far beyond the test's own: the publishes below can only return if none waits on Redis.
    const publisher = createCartChangedPublisher({ redisUrl: server.url, log, registry, timeoutMs: 600_000 });
    const cartId = randomUUID();
    const subscriber = await subscribeTo(server.url, cartId);
    try {
      await waitFor('the publisher is connected', () =>
        publisher.ready().then(
          () => true,
          () => false,
        ),
      );
      await server.pause();
      await waitFor('the publisher sees the outage', () =>
        publisher.ready().then(
          () => false,
          () => true,
        ),
      );
      const before = lines.length;
      for (let version = 1; version <= 5; version++) {
        await expect(publisher.publishCartChanged({ cartId, version })).resolves.toBeUndefined();
      }
      await expect(publisher.ready()).rejects.toBeDefined(); // all five returned while Redis was still down
      expect(await metric(registry, 'cart_changed_publish_errors_total')).toBe(5);
      const ours = () => lines.slice(before).filter((l) => l.msg.startsWith('cart-changed'));
      expect(ours().map((l) => l.level)).toEqual([40]); // one warning, not one per message

      await server.restart();
      // The subscriber's client subscribes again by itself after reconnecting.
      // Each try publishes again; a message sent by one try is seen by a later one.
      await waitFor(
        'a message gets through again',
        async () => {
          await publisher.publishCartChanged({ cartId, version: 6 });
          return subscriber.received.length > 0;
        },
        { intervalMs: 100 },
      );
      expect(subscriber.received[0]).toEqual({ cartId, version: 6 });
      expect(ours().map((l) => l.level)).toEqual([40, 30]);

      await server.pause();
      await expect(publisher.close()).resolves.toBeUndefined(); // also while Redis is down
    } finally {
      await publisher.close();
      await subscriber.close().catch(() => undefined);
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
