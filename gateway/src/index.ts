import { createLogger, createRedis, createTokenVerifier, exitOnSignals, startService } from '@shop/platform';
import { loadConfig, queryLimitsOf, rateLimitEnabled } from './config.ts';
import { rateLimitMiddleware } from './limits/rate-limit.ts';
import cors from 'cors';
import { persistedQueryCache } from './persisted-queries.ts';
import { trustedDocumentsMiddleware } from './trusted-documents.ts';
import express from 'express';
import { limitValidationRules, queryLimitsPlugin } from './limits/query-limits.ts';
import { createGateway } from './gateway.ts';
import type { GatewayContext } from './context.ts';

const config = loadConfig();
const log = createLogger('gateway', config.LOG_LEVEL);
const verify = createTokenVerifier(config);
const { gateway, isLoaded } = createGateway(config, log);
// Shared by every gateway process: APQ hashes and rate-limit counters.
const redis = createRedis(config.REDIS_URL, log, 'gateway');

try {
  const service = await startService<GatewayContext>({
    name: 'gateway',
    host: config.HOST,
    port: config.GATEWAY_PORT,
    portEnvVar: 'GATEWAY_PORT',
    graph: { gateway },
    production: config.NODE_ENV === 'production',
    log,
    bodyLimit: config.GATEWAY_BODY_LIMIT,
    validationRules: config.GATEWAY_LIMITS_ENABLED ? limitValidationRules(queryLimitsOf(config)) : [],
    plugins: config.GATEWAY_LIMITS_ENABLED ? [queryLimitsPlugin(queryLimitsOf(config))] : [],
    ...(config.GATEWAY_LIMITS_ENABLED ? { maxTokens: config.GATEWAY_MAX_TOKENS } : {}),
    // An invalid or expired token is refused (401) before any subgraph is called; no token is a guest.
    buildContext: async ({ req, requestId }) => ({ identity: await verify(req.headers.authorization), requestId }),
    readiness: {
      supergraph: async () => {
        if (!isLoaded()) throw new Error('supergraph not loaded');
      },
    },
    closers: [() => redis.quit()],
    persistedQueries: { cache: persistedQueryCache(redis, log), ttl: 24 * 3600 },
    routes: (app) => {
      // Browsers may call from the configured origins only; Apollo's CSRF prevention stays on.
      app.use('/graphql', cors({ origin: config.GATEWAY_CORS_ORIGINS, credentials: true, maxAge: 600 }));
      if (config.GATEWAY_TRUSTED_DOCUMENTS) {
        app.use('/graphql', express.json({ limit: config.GATEWAY_BODY_LIMIT }), trustedDocumentsMiddleware(config.GATEWAY_TRUSTED_DOCUMENTS_PATH));
      }
      if (rateLimitEnabled(config)) {
        const settings = { ipPoints: config.GATEWAY_RATE_LIMIT_IP, userPoints: config.GATEWAY_RATE_LIMIT_USER, windowSeconds: config.GATEWAY_RATE_LIMIT_WINDOW_SECONDS };
        app.use('/graphql', rateLimitMiddleware(redis, verify, settings, log));
      }
      app.get('/health', (_req, res) => void res.status(isLoaded() ? 200 : 503).json({ status: isLoaded() ? 'ok' : 'loading' }));
    },
  });
  exitOnSignals(service.stop, log);
} catch (error) {
  process.stderr.write(`gateway failed to start: ${(error as Error).message}\n`);
  process.exit(1);
}
