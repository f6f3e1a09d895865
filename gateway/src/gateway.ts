import { ApolloGateway } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import http from 'node:http';
import { Counter, type Registry } from 'prom-client';
import nodeFetch, { type RequestInit } from 'node-fetch';
import { currentRequestStop, type Logger } from '@shop/platform';
import { subgraphUrlOverride, type GatewayConfig } from './config.ts';
import { supergraphFromFile } from './supergraph-file.ts';
import { SubgraphClient } from './subgraph-client.ts';
import { LastWrites } from './subgraph-dedup.ts';
import type { EntityCaching } from './entity-cache/index.ts';

/**
 * node-fetch (the gateway's own client) over a keep-alive agent, with an upper bound per subgraph
 * call so one stuck subgraph cannot hold a request forever. Measured: about twice the throughput of
 * Node's global fetch with AbortSignal.timeout for small queries.
 */
function subgraphFetcher(timeoutMs: number): Fetcher {
  // An idle socket is dropped after 4 s, before the subgraph's server closes it (Node's
  // keepAliveTimeout, 5 s): reusing one the server is closing at that moment fails with ECONNRESET.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256, timeout: 4_000 });
  const timed = (url: string, init?: RequestInit) => {
    // A call whose client has hung up stops waiting (and the subgraph, seeing the socket close, stops working).
    const signal = currentRequestStop()?.signal;
    return nodeFetch(url, { ...init, agent, timeout: timeoutMs, ...(signal ? { signal } : {}) });
  };
  // node-fetch's option type is wider than the Fetcher interface spells out.
  return timed as unknown as Fetcher;
}

/** The Apollo gateway over the static supergraph file, with per-subgraph URL overrides. */
export function createGateway(config: GatewayConfig, log: Logger, registry: Registry, entityCaching?: EntityCaching) {
  let loaded = false;
  const fetcher = subgraphFetcher(config.SUBGRAPH_TIMEOUT_MS);
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
        ...(config.GATEWAY_DEDUP_ENABLED ? { dedup: { onShared: () => deduplicated.inc({ subgraph: name }), lastWrites } } : {}),
        ...(entityCaching ? { entityCache: entityCaching.forSubgraph(name) } : {}),
      }),
    logger: log,
  });
  return { gateway, isLoaded: () => loaded };
}
