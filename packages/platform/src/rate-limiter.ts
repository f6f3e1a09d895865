import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { Redis } from './redis.ts';

/**
 * A rate limiter counted in Redis (rate-limiter-flexible), so every process shares the count; while
 * Redis is down an in-memory limiter per process takes over, so the limit still holds (per process).
 */
export function redisRateLimiter(redis: Redis, options: { prefix: string; points: number; windowSeconds: number }): RateLimiterRedis {
  return new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: options.prefix,
    points: options.points,
    duration: options.windowSeconds,
    insuranceLimiter: new RateLimiterMemory({ keyPrefix: `${options.prefix}:memory`, points: options.points, duration: options.windowSeconds }),
  });
}
