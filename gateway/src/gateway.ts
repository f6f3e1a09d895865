import { ApolloGateway } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import type { Logger } from '@shop/platform';
import { subgraphUrlOverride, type GatewayConfig } from './config.ts';
import { supergraphFromFile } from './supergraph-file.ts';
import { SubgraphClient } from './subgraph-client.ts';

/** Node's fetch with an upper bound per subgraph call, so one stuck subgraph cannot hold a request forever. */
function fetchWithTimeout(ms: number): Fetcher {
  const timed = (input: string, init?: RequestInit) => fetch(input, { ...init, signal: AbortSignal.timeout(ms) });
  // The gateway's Fetcher type is node-fetch shaped; Node's fetch is call-compatible with it.
  return timed as unknown as Fetcher;
}

/** The Apollo gateway over the static supergraph file, with per-subgraph URL overrides. */
export function createGateway(config: GatewayConfig, log: Logger) {
  let loaded = false;
  const gateway = new ApolloGateway({
    supergraphSdl: supergraphFromFile(config.SUPERGRAPH_PATH, log, () => (loaded = true)),
    buildService: ({ name, url }) =>
      new SubgraphClient({ url: subgraphUrlOverride(config, name) ?? url, fetcher: fetchWithTimeout(config.SUBGRAPH_TIMEOUT_MS) }),
    logger: log,
  });
  return { gateway, isLoaded: () => loaded };
}
