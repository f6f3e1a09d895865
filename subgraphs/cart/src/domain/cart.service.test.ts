import type { EntityManager } from '@mikro-orm/postgresql';
import { describe, expect, it, vi } from 'vitest';
import { CartService, type CartViewCache } from './cart.service.ts';

/** A cache that records what it was told; reads never hit it here. */
function recordingCache(): CartViewCache & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    readThrough: async (_id, load) => load(),
    put: async (view) => void calls.push(`put ${view.id}`),
    invalidate: async (id) => void calls.push(`invalidate ${id}`),
  };
}

const policy = {
  currency: 'USD',
  guestTtlHours: 1,
  customerTtlHours: 1,
  snapshotMaxAgeSeconds: 900,
  orderAccessTokenSecret: 'unit-test-order-access-secret-0123456789',
  defaultCountry: 'US',
  pricesIncludeTax: false,
};

describe('CartService.refresh', () => {
  it('fences the cached copy when the re-read after a commit fails (Postgres lost just after the commit)', async () => {
    const lost = new Error('Connection terminated unexpectedly');
    // The cart's reads go through sql() (@shop/platform), on the EntityManager's connection: it is lost.
    const fail = vi.fn().mockRejectedValue(lost);
    const em = {
      getConnection: () => ({ executeQuery: fail }),
      getKysely: () => ({ getExecutor: () => ({ provideConnection: fail }) }),
    } as unknown as EntityManager;
    const cache = recordingCache();
    const publishChanged = vi.fn();
    const carts = new CartService({ em, policy, cache, publishChanged, lookup: async () => new Map(), notifyOutbox: () => undefined });

    await expect(carts.refresh('cart-1')).rejects.toBe(lost);
    expect(cache.calls).toEqual(['invalidate cart-1']); // no older copy left to serve, nothing put
    expect(publishChanged).not.toHaveBeenCalled();
  });
});
