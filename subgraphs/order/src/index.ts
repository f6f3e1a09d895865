import { runSubgraph } from '@shop/platform';
import { loadConfig } from './config.ts';
import { orderOrmOptions } from './data/orm.config.ts';
import { resolvers } from './resolvers/index.ts';
import { permissions } from './resolvers/permissions.ts';
import { createContext } from './context.ts';

const config = loadConfig();

await runSubgraph({
  name: 'order',
  settings: config,
  port: config.ORDER_PORT,
  portEnvVar: 'ORDER_PORT',
  schemaFile: new URL('../schema.graphql', import.meta.url),
  resolvers,
  permissions,
  orm: orderOrmOptions(config.ORDER_DATABASE_URL),
  context: ({ em, identity, deps }) => createContext(em, identity, deps.log),
});
