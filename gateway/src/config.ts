import { z } from 'zod';
import {
  clientAddressEnvModel,
  commonEnvModel,
  envFields,
  loadEnv,
  refuseDevClientAddressSecretInProduction,
  refuseDevSecretInProduction,
} from '@shop/platform';

const optionalUrl = z.string().url().optional();

/** The env model (exported for the deployment tests that check compose and Kubernetes env against it). */
export const model = refuseDevSecretInProduction(
  z.object({
    ...commonEnvModel,
    GATEWAY_PORT: envFields.port(4000),
    /** Proxies whose X-Forwarded-For names the client (client-address.ts); empty: the socket's peer is the client. */
    GATEWAY_TRUSTED_PROXIES: z.string().default(''),
    /** Signs the client address passed to the subgraphs (the account subgraph holds the same value). */
    ...clientAddressEnvModel,
    /** Composed supergraph; the gateway reloads it when the file changes. */
    SUPERGRAPH_PATH: z.string().default(new URL('../../schema/supergraph.graphql', import.meta.url).pathname),
    /** Per-subgraph URL overrides of the supergraph's routing URLs (from rover.yaml). */
    CATALOG_URL: optionalUrl,
    CART_URL: optionalUrl,
    ORDER_URL: optionalUrl,
    PAYMENT_URL: optionalUrl,
    ACCOUNT_URL: optionalUrl,
    /** Upper bound for one subgraph call. */
    SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
    /** Query limits, checked before any subgraph is called (over a limit: HTTP 400 naming it). */
    GATEWAY_LIMITS_ENABLED: envFields.bool(true),
    GATEWAY_MAX_DEPTH: z.coerce.number().int().positive().default(12),
    GATEWAY_MAX_ALIASES: z.coerce.number().int().nonnegative().default(15),
    GATEWAY_MAX_TOKENS: z.coerce.number().int().positive().default(3000),
    GATEWAY_MAX_COST: z.coerce.number().int().positive().default(20_000),
    GATEWAY_DEFAULT_LIST_SIZE: z.coerce.number().int().positive().default(20),
    /** Rate limits per IP (anonymous) and per user (signed in); on by default in production only. */
    GATEWAY_RATE_LIMIT_ENABLED: z.enum(['true', 'false', '1', '0']).optional(),
    GATEWAY_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().positive().default(60),
    GATEWAY_RATE_LIMIT_IP: z.coerce.number().int().positive().default(600),
    GATEWAY_RATE_LIMIT_USER: z.coerce.number().int().positive().default(1200),
    /** Browser origins allowed to call the API (comma-separated); empty: none (same-origin tools still work). */
    GATEWAY_CORS_ORIGINS: z
      .string()
      .default('http://localhost:3000,http://127.0.0.1:3000,https://studio.apollographql.com')
      .transform((v) =>
        v
          .split(',')
          .map((o) => o.trim())
          .filter(Boolean),
      ),
    /** Trusted-documents mode: only operations from the manifest (pnpm schema:manifest) run. Off by default. */
    GATEWAY_TRUSTED_DOCUMENTS: envFields.bool(false),
    GATEWAY_TRUSTED_DOCUMENTS_PATH: z.string().default(new URL('../../schema/trusted-documents.json', import.meta.url).pathname),
    /** Subscriptions (WebSocket on /graphql): per-connection and per-client limits, message cap, pings. */
    GATEWAY_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().positive().default(20),
    GATEWAY_WS_MAX_CONNECTIONS_PER_IP: z.coerce.number().int().positive().default(200),
    GATEWAY_WS_MAX_CONNECTIONS_PER_USER: z.coerce.number().int().positive().default(10),
    GATEWAY_WS_MAX_MESSAGE_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(64 * 1024),
    GATEWAY_WS_KEEPALIVE_MS: z.coerce.number().int().positive().default(12_000),
    /** Identical query fetches to a subgraph in flight at the same time share one call (subgraph-dedup.ts). */
    GATEWAY_DEDUP_ENABLED: envFields.bool(true),
    /** Entity cache (gateway/src/entity-cache/): `_entities` answers kept in Redis per the subgraphs' @cacheControl hints. */
    GATEWAY_ENTITY_CACHE_ENABLED: envFields.bool(true),
    GATEWAY_ENTITY_CACHE_PREFIX: z.string().default('gw:entity:'),
    /** Its Redis; unset: REDIS_URL (the one of the rate limits and APQ). */
    GATEWAY_ENTITY_CACHE_REDIS_URL: optionalUrl,
    /** Upper bound for one cache command: past it the request fetches as without a cache. */
    GATEWAY_ENTITY_CACHE_TIMEOUT_MS: z.coerce.number().int().positive().default(250),
    /** Request body size limit (express body parser syntax). */
    GATEWAY_BODY_LIMIT: z.string().default('100kb'),
  }),
).superRefine(refuseDevClientAddressSecretInProduction);

export type GatewayConfig = z.infer<typeof model>;

/** Explicit setting wins; otherwise on in production, off elsewhere (so local benchmarks are not throttled). */
export const rateLimitEnabled = (config: GatewayConfig) =>
  config.GATEWAY_RATE_LIMIT_ENABLED === undefined ? config.NODE_ENV === 'production' : ['true', '1'].includes(config.GATEWAY_RATE_LIMIT_ENABLED);

export const queryLimitsOf = (config: GatewayConfig) => ({
  maxDepth: config.GATEWAY_MAX_DEPTH,
  maxAliases: config.GATEWAY_MAX_ALIASES,
  maxTokens: config.GATEWAY_MAX_TOKENS,
  maxCost: config.GATEWAY_MAX_COST,
  defaultListSize: config.GATEWAY_DEFAULT_LIST_SIZE,
});
export const subscriptionLimitsOf = (config: GatewayConfig) => ({
  subscriptionsPerConnection: config.GATEWAY_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION,
  connectionsPerIp: config.GATEWAY_WS_MAX_CONNECTIONS_PER_IP,
  connectionsPerUser: config.GATEWAY_WS_MAX_CONNECTIONS_PER_USER,
  maxMessageBytes: config.GATEWAY_WS_MAX_MESSAGE_BYTES,
  keepAliveMs: config.GATEWAY_WS_KEEPALIVE_MS,
  ...(config.GATEWAY_LIMITS_ENABLED ? { maxTokens: config.GATEWAY_MAX_TOKENS } : {}),
});
export const loadConfig = (source?: Record<string, string | undefined>): GatewayConfig => loadEnv(model, source);

/** The override for a subgraph named in the supergraph, if one is configured. */
export function subgraphUrlOverride(config: GatewayConfig, name: string): string | undefined {
  const key = `${name.toUpperCase()}_URL` as 'CATALOG_URL' | 'CART_URL' | 'ORDER_URL' | 'PAYMENT_URL' | 'ACCOUNT_URL';
  return config[key];
}
