import { ApolloGateway } from '@apollo/gateway';
import type { Logger } from '@shop/platform';
import { subgraphUrlOverride, type GatewayConfig } from './config.ts';
import { supergraphFromFile } from './supergraph-file.ts';
import { SubgraphClient } from './subgraph-client.ts';

/** The Apollo gateway over the static supergraph file, with per-subgraph URL overrides. */
export function createGateway(config: GatewayConfig, log: Logger) {
  let loaded = false;
  const gateway = new ApolloGateway({
    supergraphSdl: supergraphFromFile(config.SUPERGRAPH_PATH, log, () => (loaded = true)),
    buildService: ({ name, url }) => new SubgraphClient({ url: subgraphUrlOverride(config, name) ?? url }),
    logger: log,
  });
  return { gateway, isLoaded: () => loaded };
}
