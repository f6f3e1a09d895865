import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { ApolloServer, type ApolloServerPlugin, type BaseContext, type PersistedQueryOptions } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GatewayInterface } from '@apollo/server-gateway-interface';
import type { GraphQLSchema, ValidationRule } from 'graphql';
import type { Logger } from './logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { readinessHandler, type ReadinessCheck } from './health.ts';
import { metricsPlugin, errorLoggingPlugin, retryAfterPlugin } from './apollo-plugins.ts';
import { httpErrorHandler } from './http-errors.ts';
import { inputGuardPlugin } from './input-guard.ts';
import { requestStopPlugin } from './request-stop.ts';
import { maskError } from './errors.ts';
import { flushTracing, tracingStarted } from './tracing/context.ts';
import { tracingEnabled } from './tracing/config.ts';
import { currentRequestId, REQUEST_ID_HEADER, requestIdFrom, withRequestId } from './request-context.ts';

export interface ServiceOptions<TContext extends BaseContext> {
  name: string;
  host: string;
  port: number;
  /** Named in the "port in use" message, e.g. CATALOG_PORT. */
  portEnvVar: string;
  graph: { schema: GraphQLSchema } | { gateway: GatewayInterface };
  production: boolean;
  log: Logger;
  metrics?: Metrics;
  buildContext: (args: { req: express.Request; res: express.Response; requestId: string }) => Promise<TContext>;
  readiness: Record<string, ReadinessCheck>;
  /** Reported on /health/ready but not required to be ready (the process degrades without them). */
  optionalDependencies?: Record<string, ReadinessCheck>;
  /** Closed in order after the HTTP server has drained: pools, brokers, caches. */
  closers?: Array<() => Promise<unknown>>;
  plugins?: ApolloServerPlugin<TContext>[];
  /** Extra routes registered before /graphql (the gateway adds /health). */
  routes?: (app: express.Express) => void;
  /**
   * Called with the HTTP server before it listens (the gateway attaches its WebSocket server and
   * runs each subscription event as an operation on `apollo`).
   */
  onHttpServer?: (server: http.Server, apollo: ApolloServer<TContext>) => void;
  bodyLimit?: string;
  /** Extra validation rules (the gateway's depth and alias limits). */
  validationRules?: ValidationRule[];
  /** Parser limits: `maxTokens` refuses an oversized document while parsing it (HTTP 400). */
  maxTokens?: number;
  /** Automatic persisted queries (the gateway stores the hashes in Redis). */
  persistedQueries?: PersistedQueryOptions | false;
}

export interface RunningService {
  url: string;
  port: number;
  httpServer: http.Server;
  stop: () => Promise<void>;
}

/**
 * Apollo Server 5 on a plain HTTP server with /health/live, /health/ready and /metrics.
 * stop() stops accepting, drains in-flight requests, then runs the closers.
 */
export async function startService<TContext extends BaseContext>(options: ServiceOptions<TContext>): Promise<RunningService> {
  const { log, production } = options;
  if (tracingEnabled() && !tracingStarted()) {
    log.warn(
      'OTEL_EXPORTER_OTLP_ENDPOINT is set but tracing did not start: run node with --import @shop/platform/tracing-register (e.g. in NODE_OPTIONS)',
    );
  }
  const metrics = options.metrics ?? createMetrics(options.name);
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  let shuttingDown = false;

  app.use((req, res, next) => {
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    // Stopped when the caller hangs up before the answer is sent: its remaining work is wasted.
    const stop = new AbortController();
    res.once('close', () => void (res.writableFinished || stop.abort()));
    res.locals.requestId = requestId;
    res.locals.stop = stop;
    res.setHeader(REQUEST_ID_HEADER, requestId);
    withRequestId(requestId, next, stop);
  });
  // One access-log line per request (probes excluded), stamped with the request id by the logger.
  app.use((req, res, next) => {
    if (req.path.startsWith('/health') || req.path === '/metrics') return next();
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const fields = { requestId: res.locals.requestId as string, method: req.method, path: req.originalUrl, status: res.statusCode };
      log.info({ ...fields, ms: Math.round(ms * 10) / 10 }, 'request');
    });
    next();
  });
  app.get('/health/live', (_req, res) => void res.json({ status: 'live' }));
  app.get(
    '/health/ready',
    readinessHandler(options.readiness, () => shuttingDown, options.optionalDependencies),
  );
  app.get('/metrics', async (_req, res) => {
    res.setHeader('content-type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  options.routes?.(app);

  const apollo = new ApolloServer<TContext>({
    ...options.graph,
    introspection: !production,
    includeStacktraceInErrorResponses: false,
    validationRules: options.validationRules ?? [],
    ...(options.maxTokens ? { parseOptions: { maxTokens: options.maxTokens } } : {}),
    ...(options.persistedQueries !== undefined ? { persistedQueries: options.persistedQueries } : {}),
    // Production hides "did you mean" hints that reveal schema names.
    hideSchemaDetailsFromClientErrors: production,
    formatError: (formatted, error) => maskError(formatted, currentRequestId(), error),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }),
      metricsPlugin(metrics) as ApolloServerPlugin<TContext>,
      errorLoggingPlugin(log) as ApolloServerPlugin<TContext>,
      inputGuardPlugin() as ApolloServerPlugin<TContext>,
      retryAfterPlugin() as ApolloServerPlugin<TContext>,
      requestStopPlugin() as ApolloServerPlugin<TContext>,
      // No Apollo Studio here: subgraphs do not need to compute federated traces.
      ...('schema' in options.graph ? [ApolloServerPluginInlineTraceDisabled()] : []),
      ...(options.plugins ?? []),
    ],
  });
  await apollo.start();
  app.use(
    '/graphql',
    express.json({ limit: options.bodyLimit ?? '1mb' }),
    // The body parser's stream callbacks run outside the request's async context: re-enter it.
    (_req: express.Request, res: express.Response, next: express.NextFunction) =>
      withRequestId(res.locals.requestId as string, next, res.locals.stop as AbortController),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => options.buildContext({ req, res, requestId: res.locals.requestId as string }),
    }),
  );
  // Last: a body that is not JSON, too large, or anything else thrown outside GraphQL answers as GraphQL JSON.
  app.use(httpErrorHandler(log));
  options.onHttpServer?.(httpServer, apollo);

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(new Error(`Port ${options.port} is already in use (set ${options.portEnvVar} to use another)`));
      } else reject(error);
    });
    httpServer.listen(options.port, options.host, resolve);
  });
  const port = (httpServer.address() as AddressInfo).port;
  const url = `http://${options.host}:${port}/graphql`;
  log.info({ url }, `${options.name} ready`);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      shuttingDown = true;
      log.info(`${options.name} stopping: draining requests`);
      await apollo.stop();
      for (const close of options.closers ?? []) {
        try {
          await close();
        } catch (error) {
          log.warn({ err: error }, 'error while closing a resource');
        }
      }
      log.info(`${options.name} stopped`);
    })());
  return { url, port, httpServer, stop };
}

/** SIGINT/SIGTERM: graceful stop, then exit. A second signal, or a stuck drain, forces the exit. */
export function exitOnSignals(stop: () => Promise<void>, log: Logger, forceAfterMs = 10_000): void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(1);
    signalled = true;
    log.info({ signal }, 'shutdown requested');
    setTimeout(() => {
      log.error('graceful shutdown timed out; exiting');
      process.exit(1);
    }, forceAfterMs).unref();
    // Spans still batched leave before the exit (nothing to do with tracing off).
    stop()
      .then(flushTracing)
      .then(
        () => process.exit(0),
        (error) => {
          log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
