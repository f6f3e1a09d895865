import type { NextFunction, Request, Response } from 'express';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { GUEST, type Identity, type Logger, type Redis, type TokenVerifier } from '@shop/platform';

export interface RateLimitSettings {
  /** Requests per window for an anonymous client, by IP address. */
  ipPoints: number;
  /** Requests per window for a signed-in user, by JWT subject. */
  userPoints: number;
  windowSeconds: number;
}

/**
 * Per-IP and per-user rate limits (rate-limiter-flexible), counted in Redis so every gateway
 * process shares them. While Redis is down an in-memory limiter per process takes over, so the
 * limit still holds (per process) and requests are not refused for Redis's sake.
 */
export function rateLimitMiddleware(redis: Redis, verify: TokenVerifier, settings: RateLimitSettings, log: Logger) {
  const limiter = (prefix: string, points: number) =>
    new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: prefix,
      points,
      duration: settings.windowSeconds,
      insuranceLimiter: new RateLimiterMemory({ keyPrefix: `${prefix}:memory`, points, duration: settings.windowSeconds }),
    });
  const byIp = limiter('rate:ip', settings.ipPoints);
  const byUser = limiter('rate:user', settings.userPoints);

  return async (req: Request, res: Response, next: NextFunction) => {
    let identity: Identity = GUEST;
    try {
      identity = await verify(req.headers.authorization);
    } catch {
      // An invalid token is refused by the GraphQL layer (401); here it counts against the IP.
    }
    const [bucket, key] = identity.sub ? [byUser, identity.sub] : [byIp, req.ip ?? 'unknown'];
    try {
      await bucket.consume(key);
      next();
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) {
        log.warn({ err: rejection }, 'rate limiter failed; letting the request through');
        next();
        return;
      }
      const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      res.setHeader('Retry-After', String(retryAfter));
      res.status(429).json({ errors: [{ message: `Too many requests; retry after ${retryAfter} s`, extensions: { code: 'RATE_LIMITED' } }] });
    }
  };
}
