import { orderAccessTokenFrom, orderChanged, runSubgraph } from '@shop/platform';
import { loadConfig } from './config.ts';
import { orderOrmOptions } from './data/orm.config.ts';
import { resolvers } from './resolvers/index.ts';
import { permissions } from './resolvers/permissions.ts';
import { createContext } from './context.ts';
import { startOrderWorkers } from './events/order-workers.ts';
import { orderTokenCheck } from './domain/order-access.ts';
import { registerOrderMetrics } from './domain/order-metrics.ts';

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
  background: (deps) => {
    registerOrderMetrics(deps.metrics.registry);
    return startOrderWorkers(deps, { timeouts: { reserveMs: config.ORDER_RESERVE_TIMEOUT_MS, paymentMs: config.ORDER_PAYMENT_TIMEOUT_MS } });
  },
  context: ({ em, identity, deps, headers }) =>
    createContext(
      em,
      identity,
      deps.log,
      orderChanged(deps),
      { log: deps.log, outbox: deps.outbox },
      orderTokenCheck(config.ORDER_ACCESS_TOKEN_SECRET, orderAccessTokenFrom(headers)),
    ),
});
