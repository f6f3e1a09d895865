import { Redis } from 'ioredis';

/** One entity to keep: its key, JSON, TTL in seconds, and the entities (`Type:id`) whose change removes it. */
export interface EntityEntry {
  key: string;
  value: string;
  ttl: number;
  entities: string[];
}

/** Where the entity cache keeps entries (Redis; a fake in unit tests). Every method may throw when the store is down. */
export interface EntityStore {
  /** The values of `keys` (null: not there), and the store's clock at that moment: what a later write is checked against. */
  lookup(keys: string[]): Promise<{ values: Array<string | null>; stamp: string }>;
  /** Writes the entries, except those of an entity invalidated at or after `stamp` (its fetch may have read the old data). */
  write(entries: EntityEntry[], stamp: string): Promise<void>;
  /** Removes every entry of these entities (`Type:id`) and remembers when, for writes already under way. Answers how many entries went. */
  invalidate(entities: string[]): Promise<number>;
}

// The store's clock (microseconds as a decimal string; Lua numbers are doubles, exact below 2^53).
const NOW = `local t = redis.call('TIME') local now = t[1] .. string.format('%06d', tonumber(t[2]))`;

/** MGET, with the time of the read. */
const LOOKUP = `${NOW} return {now, redis.call('MGET', unpack(KEYS))}`;

/**
 * KEYS: the entry, then per entity its set of entry keys and its invalidation stamp. ARGV: value,
 * TTL, the lookup's stamp. Refused when an entity was invalidated since the lookup; otherwise the
 * entry is set and added to each entity's set (which lives as long as its longest entry).
 */
const WRITE = `
local since = tonumber(ARGV[3])
for i = 2, #KEYS, 2 do
  local invalidated = redis.call('GET', KEYS[i + 1])
  if invalidated and tonumber(invalidated) >= since then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
for i = 2, #KEYS, 2 do
  redis.call('SADD', KEYS[i], KEYS[1])
  if redis.call('TTL', KEYS[i]) < tonumber(ARGV[2]) then redis.call('EXPIRE', KEYS[i], ARGV[2]) end
end
return 1`;

/** KEYS: per entity its set and its stamp. ARGV: how long the stamp is kept. Deletes the set's entries and the set. */
const INVALIDATE = `${NOW}
local removed = 0
for i = 1, #KEYS, 2 do
  redis.call('SET', KEYS[i + 1], now, 'EX', ARGV[1])
  for _, key in ipairs(redis.call('SMEMBERS', KEYS[i])) do removed = removed + redis.call('DEL', key) end
  redis.call('DEL', KEYS[i])
end
return removed`;

type ScriptClient = Redis & {
  entityLookup(...args: Array<string | number>): Promise<[string, Array<string | null>]>;
  entityWrite(...args: Array<string | number>): Promise<number>;
  entityInvalidate(...args: Array<string | number>): Promise<number>;
};

export interface RedisEntityStoreOptions {
  url: string;
  prefix: string;
  /** Upper bound for one Redis command: a slow Redis costs a request this much at most, then it fetches. */
  commandTimeoutMs: number;
  /** How long an invalidation is remembered: longer than any fetch can take between its lookup and its write. */
  invalidationMemorySeconds: number;
}

/**
 * The entity cache in Redis, on its own connection: commands fail at once while Redis is down (no
 * offline queue, no retries) and time out quickly when it is slow, so a request only ever loses a
 * few milliseconds to it; the client reconnects in the background.
 */
export function redisEntityStore(options: RedisEntityStoreOptions): EntityStore & { client: Redis; close(): Promise<void> } {
  const client = new Redis(options.url, {
    connectionName: 'gateway-entity-cache',
    enableOfflineQueue: false,
    // The lookups of reads started in one tick (a change's subscribers, a page's entities) share a write.
    enableAutoPipelining: true,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: 1000,
    retryStrategy: (times) => Math.min(100 * 2 ** times, 2000),
  }) as ScriptClient;
  // Reported by the cache (once per outage); an unhandled 'error' event would only repeat it.
  client.on('error', () => undefined);
  client.defineCommand('entityLookup', { lua: LOOKUP });
  client.defineCommand('entityWrite', { lua: WRITE });
  client.defineCommand('entityInvalidate', { lua: INVALIDATE });
  const setKey = (entity: string) => `${options.prefix}set:${entity}`;
  const stampKey = (entity: string) => `${options.prefix}inv:${entity}`;
  return {
    client,
    async lookup(keys) {
      const [stamp, values] = await client.entityLookup(keys.length, ...keys);
      return { stamp, values };
    },
    async write(entries, stamp) {
      const pipeline = client.pipeline() as unknown as ScriptClient & { exec(): Promise<Array<[Error | null, unknown]> | null> };
      for (const entry of entries) {
        const keys = [entry.key, ...entry.entities.flatMap((e) => [setKey(e), stampKey(e)])];
        void pipeline.entityWrite(keys.length, ...keys, entry.value, entry.ttl, stamp);
      }
      const results = await pipeline.exec();
      const failed = results?.find(([error]) => error)?.[0];
      if (failed) throw failed;
    },
    async invalidate(entities) {
      const keys = entities.flatMap((e) => [setKey(e), stampKey(e)]);
      return client.entityInvalidate(keys.length, ...keys, options.invalidationMemorySeconds);
    },
    async close() {
      client.disconnect();
    },
  };
}
