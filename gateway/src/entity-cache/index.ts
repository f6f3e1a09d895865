import { Counter, type Registry } from 'prom-client';
import type { Logger } from '@shop/platform';
import type { GatewayConfig } from '../config.ts';
import { EntityCache } from './entity-cache.ts';
import { readCacheHints, type SubgraphHints } from './hints.ts';
import { listenForProductChanges } from './invalidation.ts';
import { redisEntityStore } from './store.ts';

/**
 * The gateway's entity cache: one Redis store, the product.changed listener, the metrics, and the
 * hints read from each supergraph the gateway loads (a new supergraph brings new hints and plans).
 */
export function createEntityCaching(config: GatewayConfig, log: Logger, registry: Registry) {
  const store = redisEntityStore({
    url: config.GATEWAY_ENTITY_CACHE_REDIS_URL ?? config.REDIS_URL,
    prefix: config.GATEWAY_ENTITY_CACHE_PREFIX,
    commandTimeoutMs: config.GATEWAY_ENTITY_CACHE_TIMEOUT_MS,
    // Longer than a fetch can take between its lookup and its write (bounded by the subgraph timeout).
    invalidationMemorySeconds: Math.max(60, Math.ceil((2 * config.SUBGRAPH_TIMEOUT_MS) / 1000)),
  });
  const counter = (name: string, help: string, labelNames: string[]) => new Counter({ name, help, labelNames, registers: [registry] });
  const hits = counter('gateway_entity_cache_hits_total', 'Entities answered from the entity cache', ['subgraph', 'type']);
  const misses = counter('gateway_entity_cache_misses_total', 'Cacheable entities not in the entity cache (fetched)', ['subgraph', 'type']);
  const errors = counter('gateway_entity_cache_errors_total', 'Entity cache operations that failed (Redis down or slow)', ['operation']);
  const invalidations = counter('gateway_entity_cache_invalidations_total', 'product.changed events applied to the entity cache', []);
  const removed = counter('gateway_entity_cache_invalidated_entries_total', 'Entity cache entries removed by invalidations', []);
  const invalidation = listenForProductChanges(
    config.NATS_URL,
    (entities) => store.invalidate(entities),
    log,
    (count) => {
      invalidations.inc();
      removed.inc(count);
    },
  );
  let supergraph: string | undefined;
  let hints = new Map<string, SubgraphHints>();
  const hintsOf = (subgraph: string) => {
    if (supergraph === undefined) return undefined;
    let found = hints.get(subgraph);
    if (!found) hints.set(subgraph, (found = readCacheHints(supergraph, subgraph)));
    return found;
  };
  return {
    onSupergraph(sdl: string) {
      if (sdl === supergraph) return;
      supergraph = sdl;
      hints = new Map();
    },
    forSubgraph(subgraph: string) {
      return new EntityCache({
        subgraph,
        prefix: config.GATEWAY_ENTITY_CACHE_PREFIX,
        store,
        hints: () => hintsOf(subgraph),
        usable: invalidation.isLive,
        metrics: {
          hit: (type) => hits.inc({ subgraph, type }),
          miss: (type) => misses.inc({ subgraph, type }),
          error: (operation) => errors.inc({ operation }),
        },
        log,
      });
    },
    async close() {
      await invalidation.close();
      await store.close();
    },
  };
}

export type EntityCaching = ReturnType<typeof createEntityCaching>;
