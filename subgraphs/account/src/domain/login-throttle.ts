import { RateLimiterRes, type RateLimiterRedis } from 'rate-limiter-flexible';
import { redisRateLimiter, type Logger, type Redis } from '@shop/platform';

export interface ThrottleSettings {
  maxPerAccount: number;
  maxPerAddress: number;
  windowSeconds: number;
}

/** Over a limit: how long until sign-in is tried again. */
export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Sign-in attempts counted per account (the email) and per client address in Redis
 * (rate-limiter-flexible), shared by every replica; an in-memory limiter per process takes over
 * while Redis is down. An attempt is counted before its password is checked, in one atomic step
 * with the limit check, so a burst of parallel guesses gets no more tries than one after another.
 * Past either limit every attempt is refused, the right password too, until the window that began
 * with the first attempt ends. A successful sign-in clears the account's count and gives its
 * point back to the address: what counts is failures.
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

  /** Before checking the password: counts the attempt, refused when either count is past its limit. */
  async attempt(email: string, address: string): Promise<ThrottleVerdict> {
    const waits = await Promise.all([this.take(this.byAccount, email), this.take(this.byAddress, address)]);
    const refused = waits.filter((ms): ms is number => ms !== null);
    if (!refused.length) return { allowed: true };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(Math.max(...refused) / 1000)) };
  }

  /** The password was right: the account starts again from zero, and the address is not charged. */
  async succeeded(email: string, address: string): Promise<void> {
    await Promise.all([this.byAccount.delete(email), this.byAddress.reward(address)]).catch((error: unknown) =>
      this.log.warn({ err: error }, 'could not clear a successful sign-in from the throttle'),
    );
  }

  /** Consumes one point: null when allowed, else the wait (ms) until the window ends. */
  private async take(limiter: RateLimiterRedis, key: string): Promise<number | null> {
    try {
      await limiter.consume(key);
      return null;
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) return outcome.msBeforeNext;
      this.log.warn({ err: outcome }, 'login throttle unavailable; checking the password without it');
      return null;
    }
  }
}
