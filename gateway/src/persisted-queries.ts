import { ErrorsAreMissesCache, type KeyValueCache, type KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import type { Logger, Redis } from '@shop/platform';

/** APQ hashes → query text in Redis, so every gateway process knows a query any of them learned. */
class RedisKeyValueCache implements KeyValueCache<string> {
  private readonly redis: Redis;
  private readonly prefix: string;
  constructor(redis: Redis, prefix: string) {
    this.redis = redis;
    this.prefix = prefix;
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(this.prefix + key)) ?? undefined;
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    if (options?.ttl) await this.redis.set(this.prefix + key, value, 'EX', options.ttl);
    else await this.redis.set(this.prefix + key, value);
  }

  async delete(key: string): Promise<boolean> {
    return (await this.redis.del(this.prefix + key)) > 0;
  }
}

/** Redis down: a miss (the client sends the full query again), never a failed request. */
export function persistedQueryCache(redis: Redis, log: Logger): KeyValueCache<string> {
  // pino is a superset of the logger interface Apollo expects (debug, info, warn, error).
  return new ErrorsAreMissesCache(new RedisKeyValueCache(redis, 'apq:'), log);
}
