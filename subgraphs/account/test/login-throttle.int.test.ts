import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger, createRedis, type Redis } from '@shop/platform';
import { LoginThrottle, type ThrottleSettings } from '../src/domain/login-throttle.ts';
import { waitFor } from '../../../test/support/wait.ts';

const log = createLogger('login-throttle-test', 'silent');
const SETTINGS: ThrottleSettings = { maxPerAccount: 3, maxPerAddress: 5, windowSeconds: 60 };

let redis: Redis;
beforeAll(async () => {
  redis = createRedis(inject('redisUrl'), log, 'login-throttle-test');
  await waitFor('redis connected', () => redis.status === 'ready');
});
afterAll(async () => {
  await redis?.quit();
});

// Every test its own accounts and addresses: the Redis server is shared by the whole run.
const email = () => `${randomUUID()}@example.test`;
const address = () => `client-${randomUUID()}`;
/** `times` attempts whose password turned out wrong: each counted, none succeeded. */
const fail = async (throttle: LoginThrottle, account: string, from: string, times: number) => {
  for (let i = 0; i < times; i++) await throttle.attempt(account, from);
};

describe('LoginThrottle on Redis', () => {
  it('blocks an account after maxPerAccount failed attempts, with the wait until the window ends', async () => {
    const throttle = new LoginThrottle(redis, SETTINGS, log);
    const [account, from] = [email(), address()];
    await fail(throttle, account, from, SETTINGS.maxPerAccount - 1);
    // The last allowed attempt.
    expect(await throttle.attempt(account, from)).toEqual({ allowed: true });
    const verdict = await throttle.attempt(account, from);
    expect(verdict.allowed).toBe(false);
    if (verdict.allowed) return;
    expect(verdict.retryAfterSeconds).toBeGreaterThan(0);
    expect(verdict.retryAfterSeconds).toBeLessThanOrEqual(SETTINGS.windowSeconds);
    // The account is blocked from any address (the right password too: the attempt is refused before it).
    expect((await throttle.attempt(account, address())).allowed).toBe(false);
    // Other accounts are not (from a fresh address: this one has spent its points).
    expect(await throttle.attempt(email(), address())).toEqual({ allowed: true });
  });

  it('gives a burst of parallel attempts no more tries than one after another', async () => {
    // Only the account's limit in play: the address's is out of reach.
    const throttle = new LoginThrottle(redis, { ...SETTINGS, maxPerAddress: 100 }, log);
    const [account, from] = [email(), address()];
    // As many guesses at once as an attacker likes: each is counted before any password check.
    const verdicts = await Promise.all(Array.from({ length: 12 }, () => throttle.attempt(account, from)));
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(SETTINGS.maxPerAccount);
  });

  it('a success clears the account count and does not charge the address', async () => {
    const throttle = new LoginThrottle(redis, { ...SETTINGS, maxPerAddress: 4 }, log);
    const [account, from] = [email(), address()];
    await fail(throttle, account, from, SETTINGS.maxPerAccount - 1);
    await throttle.attempt(account, from);
    await throttle.succeeded(account, from);
    await fail(throttle, account, from, SETTINGS.maxPerAccount - 1);
    // Four failures and a success in all, yet the account counts only the two since the success.
    expect(await throttle.attempt(account, address())).toEqual({ allowed: true });
    // The address has counted the four failures, not the success: one attempt fewer than its limit
    // was left (4 of 4 used now), so the next one from it, for any account, is refused.
    expect((await throttle.attempt(email(), from)).allowed).toBe(false);
  });

  it('counts failures per address across accounts, independently of each account', async () => {
    const throttle = new LoginThrottle(redis, SETTINGS, log);
    const from = address();
    const accounts = Array.from({ length: SETTINGS.maxPerAddress }, email);
    for (const account of accounts) await fail(throttle, account, from, 1);
    // No account is near its own limit, yet the address is blocked for every account, a fresh one too.
    const verdict = await throttle.attempt(email(), from);
    expect(verdict.allowed).toBe(false);
    if (!verdict.allowed) expect(verdict.retryAfterSeconds).toBeGreaterThan(0);
    // The same accounts from another address are fine.
    for (const account of accounts) expect(await throttle.attempt(account, address())).toEqual({ allowed: true });
  });

  it('lets the account in again once the window has ended', async () => {
    // Long enough for the failures and the first check to land inside it on a busy machine.
    const throttle = new LoginThrottle(redis, { ...SETTINGS, windowSeconds: 3 }, log);
    const [account, from] = [email(), address()];
    await fail(throttle, account, from, SETTINGS.maxPerAccount);
    expect((await throttle.attempt(account, from)).allowed).toBe(false);
    await waitFor('the window to end', async () => (await throttle.attempt(account, from)).allowed, { timeoutMs: 10_000 });
  });
});
