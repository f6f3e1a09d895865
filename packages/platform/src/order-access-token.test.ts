import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseEnv } from './env.ts';
import {
  DEV_ORDER_ACCESS_TOKEN_SECRET,
  orderAccessTokenEnvModel,
  orderAccessTokenFrom,
  refuseDevOrderAccessSecretInProduction,
  signOrderAccessToken,
  verifyOrderAccessToken,
} from './order-access-token.ts';

const secret = 'test-secret-0123456789abcdef-0123456789';

describe('order access tokens', () => {
  it('is the same URL-safe token for the same order every time, and a different one per order and per secret', () => {
    const [x, y] = [randomUUID(), randomUUID()];
    const token = signOrderAccessToken(secret, x);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(signOrderAccessToken(secret, x)).toBe(token);
    expect(signOrderAccessToken(secret, y)).not.toBe(token);
    expect(signOrderAccessToken(`${secret}!`, x)).not.toBe(token);
  });

  it('opens the order it was signed for and no other', () => {
    const [x, y] = [randomUUID(), randomUUID()];
    const token = signOrderAccessToken(secret, x);
    expect(verifyOrderAccessToken(secret, x, token)).toBe(true);
    expect(verifyOrderAccessToken(secret, y, token)).toBe(false);
    expect(verifyOrderAccessToken(`${secret}!`, x, token)).toBe(false);
  });

  it('refuses missing, truncated, padded, altered and oversized tokens without throwing', () => {
    const x = randomUUID();
    const token = signOrderAccessToken(secret, x);
    const flipped = (token[0] === 'A' ? 'B' : 'A') + token.slice(1);
    for (const bad of [null, undefined, '', token.slice(0, -1), `${token}AA`, flipped, 'x'.repeat(10_000), '!!!!']) {
      expect(verifyOrderAccessToken(secret, x, bad)).toBe(false);
    }
  });

  it('reads one header value', () => {
    expect(orderAccessTokenFrom({ 'order-access-token': 'abc' })).toBe('abc');
    expect(orderAccessTokenFrom({ 'order-access-token': ['abc', 'def'] })).toBe('abc');
    expect(orderAccessTokenFrom({})).toBeNull();
    expect(orderAccessTokenFrom({ 'order-access-token': 'x'.repeat(500) })).toBeNull();
  });

  it('has a dev default that production refuses', () => {
    const model = refuseDevOrderAccessSecretInProduction(z.object({ NODE_ENV: z.string().default('development'), ...orderAccessTokenEnvModel }));
    expect(parseEnv(model, {}).ORDER_ACCESS_TOKEN_SECRET).toBe(DEV_ORDER_ACCESS_TOKEN_SECRET);
    expect(() => parseEnv(model, { NODE_ENV: 'production' })).toThrow(/ORDER_ACCESS_TOKEN_SECRET/);
    expect(parseEnv(model, { NODE_ENV: 'production', ORDER_ACCESS_TOKEN_SECRET: secret }).ORDER_ACCESS_TOKEN_SECRET).toBe(secret);
    expect(() => parseEnv(model, { ORDER_ACCESS_TOKEN_SECRET: 'short' })).toThrow(/ORDER_ACCESS_TOKEN_SECRET/);
  });
});
