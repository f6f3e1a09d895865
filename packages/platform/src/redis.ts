import { Redis } from 'ioredis';
import type { Logger } from './logger.ts';

export { Redis };

/**
 * A Redis client that never blocks a request on a dead server: commands fail fast while
 * disconnected (no offline queue), and the client keeps reconnecting in the background. Commands
 * issued in the same tick leave in one write (auto-pipelining): a burst of reads — every subscriber
 * of a changed cart, a page's lines — costs one socket write instead of one each.
 */
export function createRedis(url: string, log: Logger, name: string): Redis {
  const client = new Redis(url, {
    connectionName: name,
    lazyConnect: false,
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(100 * 2 ** times, 2000),
  });
  let down = false;
  client.on('error', (error) => {
    if (!down) log.warn({ err: error }, 'redis unavailable');
    down = true;
  });
  client.on('ready', () => {
    if (down) log.info('redis available again');
    down = false;
  });
  return client;
}

export async function redisReady(client: Redis): Promise<void> {
  const pong = await client.ping();
  if (pong !== 'PONG') throw new Error(`unexpected PING answer ${pong}`);
}
