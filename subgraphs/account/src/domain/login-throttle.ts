import type { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { redisRateLimiter, type Logger, type Redis } from '@shop/platform';

export interface ThrottleSettings {
  maxPerAccount: number;
  maxPerAddress: number;
  windowSeconds: number;
}

/** Over a limit: how long until sign-in is tried again. */
export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Failed sign-ins counted per account (the email) and per client address in Redis
 * (rate-limiter-flexible), shared by every replica; an in-memory limiter per process takes over
 * while Redis is down. Past either limit every attempt is refused, the right password too, until the
 * window that began with the first failure ends; a successful sign-in clears the account's count.
 */
export class LoginThrottle {
  private readonly byAccount: RateLimiterRedis;
  private readonly byAddress: RateLimiterRedis;
  private readonly log: Logger;

  constructor(redis: Redis, settings: ThrottleSettings, log: Logger) {
    const limiter = (prefix: string, points: number) => redisRateLimiter(redis, { prefix, points, windowSeconds: settings.windowSeconds });
    this.byAccount = limiter('login-fail:account', settings.maxPerAccount);
    this.byAddress = limiter('login-fail:address', settings.maxPerAddress);
    this.log = log;
  }

  /** Before checking the password: refused while either count is at its limit. */
  async check(email: string, address: string): Promise<ThrottleVerdict> {
    const [account, client] = await Promise.all([this.state(this.byAccount, email), this.state(this.byAddress, address)]);
    const blocked = [
      { res: account, limit: this.byAccount.points },
      { res: client, limit: this.byAddress.points },
    ].filter(({ res, limit }) => res && res.consumedPoints >= limit);
    if (!blocked.length) return { allowed: true };
    const ms = Math.max(...blocked.map(({ res }) => res!.msBeforeNext));
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(ms / 1000)) };
  }

  async recordFailure(email: string, address: string): Promise<void> {
    // penalty() adds a point without refusing: the refusal comes from check() on the next attempt.
    await Promise.all([this.byAccount.penalty(email), this.byAddress.penalty(address)]).catch((error: unknown) =>
      this.log.warn({ err: error }, 'could not count a failed sign-in'),
    );
  }

  async recordSuccess(email: string): Promise<void> {
    await this.byAccount.delete(email).catch((error: unknown) => this.log.warn({ err: error }, 'could not clear failed sign-ins'));
  }

  private async state(limiter: RateLimiterRedis, key: string): Promise<RateLimiterRes | null> {
    try {
      return await limiter.get(key);
    } catch (error) {
      this.log.warn({ err: error }, 'login throttle unavailable; checking the password without it');
      return null;
    }
  }
}
