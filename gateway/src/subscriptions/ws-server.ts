import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import {
  GraphQLError,
  print,
  type DocumentNode,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import { Counter, Gauge, type Registry } from 'prom-client';
import { GUEST, ServiceUnavailableError, withRequestId, type Identity, type Logger, type TokenVerifier } from '@shop/platform';
import type { GatewayContext } from '../context.ts';
import type { TrustedDocuments } from '../trusted-documents.ts';
import { rateLimitMessage, type RateLimiter } from '../limits/rate-limit.ts';
import { planLiveQuery } from './live-query.ts';
import { acceptUpgrades, addressOfUpgrade, authorizationFrom, ConnectionCounts, orderAccessTokenFrom } from './connections.ts';
import { LiveFeeds, type Listen, type LiveFetch } from './live-feed.ts';
import type { LiveSubscription } from './live-subscription.ts';
import { subscriptionDocuments } from './ws-documents.ts';

export interface SubscriptionLimits {
  subscriptionsPerConnection: number;
  connectionsPerIp: number;
  connectionsPerUser: number;
  /** Largest message a client may send (bytes); bigger closes the socket with 1009. */
  maxMessageBytes: number;
  /** Ping interval; a client that does not answer within one more interval is dropped. */
  keepAliveMs: number;
  maxTokens?: number;
}

export interface SubscriptionServerOptions {
  httpServer: http.Server;
  apollo: ApolloServer<GatewayContext>;
  /** The gateway's current API schema (undefined until the supergraph is loaded). */
  schema: () => GraphQLSchema | undefined;
  verify: TokenVerifier;
  listen: Listen;
  log: Logger;
  registry: Registry;
  limits: SubscriptionLimits;
  /** The same depth and alias limits as HTTP (their errors QUERY_LIMIT_EXCEEDED); cost is checked when each read runs. */
  validationRules: ValidationRule[];
  trusted?: TrustedDocuments;
  /** Each subscribe message draws on the same per-IP / per-user budget as an HTTP request. */
  rateLimiter?: RateLimiter;
  /** The client's address behind trusted proxies (client-address.ts). */
  clientAddressOf: (request: http.IncomingMessage) => string;
  production: boolean;
}

type Extra = {
  socket: WebSocket;
  /** The upgrade request: dropped once connected (its address kept), not held for the socket's life. */
  request: http.IncomingMessage | undefined;
  clientAddress?: string;
  identity?: Identity;
  /** From connection_init (`orderAccessToken`): sent with every read of this connection. */
  orderAccessToken?: string;
  /** Joins the log lines of one connection. */
  connectionId?: string;
  expiryTimer?: NodeJS.Timeout;
};

const POLICY_VIOLATION = 1008;

// A plan's query depends on its document and operation name only (the id stays a variable or literal).
const printed = new WeakMap<DocumentNode, Map<string, string>>();
function printedQuery(document: DocumentNode, operationName: string | null | undefined, query: DocumentNode): string {
  let byName = printed.get(document);
  if (!byName) printed.set(document, (byName = new Map()));
  let text = byName.get(operationName ?? '');
  if (text === undefined) byName.set(operationName ?? '', (text = print(query)));
  return text;
}

/**
 * graphql-transport-ws on the gateway's /graphql. The token comes in connection_init
 * (`authorization`), an order access token as `orderAccessToken`; each subscription is planned as a
 * query (live-query.ts), authorized by running it, and answered again on every change message
 * (live-feed.ts), one read for all subscriptions with the same query, variables and tokens.
 */
export function startSubscriptionServer(options: SubscriptionServerOptions) {
  const { apollo, log, limits, verify } = options;
  const registers = [options.registry];
  const connections = new Gauge({ name: 'gateway_ws_connections', help: 'Open WebSocket connections', registers });
  const feeds = new LiveFeeds(options.listen);
  new Gauge({
    name: 'gateway_subscriptions_active',
    help: 'Running subscriptions',
    registers,
    collect() {
      this.set(feeds.counts().subscriptions);
    },
  });
  new Gauge({
    name: 'gateway_subscription_feeds',
    help: 'Distinct reads behind the running subscriptions',
    registers,
    collect() {
      this.set(feeds.counts().feeds);
    },
  });
  const reads = new Counter({ name: 'gateway_subscription_reads_total', help: 'Reads run to answer subscriptions', registers });
  const refused = new Counter({
    name: 'gateway_ws_refused_total',
    help: 'Connections and subscriptions refused, by reason',
    labelNames: ['reason'] as const,
    registers,
  });
  const perUser = new ConnectionCounts();

  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes });
  acceptUpgrades({
    httpServer: options.httpServer,
    wss,
    perIp: limits.connectionsPerIp,
    addressOf: options.clientAddressOf,
    open: connections,
    refused,
  });

  /** Runs the plan's query as this caller through the gateway, like an HTTP query (its order access token as the header). */
  function fetcherFor(
    { identity, orderAccessToken }: { identity: Identity; orderAccessToken?: string | undefined },
    connectionId: string | undefined,
    query: string,
    variables: Record<string, unknown>,
    operationName?: string | null,
  ): LiveFetch {
    // Set once a read got as far as executing: its checks of this document and variables passed.
    let checked = false;
    return async () => {
      // The connection's expiry timer closes the socket; a read in that very moment is refused.
      if (identity.expiresAt !== undefined && identity.expiresAt <= Date.now())
        return { errors: [{ message: 'Token expired', extensions: { code: 'UNAUTHENTICATED' } }] };
      const requestId = randomUUID();
      reads.inc();
      try {
        const response = await withRequestId(requestId, () =>
          apollo.executeOperation(
            { query, variables, ...(operationName ? { operationName } : {}) },
            {
              contextValue: { identity, requestId, orderAccessToken: orderAccessToken ?? null, liveRead: true, liveRepeat: checked },
            },
          ),
        );
        if (response.body.kind === 'single') {
          if (response.body.singleResult.data != null) checked = true;
          return response.body.singleResult;
        }
        throw new Error('incremental delivery is not used for subscription reads');
      } catch (error) {
        log.error({ err: error, requestId, connectionId }, 'subscription read failed');
        return { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } }] };
      }
    };
  }

  const documentFor = subscriptionDocuments({
    schema: options.schema,
    validationRules: options.validationRules,
    maxTokens: limits.maxTokens,
    trusted: options.trusted,
    production: options.production,
  });

  const server = useServer<Record<string, unknown>, Extra>(
    {
      connectionInitWaitTimeout: 5_000,
      onConnect: async (ctx) => {
        ctx.extra.connectionId = randomUUID();
        ctx.extra.clientAddress = ctx.extra.request ? addressOfUpgrade(ctx.extra.request) : 'unknown';
        // graphql-ws types it read-only; it never reads it again itself.
        (ctx.extra as { request?: http.IncomingMessage }).request = undefined;
        const header = authorizationFrom(ctx.connectionParams);
        ctx.extra.orderAccessToken = orderAccessTokenFrom(ctx.connectionParams);
        try {
          ctx.extra.identity = await verify(header);
        } catch {
          refused.inc({ reason: 'unauthorized' });
          ctx.extra.socket.close(CloseCode.Unauthorized, 'Unauthorized: invalid or expired token');
          return false;
        }
        const sub = ctx.extra.identity.sub;
        if (sub && !perUser.take(sub, limits.connectionsPerUser)) {
          ctx.extra.identity = undefined;
          refused.inc({ reason: 'connections_per_user' });
          ctx.extra.socket.close(POLICY_VIOLATION, `Too many connections for this user (limit ${limits.connectionsPerUser})`);
          return false;
        }
        const expiresAt = ctx.extra.identity.expiresAt;
        if (expiresAt !== undefined) {
          // The token's end is the connection's end; the client reconnects with a fresh token.
          const closeAtExpiry = () => ctx.extra.socket.close(CloseCode.Unauthorized, 'Token expired: reconnect with a fresh one');
          ctx.extra.expiryTimer = setTimeout(closeAtExpiry, Math.min(Math.max(0, expiresAt - Date.now()), 2 ** 31 - 1)).unref();
        }
        return true;
      },
      onClose: (ctx) => {
        clearTimeout(ctx.extra.expiryTimer);
        const sub = ctx.extra.identity?.sub;
        if (sub) perUser.release(sub);
      },
      onSubscribe: async (ctx, id, payload) => {
        if (Object.keys(ctx.subscriptions).length > limits.subscriptionsPerConnection) {
          refused.inc({ reason: 'subscriptions_per_connection' });
          return [
            new GraphQLError(`Too many subscriptions on this connection (limit ${limits.subscriptionsPerConnection})`, {
              extensions: { code: 'SUBSCRIPTION_LIMIT' },
            }),
          ];
        }
        const verdict = await options.rateLimiter?.(ctx.extra.identity ?? GUEST, ctx.extra.clientAddress ?? 'unknown');
        if (verdict && !verdict.allowed) {
          refused.inc({ reason: 'rate_limited' });
          return [
            new GraphQLError(rateLimitMessage(verdict.retryAfterSeconds), {
              extensions: { code: 'RATE_LIMITED', retryAfter: verdict.retryAfterSeconds },
            }),
          ];
        }
        const document = documentFor(payload.query || undefined, payload.extensions ?? undefined);
        if (Array.isArray(document)) return document;
        const variables = payload.variables ?? {};
        const plan = planLiveQuery(document, payload.operationName, variables);
        if (plan instanceof GraphQLError) return [plan];
        const identity = ctx.extra.identity ?? GUEST;
        const { orderAccessToken } = ctx.extra;
        const caller = { identity, orderAccessToken };
        const { connectionId } = ctx.extra;
        const pending = plan.field.pending;
        const mayWait = async () => {
          if (!pending || !(identity.sub || (pending.who === 'signed-in-or-access-token' && orderAccessToken))) return false;
          const answer = await fetcherFor(caller, connectionId, pending.query, { id: plan.id })();
          return Object.values(answer.data ?? {}).some((value) => value !== null);
        };
        // Printed once per document: every read sends this text (Apollo keys its parsed-document cache by it).
        const query = printedQuery(document, payload.operationName, plan.query);
        // Same tokens, query and variables: the same answer, so one read serves them all.
        const key = JSON.stringify([identity.token, orderAccessToken ?? null, query, variables]);
        let subscription: LiveSubscription | GraphQLError[];
        try {
          subscription = await feeds.subscribe(key, plan, fetcherFor(caller, connectionId, query, variables, payload.operationName), mayWait);
        } catch (error) {
          log.warn({ err: error }, 'live updates unavailable (Redis)');
          return [new ServiceUnavailableError('Live updates are unavailable right now; retry shortly')];
        }
        if (Array.isArray(subscription)) return subscription;
        log.info(
          { connectionId: ctx.extra.connectionId, subscriptionId: id, field: plan.field.queryField, objectId: plan.id, sub: ctx.extra.identity?.sub },
          'subscription started',
        );
        return {
          schema: options.schema()!,
          document,
          variableValues: variables,
          operationName: payload.operationName ?? null,
          rootValue: subscription,
        };
      },
      // onSubscribe already started it: hand graphql-ws the iterator to drain.
      subscribe: (args) => args.rootValue as AsyncIterable<ExecutionResult>,
      // Results are already formatted (masked by the gateway's formatError): send them as they are.
      onNext: (_ctx, _id, _payload, _args, result) => result as FormattedExecutionResult,
    },
    wss,
    limits.keepAliveMs,
  );
  return {
    /** Redis came back: messages may have been lost while it was away, so every subscription refetches. */
    refreshAll: () => feeds.refreshAll(),
    /** Closes every socket (1001 going away); subscriptions release their channels. */
    dispose: () => server.dispose(),
  };
}

/** A subscription sent over HTTP gets a clear pointer to the WebSocket, before any planning. */
export function httpSubscriptionsRefused(): ApolloServerPlugin<GatewayContext> {
  return {
    requestDidStart: async () => ({
      didResolveOperation: async ({ operation }) => {
        if (operation?.operation === 'subscription') {
          throw new GraphQLError('Subscriptions run over WebSocket: connect with graphql-ws (graphql-transport-ws) to this same /graphql URL', {
            extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
          });
        }
      },
    }),
  };
}
