import type { GraphQLSchema } from 'graphql';
import { Gauge } from 'prom-client';
import {
  checkCustomScalars,
  createLogger,
  createMetrics,
  createRedis,
  createTokenVerifier,
  exitOnSignals,
  orderAccessTokenFrom,
  startService,
} from '@shop/platform';
import { loadConfig, queryLimitsOf, rateLimitEnabled, subscriptionLimitsOf } from './config.ts';
import { createRateLimiter, rateLimitMiddleware } from './limits/rate-limit.ts';
import cors from 'cors';
import { persistedQueryCache } from './persisted-queries.ts';
import { loadTrustedDocuments, trustedDocumentsMiddleware } from './trusted-documents.ts';
import express from 'express';
import { limitValidationRules, queryLimitsPlugin } from './limits/query-limits.ts';
import { createGateway } from './gateway.ts';
import { clientAddressOf, trustedProxies } from './client-address.ts';
import { createEntityCaching } from './entity-cache/index.ts';
import { identityPerRequest, type GatewayContext } from './context.ts';
import { redisLiveChannels } from './subscriptions/redis-channels.ts';
import { httpSubscriptionsRefused, startSubscriptionServer } from './subscriptions/ws-server.ts';

const config = loadConfig();
const log = createLogger('gateway', config.LOG_LEVEL);
const metrics = createMetrics('gateway');
const verify = createTokenVerifier(config);
const identityOf = identityPerRequest(verify);
const trustProxy = trustedProxies(config.GATEWAY_TRUSTED_PROXIES);
const entityCaching = config.GATEWAY_ENTITY_CACHE_ENABLED ? createEntityCaching(config, log, metrics.registry) : undefined;
const { gateway, isLoaded, closeSubgraphCalls } = createGateway(config, log, metrics.registry, entityCaching);
let apiSchema: GraphQLSchema | undefined;
gateway.onSchemaLoadOrUpdate(({ apiSchema: schema, coreSupergraphSdl }) => {
  // The entity cache's @cacheControl hints travel in the supergraph (composed with @composeDirective).
  entityCaching?.onSupergraph(coreSupergraphSdl);
  // Decimal and DateTime get the subgraphs' checks here, so a bad value is a 400 before any subgraph call.
  checkCustomScalars(schema);
  apiSchema = schema;
});
// Shared by every gateway process: APQ hashes, rate-limit counters and the live-update channels.
const redis = createRedis(config.REDIS_URL, log, 'gateway');
const trusted = config.GATEWAY_TRUSTED_DOCUMENTS ? loadTrustedDocuments(config.GATEWAY_TRUSTED_DOCUMENTS_PATH) : undefined;
// Depth and aliases: for the WebSocket's validation; over HTTP queryLimitsPlugin checks them (Apollo
// would answer a validation rule's error as GRAPHQL_VALIDATION_FAILED, not QUERY_LIMIT_EXCEEDED).
const validationRules = config.GATEWAY_LIMITS_ENABLED ? limitValidationRules(queryLimitsOf(config)) : [];
const rateLimiter = rateLimitEnabled(config)
  ? createRateLimiter(
      redis,
      { ipPoints: config.GATEWAY_RATE_LIMIT_IP, userPoints: config.GATEWAY_RATE_LIMIT_USER, windowSeconds: config.GATEWAY_RATE_LIMIT_WINDOW_SECONDS },
      log,
    )
  : undefined;
let subscriptions: ReturnType<typeof startSubscriptionServer> | undefined;
const channels = redisLiveChannels(config.REDIS_URL, redis, log, () => subscriptions?.refreshAll());
// Not a readiness check: queries do not need it, and a gateway without it still serves them.
new Gauge({
  name: 'gateway_live_updates_up',
  help: '1 while the live-update listener is connected to Redis',
  registers: [metrics.registry],
  collect() {
    this.set(channels.isUp() ? 1 : 0);
  },
});

try {
  const service = await startService<GatewayContext>({
    name: 'gateway',
    host: config.HOST,
    port: config.GATEWAY_PORT,
    portEnvVar: 'GATEWAY_PORT',
    graph: { gateway },
    production: config.NODE_ENV === 'production',
    log,
    metrics,
    bodyLimit: config.GATEWAY_BODY_LIMIT,
    plugins: [
      ...(config.GATEWAY_LIMITS_ENABLED ? [queryLimitsPlugin(queryLimitsOf(config))] : []),
      httpSubscriptionsRefused(),
      // Stop: close every WebSocket (1001) while the HTTP server drains.
      { serverWillStart: async () => ({ drainServer: async () => void (await subscriptions?.dispose()) }) },
    ],
    ...(config.GATEWAY_LIMITS_ENABLED ? { maxTokens: config.GATEWAY_MAX_TOKENS } : {}),
    // An invalid or expired token is refused (401) before any subgraph is called; no token is a guest.
    buildContext: async ({ req, requestId }) => ({
      identity: await identityOf(req),
      requestId,
      clientAddress: req.ip ?? 'unknown',
      orderAccessToken: orderAccessTokenFrom(req.headers),
    }),
    readiness: {
      supergraph: async () => {
        if (!isLoaded()) throw new Error('supergraph not loaded');
      },
    },
    closers: [() => channels.close(), () => redis.quit(), async () => entityCaching?.close(), closeSubgraphCalls],
    persistedQueries: { cache: persistedQueryCache(redis, log), ttl: 24 * 3600 },
    routes: (app) => {
      // req.ip (rate limits, x-client-address) is the client behind the trusted proxies, as for WebSockets.
      app.set('trust proxy', trustProxy);
      // Browsers may call from the configured origins only; Apollo's CSRF prevention stays on.
      app.use('/graphql', cors({ origin: config.GATEWAY_CORS_ORIGINS, credentials: true, maxAge: 600 }));
      if (trusted) app.use('/graphql', express.json({ limit: config.GATEWAY_BODY_LIMIT }), trustedDocumentsMiddleware(trusted));
      if (rateLimiter) app.use('/graphql', rateLimitMiddleware(rateLimiter, identityOf));
      app.get('/health', (_req, res) => void res.status(isLoaded() ? 200 : 503).json({ status: isLoaded() ? 'ok' : 'loading' }));
    },
    // Subscriptions: graphql-transport-ws on the same /graphql URL.
    onHttpServer: (httpServer, apollo) => {
      subscriptions = startSubscriptionServer({
        httpServer,
        apollo,
        schema: () => apiSchema,
        verify,
        listen: channels.listen,
        log,
        registry: metrics.registry,
        limits: subscriptionLimitsOf(config),
        validationRules,
        ...(trusted ? { trusted } : {}),
        ...(rateLimiter ? { rateLimiter } : {}),
        clientAddressOf: (request) => clientAddressOf(request, trustProxy),
        production: config.NODE_ENV === 'production',
      });
    },
  });
  exitOnSignals(service.stop, log);
} catch (error) {
  process.stderr.write(`gateway failed to start: ${(error as Error).message}\n`);
  process.exit(1);
}
