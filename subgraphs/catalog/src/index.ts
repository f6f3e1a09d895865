import { runSubgraph } from '@shop/platform';
import { loadConfig } from './config.ts';
import { catalogOrmOptions } from './data/orm.config.ts';
import { resolvers } from './resolvers/index.ts';
import { permissions } from './resolvers/permissions.ts';
import { createContext } from './context.ts';

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
  context: ({ em, identity, deps }) => createContext(em, identity, deps.log, config.STORE_CURRENCY),
});
