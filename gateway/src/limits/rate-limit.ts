import type { NextFunction, Request, Response } from 'express';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { GUEST, redisRateLimiter, type Identity, type Logger, type Redis } from '@shop/platform';

export interface RateLimitSettings {
  /** Requests per window for an anonymous client, by IP address. */
  ipPoints: number;
  /** Requests per window for a signed-in user, by JWT subject. */
  userPoints: number;
  windowSeconds: number;
}

export type RateLimitVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Per-IP and per-user rate limits (rate-limiter-flexible), counted in Redis so every gateway
 * process shares them. While Redis is down an in-memory limiter per process takes over, so the
 * limit still holds (per process) and requests are not refused for Redis's sake. HTTP requests and
 * WebSocket subscribe messages draw on the same budget.
 */
export function createRateLimiter(redis: Redis, settings: RateLimitSettings, log: Logger) {
  const limiter = (prefix: string, points: number) => redisRateLimiter(redis, { prefix, points, windowSeconds: settings.windowSeconds });
  const byIp = limiter('rate:ip', settings.ipPoints);
  const byUser = limiter('rate:user', settings.userPoints);

  return async function consume(identity: Identity, ip: string): Promise<RateLimitVerdict> {
    const [bucket, key] = identity.sub ? [byUser, identity.sub] : [byIp, ip];
    try {
      await bucket.consume(key);
      return { allowed: true };
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) {
        log.warn({ err: rejection }, 'rate limiter failed; letting the request through');
        return { allowed: true };
      }
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
    }
  };
}
export type RateLimiter = ReturnType<typeof createRateLimiter>;

export const rateLimitMessage = (retryAfter: number) => `Too many requests; retry after ${retryAfter} s`;

/** HTTP: 429 with Retry-After past the limit. */
export function rateLimitMiddleware(consume: RateLimiter, identityOf: (req: Request) => Promise<Identity>) {
  return async (req: Request, res: Response, next: NextFunction) => {
    // An invalid token is refused by the GraphQL layer (401); here it counts against the IP.
    const identity = await identityOf(req).catch(() => GUEST);
    const verdict = await consume(identity, req.ip ?? 'unknown');
    if (verdict.allowed) return next();
    res.setHeader('Retry-After', String(verdict.retryAfterSeconds));
    res.status(429).json({ errors: [{ message: rateLimitMessage(verdict.retryAfterSeconds), extensions: { code: 'RATE_LIMITED' } }] });
  };
}
