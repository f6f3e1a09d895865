import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { redisEntityStore } from '../src/entity-cache/store.ts';

// A prefix per run: the shared test Redis holds other tests' keys.
const prefix = `test:${randomUUID()}:`;
const store = redisEntityStore({ url: inject('redisUrl'), prefix, commandTimeoutMs: 2000, invalidationMemorySeconds: 60 });
// Commands fail while it connects (no offline queue): the gateway fetches without the cache then.
beforeAll(async () => {
  if (store.client.status !== 'ready') await once(store.client, 'ready');
});
afterAll(() => store.close());

const entry = (key: string, entities: string[], value = `{"k":"${key}"}`) => ({ key: prefix + key, value, ttl: 300, entities });

describe('entity store on a real Redis', () => {
  it('writes entries with their TTL, reads them back, and removes every entry of an invalidated entity', async () => {
    const { stamp } = await store.lookup([prefix + 'a']);
    await store.write([entry('a', ['Product:1']), entry('b', ['Product:1', 'ProductVariant:9']), entry('c', ['Product:2'])], stamp);
    const read = await store.lookup([prefix + 'a', prefix + 'b', prefix + 'c', prefix + 'none']);
    expect(read.values).toEqual(['{"k":"a"}', '{"k":"b"}', '{"k":"c"}', null]);
    const ttl = await store.client.ttl(prefix + 'a');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300);

    expect(await store.invalidate(['Product:1'])).toBe(2);
    expect((await store.lookup([prefix + 'a', prefix + 'b', prefix + 'c'])).values).toEqual([null, null, '{"k":"c"}']);
  });

  it('refuses a write whose lookup came before an invalidation of its entity (its fetch may have read the old data)', async () => {
    const before = await store.lookup([prefix + 'd']);
    await store.invalidate(['Product:3']);
    await store.write([entry('d', ['Product:3']), entry('e', ['Product:4'])], before.stamp);
    expect((await store.lookup([prefix + 'd', prefix + 'e'])).values).toEqual([null, '{"k":"e"}']);
    // A fetch that started after the invalidation writes as usual.
    const after = await store.lookup([prefix + 'd']);
    await store.write([entry('d', ['Product:3'])], after.stamp);
    expect((await store.lookup([prefix + 'd'])).values).toEqual(['{"k":"d"}']);
  });

  it('answers stamps that order the store clock', async () => {
    const first = await store.lookup([prefix + 'x']);
    const second = await store.lookup([prefix + 'x']);
    expect(first.stamp).toMatch(/^\d{16}$/);
    expect(Number(second.stamp)).toBeGreaterThanOrEqual(Number(first.stamp));
  });
});
