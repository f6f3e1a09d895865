import { TimeoutError, withTimeout, type Logger, type Redis } from '@shop/platform';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { CartView } from '../domain/cart-view.ts';

/**
 * Read-through Redis cache of whole carts (`CartView`), one hash per cart: `v` (version) and `d`
 * (the JSON copy). Postgres stays the source of truth: every Redis failure is a miss or a skipped
 * write, counted and logged once per outage, never an error for the request.
 */
export interface CartCacheOptions {
  redis: Redis;
  log: Logger;
  registry: Registry;
  /** Lifetime of every key (copies and tombstones). */
  ttlSeconds?: number;
  /** false: a pass-through to the loader (the cache-on-vs-off benchmark). */
  enabled?: boolean;
  keyPrefix?: string;
  /** Upper bound for one Redis call: a hung (not refusing) server must not hold a request longer. */
  timeoutMs?: number;
  /** Carts remembered for repair after failed writes; past this, every key of the prefix is dropped. */
  maxPendingRepairs?: number;
  /**
   * Whether a copy may still be served: a copy priced under promotions or delivery settings that
   * have changed since (its `pricedWith` stamp is not the current one) is a miss, and the fresh
   * copy replaces it.
   */
  isFresh?: (view: CartView) => boolean;
}

export interface CartCache {
  get(id: string): Promise<CartView | null>;
  /** After a commit: stores the fresh copy unless a newer one is already there. */
  put(view: CartView): Promise<void>;
  /**
   * After a commit when the fresh copy is not at hand: drops the copy. With the committed version,
   * copies of that version or older can no longer be written back; without it, no copy at all can
   * be written for FENCE_SECONDS (a slow reader may still hold an older one).
   */
  invalidate(id: string, version?: number): Promise<void>;
  readThrough(id: string, load: () => Promise<CartView | null>): Promise<CartView | null>;
}

// KEYS[1] cart key; ARGV: version, JSON, TTL, pricing stamp. Writes over an absent key, an older
// version, a tombstone (no `d`) of the same version, or the same version priced under other
// promotions or delivery settings (`s`); never over a newer copy. Returns 1 when written.
const PUT_LUA = `
local stored = tonumber(redis.call('HGET', KEYS[1], 'v'))
local version = tonumber(ARGV[1])
if stored and (stored > version or (stored == version and redis.call('HEXISTS', KEYS[1], 'd') == 1
    and redis.call('HGET', KEYS[1], 's') == ARGV[4])) then
  return 0
end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'd', ARGV[2], 's', ARGV[4])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1`;

// KEYS[1] cart key; ARGV: version, TTL. Drops the copy and keeps the version as a tombstone, unless
// a newer version is stored (that copy is fresher than what is being invalidated).
const TOMBSTONE_LUA = `
local stored = tonumber(redis.call('HGET', KEYS[1], 'v'))
if stored and stored > tonumber(ARGV[1]) then
  return 0
end
redis.call('HDEL', KEYS[1], 'd')
redis.call('HSET', KEYS[1], 'v', ARGV[1])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1`;

/** Tombstone version that refuses every copy; it lives FENCE_SECONDS, longer than any slow read. */
const FENCE = Number.MAX_SAFE_INTEGER;
const FENCE_SECONDS = 10;

type Op = 'get' | 'put' | 'invalidate' | 'repair';
type Attempt<T> = { ok: true; value: T } | { ok: false };
type CacheCommands = Redis & {
  cartCachePut(key: string, version: number, json: string, ttl: number, stamp: string): Promise<number>;
  cartCacheTombstone(key: string, version: number, ttl: number): Promise<number>;
};

export function createCartCache(options: CartCacheOptions): CartCache {
  const { redis, log, registry, ttlSeconds = 3600, enabled = true, keyPrefix = 'cart:v2:', timeoutMs = 250 } = options;
  const maxPendingRepairs = options.maxPendingRepairs ?? 10_000;
  const isFresh = options.isFresh ?? (() => true);
  const registers = [registry];
  const hits = new Counter({ name: 'cart_cache_hits_total', help: 'Cart reads answered by Redis', registers });
  const misses = new Counter({ name: 'cart_cache_misses_total', help: 'Cart reads that went to Postgres', registers });
  const errors = new Counter({
    name: 'cart_cache_errors_total',
    help: 'Failed Redis calls of the cart cache (the request went on without Redis)',
    labelNames: ['op'] as const,
    registers,
  });
  const up = new Gauge({ name: 'cart_cache_up', help: '1 while the cart cache reaches Redis, else 0', registers });
  // Every series exists from the start, so a dashboard shows 0 rather than nothing.
  for (const op of ['get', 'put', 'invalidate', 'repair'] as const) errors.inc({ op }, 0);

  if (!enabled) {
    return {
      get: () => Promise.resolve(null),
      put: () => Promise.resolve(),
      invalidate: () => Promise.resolve(),
      readThrough: (_id, load) => load(),
    };
  }

  const commands = redis as CacheCommands;
  commands.defineCommand('cartCachePut', { numberOfKeys: 1, lua: PUT_LUA });
  commands.defineCommand('cartCacheTombstone', { numberOfKeys: 1, lua: TOMBSTONE_LUA });
  const key = (id: string) => `${keyPrefix}${id}`;

  // Outage state: one warning when Redis goes away, one info line when it is back.
  let state: 'unknown' | 'up' | 'down' = redis.status === 'ready' ? 'up' : 'unknown';
  up.set(state === 'up' ? 1 : 0);
  let lastReplyErrorLog = 0;

  // A write that failed leaves an older copy in Redis that may come back with it (persistence, or a
  // network split). Until it is repaired, reads of that cart skip Redis.
  const pending = new Map<string, number>();
  // Past maxPendingRepairs every key is dropped instead; counters, so an overflow during a drop is not lost.
  let overflows = 0;
  let dropped = 0;
  const dropAllPending = () => overflows > dropped;
  let repairing: Promise<void> | null = null;

  const markUp = () => {
    if (state === 'down') log.info('cart cache: Redis is reachable again, cache in use');
    state = 'up';
    up.set(1);
    if (pending.size > 0 || dropAllPending()) void repair();
  };
  const markDown = (err?: unknown) => {
    if (state !== 'down') log.warn({ err }, 'cart cache: Redis unavailable, carts are served from Postgres only');
    state = 'down';
    up.set(0);
  };
  redis.on('ready', markUp);
  redis.on('reconnecting', () => markDown());

  async function attempt<T>(op: Op, command: () => Promise<T>): Promise<Attempt<T>> {
    try {
      const value = await withTimeout(command(), timeoutMs, `Redis did not answer within ${timeoutMs} ms`);
      if (state !== 'up' || pending.size > 0 || dropAllPending()) markUp();
      return { ok: true, value };
    } catch (err) {
      errors.inc({ op });
      if (err instanceof TimeoutError || redis.status !== 'ready') {
        markDown(err);
      } else if (Date.now() - lastReplyErrorLog > 60_000) {
        // Redis answered with an error while connected: a bug or a full server, not an outage.
        lastReplyErrorLog = Date.now();
        log.error({ err, op }, 'cart cache: Redis command failed');
      }
      return { ok: false };
    }
  }

  const remember = (id: string, version: number) => {
    if (pending.size >= maxPendingRepairs && !pending.has(id)) overflows++;
    else pending.set(id, Math.max(version, pending.get(id) ?? 0));
  };

  const tombstone = (id: string, version: number) => commands.cartCacheTombstone(key(id), version, version === FENCE ? FENCE_SECONDS : ttlSeconds);

  /** Too many carts to remember: drop every key of this prefix (DEL, so no watermark survives). */
  async function dropAll(): Promise<boolean> {
    let cursor = '0';
    do {
      const page = await attempt('repair', () => redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 500));
      if (!page.ok) return false;
      const [next, keys] = page.value;
      if (keys.length > 0 && !(await attempt('repair', () => redis.del(...keys))).ok) return false;
      cursor = next;
    } while (cursor !== '0');
    return true;
  }

  function repair(): Promise<void> {
    repairing ??= (async () => {
      try {
        if (dropAllPending()) {
          const target = overflows;
          if (!(await dropAll())) return;
          dropped = target;
        }
        for (const [id, version] of [...pending]) {
          if (pending.get(id) !== version) continue; // settled by a later write meanwhile
          if (!(await attempt('repair', () => tombstone(id, version))).ok) return;
          if (pending.get(id) === version) pending.delete(id);
        }
      } finally {
        repairing = null;
      }
    })();
    return repairing;
  }

  /** Writes the copy; true when Redis now holds this version or a newer one. */
  async function write(view: CartView): Promise<boolean> {
    const written = await attempt('put', () =>
      commands.cartCachePut(key(view.id), view.version, JSON.stringify(view), ttlSeconds, view.pricedWith ?? ''),
    );
    // Redis holds at least this version now: an older failed write needs no repair any more.
    const owed = pending.get(view.id);
    if (written.ok && owed !== undefined && view.version >= owed) pending.delete(view.id);
    return written.ok;
  }

  async function get(id: string): Promise<CartView | null> {
    if (dropAllPending() || pending.has(id)) {
      misses.inc();
      return null;
    }
    const read = await attempt('get', async () => {
      const raw = await redis.hget(key(id), 'd');
      return raw === null ? null : (JSON.parse(raw) as CartView);
    });
    if (read.ok && read.value && isFresh(read.value)) {
      hits.inc();
      return read.value;
    }
    misses.inc();
    return null;
  }

  return {
    get,
    async put(view) {
      if (!(await write(view))) remember(view.id, view.version);
    },
    async invalidate(id, version) {
      const target = version ?? FENCE;
      if (!(await attempt('invalidate', () => tombstone(id, target))).ok) remember(id, target);
    },
    async readThrough(id, load) {
      const cached = await get(id);
      if (cached) return cached;
      const view = await load();
      if (!view) return null;
      // A fill from Postgres holds at least the committed version, so it also repairs a stale copy.
      // Not while Redis is known to be down: a hung server would cost this read a second timeout.
      if (state !== 'down') await write(view);
      return view;
    },
  };
}
