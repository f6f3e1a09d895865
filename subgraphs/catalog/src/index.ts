import { runSubgraph } from '@shop/platform';
import { loadConfig } from './config.ts';
import { catalogOrmOptions } from './data/orm.config.ts';
import { resolvers } from './resolvers/index.ts';
import { permissions } from './resolvers/permissions.ts';
import { createContext } from './context.ts';
import { startProductLookupResponder } from './events/product-lookup.responder.ts';
import { startInventoryWorkers } from './events/inventory-workers.ts';

const config = loadConfig();

await runSubgraph({
  name: 'catalog',
  settings: config,
  port: config.CATALOG_PORT,
  portEnvVar: 'CATALOG_PORT',
  schemaFile: new URL('../schema.graphql', import.meta.url),
  resolvers,
  permissions,
  orm: catalogOrmOptions(config.CATALOG_DATABASE_URL),
  background: async (deps) => [
    startProductLookupResponder(deps.nc, deps.orm.em, deps.log),
    ...(await startInventoryWorkers(deps, { reservationTtlSeconds: config.INVENTORY_RESERVATION_TTL_SECONDS })),
  ],
  context: ({ em, identity, deps }) => createContext(em, identity, deps.log, config.STORE_CURRENCY, deps.outbox),
});
