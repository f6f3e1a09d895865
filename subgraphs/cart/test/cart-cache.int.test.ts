import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { Registry } from 'prom-client';
import { createLogger, createRedis, type Redis } from '@shop/platform';
import { getFreePort, startRedis, type RunningRedis } from '@shop/platform/stack';
import { createCartCache, type CartCacheOptions } from '../src/data/cart-cache.ts';
import type { CartView } from '../src/domain/cart-view.ts';
import { waitFor } from '../../../test/support/wait.ts';

// Our own Redis (this file stops it), with its append-only file: data survives the outage, so a
// copy that went stale while Redis was down really comes back with it.
const dir = mkdtempSync(join(tmpdir(), 'cart-cache-test-'));
const lines: Array<{ level: number; msg: string; probe?: string; err?: { message?: string } }> = [];
const log = createLogger('cart-cache-test', 'info', { write: (line: string) => void lines.push(JSON.parse(line)) });
const prefix = `cart:test:${randomUUID().slice(0, 8)}:`;
let server: RunningRedis;
let redis: Redis;

beforeAll(async () => {
  server = await startRedis({ dataDir: join(dir, 'redis'), port: await getFreePort(), logFile: join(dir, 'redis.log') });
  redis = createRedis(server.url, log, 'cart-cache-test');
  await waitFor('the client is ready', () => redis.status === 'ready');
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function cache(options: Partial<CartCacheOptions> = {}) {
  const registry = new Registry();
  return { registry, cache: createCartCache({ redis, log, registry, keyPrefix: prefix, ...options }) };
}
async function metric(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
  return values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value ?? 0;
}
function view(id: string, version: number): CartView {
  const at = new Date(Date.UTC(2026, 0, 1)).toISOString();
  return {
    id,
    customerId: null,
    status: 'ACTIVE',
    version,
    currency: 'USD',
    email: null,
    countryCode: 'US',
    phone: null,
    deliveryAddress: null,
    billingAddress: null,
    addressFromDefault: false,
    deliveryOptions: [],
    selectedDeliveryHandle: null,
    isEstimate: false,
    note: null,
    attributes: [],
    createdAt: at,
    updatedAt: at,
    expiresAt: at,
    lines: [
      {
        id: `${id}-line`,
        variantId: 'mug',
        productId: 'mug',
        sku: 'MUG',
        variantTitle: 'Default Title',
        selectedOptions: [],
        quantity: version,
        unitPriceAmount: 1250,
        name: 'Mug',
        available: true,
        discountAllocations: [],
        createdAt: at,
      },
    ],
    discountCodes: [],
    discountAllocations: [],
    appliedPromotions: [],
    pricedWith: '',
    totals: {
      subtotal: 1250 * version,
      discount: 0,
      shipping: 0,
      deliveryDiscount: 0,
      tax: 0,
      total: 1250 * version,
      taxesIncluded: false,
      inapplicableCodes: [],
    },
  };
}
/** Runs `work` and returns how long it took in ms. */
async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

describe('cart cache on a real Redis', () => {
  it('misses, fills from the loader, then hits; counters move', async () => {
    const { cache: c, registry } = cache();
    const id = randomUUID();
    let loads = 0;
    const load = async () => (loads++, view(id, 1));
    expect(await c.readThrough(id, load)).toEqual(view(id, 1));
    expect(await c.readThrough(id, load)).toEqual(view(id, 1));
    expect(loads).toBe(1);
    expect(await metric(registry, 'cart_cache_misses_total')).toBe(1);
    expect(await metric(registry, 'cart_cache_hits_total')).toBe(1);
    expect(await metric(registry, 'cart_cache_up')).toBe(1);
    expect(await registry.metrics()).toContain('cart_cache_errors_total{op="get"} 0');
  });

  it('never lets an older version replace a newer one', async () => {
    const { cache: c } = cache();
    const id = randomUUID();
    await c.put(view(id, 6));
    await c.put(view(id, 5));
    expect((await c.get(id))?.version).toBe(6);
    await c.put(view(id, 7));
    expect((await c.get(id))?.version).toBe(7);

    // A slow reader loads version 7 while a commit writes version 8: its fill must not win.
    const other = randomUUID();
    const loaded = await c.readThrough(other, async () => {
      await c.put(view(other, 8));
      return view(other, 7);
    });
    expect(loaded?.version).toBe(7);
    expect((await c.get(other))?.version).toBe(8);
  });

  it('sets a TTL on every key, tombstones included', async () => {
    const { cache: c } = cache({ ttlSeconds: 120 });
    const [a, b, f] = [randomUUID(), randomUUID(), randomUUID()];
    await c.put(view(a, 1));
    await c.readThrough(b, async () => view(b, 1));
    await c.invalidate(f);
    for (const id of [a, b, f]) {
      const ttl = await redis.ttl(prefix + id);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(120);
    }
    await c.invalidate(a, 2);
    expect(await redis.ttl(prefix + a)).toBeGreaterThan(0);
  });

  it('invalidate drops the copy; with a version it refuses older copies but takes the fresh one', async () => {
    const { cache: c } = cache();
    const id = randomUUID();
    await c.put(view(id, 3));
    await c.invalidate(id, 4);
    expect(await c.get(id)).toBeNull();
    await c.put(view(id, 3)); // a slow reader's copy from before the commit
    expect(await c.get(id)).toBeNull();
    await c.put(view(id, 4));
    expect((await c.get(id))?.version).toBe(4);

    // Without a version nothing can be written back until the short fence expires.
    await c.invalidate(id);
    await c.put(view(id, 5));
    expect(await c.get(id)).toBeNull();
  });

  it('is a pass-through when disabled', async () => {
    const { cache: c } = cache({ enabled: false });
    const id = randomUUID();
    let loads = 0;
    for (let i = 0; i < 2; i++) await c.readThrough(id, async () => (loads++, view(id, 1)));
    await c.put(view(id, 1));
    expect(loads).toBe(2);
    expect(await redis.exists(prefix + id)).toBe(0);
  });

  it('answers from Postgres without waiting on Redis while it is down, and uses the cache again once it is back', async ({ annotate }) => {
    // Every cache of this file watches the one client: keep to this cache's log lines. A timeout
    // far beyond the test's own: the reads and writes below can only answer if none waits on Redis.
    const { cache: c, registry } = cache({ log: log.child({ probe: 'outage' }), timeoutMs: 600_000 });
    const [stale, kept, fresh] = [randomUUID(), randomUUID(), randomUUID()];
    await c.put(view(stale, 1));
    await c.put(view(kept, 1));
    const before = lines.length;

    await server.pause(); // stop(), but restart() stays allowed
    onTestFailed(() => server.restart()); // the next tests need Redis
    await waitFor('the client sees the outage', () => redis.status !== 'ready');
    const reads: number[] = [];
    for (let i = 0; i < 20; i++) {
      reads.push(await timed(async () => expect(await c.readThrough(stale, async () => view(stale, 2))).toEqual(view(stale, 2))));
    }
    const writes = [
      await timed(() => c.put(view(stale, 2))), // the commit of version 2: its cache write fails
      await timed(() => c.invalidate(fresh, 1)),
      await timed(() => c.put(view(fresh, 1))),
    ];
    reads.sort((x, y) => x - y);
    await annotate(
      `Redis down: read p50 ${reads[10]!.toFixed(2)} ms, max ${reads.at(-1)!.toFixed(2)} ms; writes max ${Math.max(...writes).toFixed(2)} ms`,
    );
    expect(redis.status).not.toBe('ready'); // all of it answered while Redis was still down
    expect(await metric(registry, 'cart_cache_errors_total', { op: 'get' })).toBeGreaterThanOrEqual(20);
    expect(await metric(registry, 'cart_cache_errors_total', { op: 'put' })).toBeGreaterThanOrEqual(2);
    expect(await metric(registry, 'cart_cache_errors_total', { op: 'invalidate' })).toBe(1);
    expect(await metric(registry, 'cart_cache_up')).toBe(0);
    const ours = () => lines.slice(before).filter((l) => l.probe === 'outage');
    expect(ours().map((l) => l.level)).toEqual([40]); // one warning for the whole outage

    await server.restart();
    await waitFor('cart_cache_up is 1', async () => (await metric(registry, 'cart_cache_up')) === 1);
    expect(ours().map((l) => l.level)).toEqual([40, 30]); // and one info line when it is back
    // The failed writes are repaired: the stale copy that came back with Redis is dropped.
    await waitFor(
      'the failed writes are repaired',
      async () => (await redis.hget(prefix + stale, 'd')) === null && (await redis.hget(prefix + fresh, 'v')) === '1',
    );
    // The copy kept through the outage is used again; the one that went stale is not served.
    expect((await c.get(kept))?.version).toBe(1);
    expect(await c.get(stale)).toBeNull();
    expect((await c.readThrough(stale, async () => view(stale, 2)))?.version).toBe(2);
    expect((await c.get(stale))?.version).toBe(2);
    await c.put(view(fresh, 1));
    expect((await c.get(fresh))?.version).toBe(1);
  });

  it('drops every key of its prefix on recovery when too many failed writes were to repair', async () => {
    const own = `${prefix}overflow:`;
    const { cache: c } = cache({ keyPrefix: own, maxPendingRepairs: 1 });
    const [a, b, untouched] = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of [a, b, untouched]) await c.put(view(id, 1));
    await server.pause();
    onTestFailed(() => server.restart());
    await waitFor('the client sees the outage', () => redis.status !== 'ready');
    await c.put(view(a, 2)); // remembered
    await c.put(view(b, 2)); // one too many: every key of the prefix is suspect now
    await server.restart();
    await waitFor('the client is back', () => redis.status === 'ready');
    await waitFor('the keys of the prefix are dropped', async () => (await redis.exists(own + untouched)) === 0);
    for (const id of [a, b]) expect(await redis.hget(own + id, 'd')).toBeNull(); // a: tombstone at v2
    expect(await c.get(untouched)).toBeNull();
    await c.put(view(b, 2));
    expect((await c.get(b))?.version).toBe(2);
  });

  it('gives up on a Redis that stops answering after timeoutMs', async ({ annotate }) => {
    // A proxy that can stop forwarding: the connection stays open, Redis just never answers.
    const clients = new Set<net.Socket>();
    const proxy = net.createServer((client) => {
      const upstream = net.connect(server.port, '127.0.0.1');
      clients.add(client);
      client.pipe(upstream).on('error', () => undefined);
      upstream.pipe(client).on('error', () => undefined);
      client.on('close', () => (clients.delete(client), upstream.destroy()));
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const hanging = createRedis(`redis://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`, log, 'cart-cache-hang');
    try {
      await waitFor('the proxied client is ready', () => hanging.status === 'ready');
      const registry = new Registry();
      const c = createCartCache({ redis: hanging, log: log.child({ probe: 'hang' }), registry, keyPrefix: prefix, timeoutMs: 100 });
      const id = randomUUID();
      await c.put(view(id, 1));
      for (const socket of clients) socket.pause();
      const ms = await timed(async () => expect(await c.readThrough(id, async () => view(id, 1))).toEqual(view(id, 1)));
      await annotate(`Redis hung: read ${ms.toFixed(1)} ms (one 100 ms timeout, no fill attempt)`);
      // Answered from the loader while Redis still hangs, and what ended the wait was the timeout.
      expect(lines.filter((l) => l.probe === 'hang').map((l) => l.err?.message)).toEqual(['Redis did not answer within 100 ms']);
      expect(await metric(registry, 'cart_cache_up')).toBe(0);
      // One timeout per read: once Redis is known down, the fill is not tried (no second wait).
      expect(await metric(registry, 'cart_cache_errors_total', { op: 'get' })).toBe(1);
      expect(await metric(registry, 'cart_cache_errors_total', { op: 'put' })).toBe(0);
      for (const socket of clients) socket.resume();
      await waitFor('Redis answers again', async () => (await c.get(id)) !== null);
      expect(await metric(registry, 'cart_cache_up')).toBe(1);
    } finally {
      hanging.disconnect();
      proxy.close();
      for (const socket of clients) socket.destroy();
    }
  });
});
