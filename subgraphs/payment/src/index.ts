import { runSubgraph } from '@shop/platform';
import { loadConfig } from './config.ts';
import { paymentOrmOptions } from './data/orm.config.ts';
import { resolvers } from './resolvers/index.ts';
import { permissions } from './resolvers/permissions.ts';
import { createContext } from './context.ts';

const config = loadConfig();

await runSubgraph({
  name: 'payment',
  settings: config,
  port: config.PAYMENT_PORT,
  portEnvVar: 'PAYMENT_PORT',
  schemaFile: new URL('../schema.graphql', import.meta.url),
  resolvers,
  permissions,
  orm: paymentOrmOptions(config.PAYMENT_DATABASE_URL),
  context: ({ em, identity, deps }) => createContext(em, identity, deps.log),
});
