import { orderAccessTokenFrom, orderChanged, orderTokenCheck, perDeps, runSubgraph } from '@shop/platform';
import { loadConfig } from './config.ts';
import { paymentOrmOptions } from './data/orm.config.ts';
import { resolvers } from './resolvers/index.ts';
import { permissions } from './resolvers/permissions.ts';
import { createContext } from './context.ts';
import { startPaymentWorkers } from './events/payment-workers.ts';
import { resilientProvider } from './domain/resilient-provider.ts';
import { SimulatorProvider } from './domain/simulator.ts';
import { registerPaymentMetrics } from './domain/payment-metrics.ts';

const config = loadConfig();

// One provider (and so one circuit breaker) for the saga workers and the refund mutation.
const providerOf = perDeps((deps) => resilientProvider(new SimulatorProvider(deps.orm.em, { hangMs: config.PAYMENT_SIMULATOR_HANG_MS })));

await runSubgraph({
  name: 'payment',
  settings: config,
  port: config.PAYMENT_PORT,
  portEnvVar: 'PAYMENT_PORT',
  schemaFile: new URL('../schema.graphql', import.meta.url),
  resolvers,
  permissions,
  orm: paymentOrmOptions(config.PAYMENT_DATABASE_URL),
  background: async (deps) => {
    registerPaymentMetrics(deps.metrics.registry, providerOf(deps).breaker);
    return startPaymentWorkers(
      { ...deps, orderChanged: orderChanged(deps) },
      { provider: providerOf(deps), recoverIntervalMs: config.PAYMENT_RECOVERY_INTERVAL_MS, staleAfterMs: config.PAYMENT_RECOVERY_STALE_MS },
    );
  },
  context: ({ em, identity, deps, headers }) =>
    createContext(em, identity, deps.log, {
      provider: providerOf(deps),
      changed: orderChanged(deps),
      outbox: deps.outbox,
      holdsToken: orderTokenCheck(config.ORDER_ACCESS_TOKEN_SECRET, orderAccessTokenFrom(headers)),
    }),
});
