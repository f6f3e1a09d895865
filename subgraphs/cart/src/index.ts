import { createProductLookupClient, orderAccessTokenFrom, perDeps, runSubgraph } from '@shop/platform';
import { loadConfig } from './config.ts';
import { cartOrmOptions } from './data/orm.config.ts';
import { createCartCache } from './data/cart-cache.ts';
import { resolvers } from './resolvers/index.ts';
import { permissions } from './resolvers/permissions.ts';
import { cartsInUnitOfWork, createContext, type CartContextDeps } from './context.ts';
import { createCartChangedPublisher } from './events/cart-changed.ts';
import { startCartWorkers } from './events/cart-workers.ts';
import { CartService } from './domain/cart.service.ts';
import { startPricingStamp } from './data/pricing-stamp.ts';
import { registerCartMetrics } from './domain/cart-metrics.ts';

const config = loadConfig();

/** Process-wide parts every request and the background workers share: cache, cart-changed publisher, catalog lookups. */
const sharedDeps = perDeps((deps): CartContextDeps & { close: () => Promise<void> } => {
  const publisher = createCartChangedPublisher({ redisUrl: config.REDIS_URL, log: deps.log, registry: deps.metrics.registry });
  const pricingStamp = startPricingStamp(deps.orm.em, deps.log);
  return {
    policy: {
      currency: config.STORE_CURRENCY,
      guestTtlHours: config.CART_GUEST_TTL_HOURS,
      customerTtlHours: config.CART_CUSTOMER_TTL_HOURS,
      snapshotMaxAgeSeconds: config.CART_SNAPSHOT_MAX_AGE_SECONDS,
      orderAccessTokenSecret: config.ORDER_ACCESS_TOKEN_SECRET,
      defaultCountry: config.STORE_DEFAULT_COUNTRY,
      pricesIncludeTax: config.STORE_PRICES_INCLUDE_TAX,
      pricingStamp: pricingStamp.current,
    },
    cache: createCartCache({
      redis: deps.redis,
      log: deps.log,
      registry: deps.metrics.registry,
      ttlSeconds: config.CART_CACHE_TTL_SECONDS,
      enabled: config.CART_CACHE_ENABLED,
      // Cached copies hold totals: a copy priced under other store settings is never served, nor one
      // priced under promotions or delivery settings that changed since (v3: copies with promotion
      // allocations).
      isFresh: (view) => view.pricedWith === pricingStamp.current(),
      keyPrefix: `cart:v3:${config.STORE_DEFAULT_COUNTRY}:${config.STORE_PRICES_INCLUDE_TAX ? 'incl' : 'excl'}:`,
    }),
    publishChanged: (change) => publisher.publishCartChanged(change),
    lookupProducts: createProductLookupClient(deps.nc, { timeoutMs: config.CATALOG_LOOKUP_TIMEOUT_MS }),
    notifyOutbox: deps.outbox.notify,
    close: async () => {
      await pricingStamp.close();
      await publisher.close();
    },
  };
});

await runSubgraph({
  name: 'cart',
  settings: config,
  port: config.CART_PORT,
  portEnvVar: 'CART_PORT',
  schemaFile: new URL('../schema.graphql', import.meta.url),
  resolvers,
  permissions,
  orm: cartOrmOptions(config.CART_DATABASE_URL),
  background: async (deps) => {
    registerCartMetrics(deps.metrics.registry);
    const parts = sharedDeps(deps);
    // Background changes (order status, expiry) refresh the cache and notify subscribers too.
    const carts = new CartService({ em: deps.orm.em, ...parts, lookup: async () => new Map(), log: deps.log });
    const workers = await startCartWorkers(deps, {
      refresh: (cartId) => carts.refresh(cartId),
      refreshStatus: (cartId, move) => carts.refreshStatus(cartId, move),
      cartsIn: (uow) => cartsInUnitOfWork(uow, deps.orm.em, deps.log, parts),
      sweepEveryMs: config.CART_EXPIRY_SWEEP_MS,
      pricing: parts.policy,
      lookup: parts.lookupProducts,
    });
    return [...workers, parts.close];
  },
  context: ({ em, identity, deps, headers }) => createContext(em, identity, deps.log, sharedDeps(deps), orderAccessTokenFrom(headers)),
});
