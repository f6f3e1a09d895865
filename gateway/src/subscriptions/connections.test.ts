import { describe, expect, it } from 'vitest';
import { authorizationFrom, ConnectionCounts, orderAccessTokenFrom } from './connections.ts';

describe('authorizationFrom (connection_init payload)', () => {
  it('reads the documented key, its capitalised form and a headers object; Bearer is optional', () => {
    expect(authorizationFrom({ authorization: 'Bearer abc' })).toBe('Bearer abc');
    expect(authorizationFrom({ Authorization: 'abc' })).toBe('Bearer abc');
    expect(authorizationFrom({ headers: { authorization: 'bearer abc' } })).toBe('bearer abc');
  });

  it('is a guest without a token', () => {
    expect(authorizationFrom(undefined)).toBeUndefined();
    expect(authorizationFrom({})).toBeUndefined();
    expect(authorizationFrom({ authorization: '  ' })).toBeUndefined();
    expect(authorizationFrom({ authorization: 42 })).toBeUndefined();
  });
});

describe('orderAccessTokenFrom (connection_init payload)', () => {
  it('reads orderAccessToken, and nothing that is not a plausible token', () => {
    expect(orderAccessTokenFrom({ orderAccessToken: ' abc ' })).toBe('abc');
    expect(orderAccessTokenFrom(undefined)).toBeUndefined();
    expect(orderAccessTokenFrom({ orderAccessToken: '' })).toBeUndefined();
    expect(orderAccessTokenFrom({ orderAccessToken: 42 })).toBeUndefined();
    expect(orderAccessTokenFrom({ orderAccessToken: 'x'.repeat(129) })).toBeUndefined();
  });
});

describe('ConnectionCounts', () => {
  it('holds at most the limit per key and frees a slot on release', () => {
    const counts = new ConnectionCounts();
    expect([counts.take('a', 2), counts.take('a', 2), counts.take('a', 2), counts.take('b', 2)]).toEqual([true, true, false, true]);
    counts.release('a');
    expect(counts.take('a', 2)).toBe(true);
  });
});
