import { runSubgraph } from '@shop/platform';
import { loadConfig } from './config.ts';
import { cartOrmOptions } from './data/orm.config.ts';
import { resolvers } from './resolvers/index.ts';
import { permissions } from './resolvers/permissions.ts';
import { createContext } from './context.ts';

const config = loadConfig();

await runSubgraph({
  name: 'cart',
  settings: config,
  port: config.CART_PORT,
  portEnvVar: 'CART_PORT',
  schemaFile: new URL('../schema.graphql', import.meta.url),
  resolvers,
  permissions,
  orm: cartOrmOptions(config.CART_DATABASE_URL),
  context: ({ em, identity, deps }) =>
    createContext(em, identity, deps.log, {
      currency: config.STORE_CURRENCY,
      guestTtlHours: config.CART_GUEST_TTL_HOURS,
      customerTtlHours: config.CART_CUSTOMER_TTL_HOURS,
    }),
});
