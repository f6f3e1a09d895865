import { ApolloGateway } from '@apollo/gateway';
import { Counter, type Registry } from 'prom-client';
import { currentRequestStop, type Logger } from '@shop/platform';
import { subgraphUrlOverride, type GatewayConfig } from './config.ts';
import { supergraphFromFile } from './supergraph-file.ts';
import { SubgraphClient } from './subgraph-client.ts';
import { undiciFetcher } from './subgraph-fetcher.ts';
import { LastWrites } from './subgraph-dedup.ts';
import type { EntityCaching } from './entity-cache/index.ts';

/** The Apollo gateway over the static supergraph file, with per-subgraph URL overrides. */
export function createGateway(config: GatewayConfig, log: Logger, registry: Registry, entityCaching?: EntityCaching) {
  let loaded = false;
  // Every subgraph call: an upper bound per call so one stuck subgraph cannot hold a request forever,
  // stopped when its caller hangs up (the subgraph, seeing the socket close, stops working too).
  const fetcher = undiciFetcher({
    timeoutMs: config.SUBGRAPH_TIMEOUT_MS,
    connectionsPerOrigin: 256,
    // An idle socket is dropped after 4 s, before the subgraph's server closes it (Node's
    // keepAliveTimeout, 5 s): reusing one the server is closing at that moment fails with ECONNRESET.
    idleMs: 4_000,
    stopSignal: () => currentRequestStop()?.signal,
  });
  const deduplicated = new Counter({
    name: 'gateway_subgraph_fetches_deduplicated_total',
    help: 'Subgraph fetches answered by an identical one already in flight (no call of their own)',
    labelNames: ['subgraph'] as const,
    registers: [registry],
  });
  // Shared by every subgraph's client: a mutation through one is a write the caller may read through another.
  const lastWrites = new LastWrites(2 * config.SUBGRAPH_TIMEOUT_MS);
  const gateway = new ApolloGateway({
    supergraphSdl: supergraphFromFile(config.SUPERGRAPH_PATH, log, () => (loaded = true)),
    buildService: ({ name, url }) =>
      new SubgraphClient({
        url: subgraphUrlOverride(config, name) ?? url,
        fetcher,
        log,
        name,
        clientAddressSecret: config.CLIENT_ADDRESS_SECRET,
        ...(config.GATEWAY_DEDUP_ENABLED ? { dedup: { onShared: () => deduplicated.inc({ subgraph: name }), lastWrites } } : {}),
        ...(entityCaching ? { entityCache: entityCaching.forSubgraph(name) } : {}),
      }),
    logger: log,
  });
  return { gateway, isLoaded: () => loaded, closeSubgraphCalls: fetcher.close };
}
