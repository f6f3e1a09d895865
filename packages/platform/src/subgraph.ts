import { Kind, parse, Source, type DocumentNode, type GraphQLSchema } from 'graphql';
import { buildSubgraphSchema, type GraphQLResolverMap } from '@apollo/subgraph';
import type { BaseContext } from '@apollo/server';
import type { IncomingHttpHeaders } from 'node:http';
import type { Express } from 'express';
import type { IRules } from 'graphql-shield';
import type { EntityManager, Options } from '@mikro-orm/postgresql';
import { protectSchema } from './auth-rules.ts';
import { subgraphSdlSources } from './shared-sdl.ts';
import { stopWorkOfLostRequests } from './request-stop.ts';
import { createTokenVerifier, type Identity, type JwtSettings } from './auth.ts';
import { createLogger, type Logger } from './logger.ts';
import { connectOrm, type MikroORM } from './orm.ts';
import { connectNats, ensureStreams, natsReady, type NatsConnection } from './nats.ts';
import { streamDeclarations } from './events/streams.ts';
import { startOutboxRelay, type OutboxRelay } from './events/outbox.ts';
import { startInboxPurge } from './events/retention.ts';
import { createRedis, redisReady, type Redis } from './redis.ts';
import { exitOnSignals, startService, type RunningService } from './server.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { registerEventMetrics } from './business-metrics.ts';
import { createOrderChangedPublisher } from './events/live-updates.ts';
import { traceRootFields } from './tracing/resolvers.ts';

export interface SubgraphSettings extends JwtSettings {
  NODE_ENV: 'development' | 'test' | 'production';
  LOG_LEVEL: string;
  HOST: string;
  REDIS_URL: string;
  NATS_URL: string;
  /** JetStream replicas per stream (default 1). */
  NATS_STREAM_REPLICAS?: number;
}

export interface SubgraphDeps {
  orm: MikroORM;
  nc: NatsConnection;
  redis: Redis;
  log: Logger;
  /** Publishes this subgraph's committed outbox events; `notify()` after a commit sends them at once. */
  outbox: OutboxRelay;
  /** The process's Prometheus registry (served on /metrics): register domain counters here. */
  metrics: Metrics;
}

/**
 * A part made once per subgraph process from its deps (a publisher, a provider), the same one for
 * the background workers and every request's context, whichever asks first.
 */
export function perDeps<T>(make: (deps: SubgraphDeps) => T): (deps: SubgraphDeps) => T {
  const made = new WeakMap<SubgraphDeps, T>();
  return (deps) => {
    if (!made.has(deps)) made.set(deps, make(deps));
    return made.get(deps)!;
  };
}

/** Order and payment: `orderChanged(deps)(orderId)` tells live order views after a committed change. */
export const orderChanged = perDeps((deps) => createOrderChangedPublisher(deps.redis, deps.log, deps.metrics.registry));

export interface SubgraphOptions<TContext extends BaseContext> {
  name: string;
  settings: SubgraphSettings;
  port: number;
  portEnvVar: string;
  /** URL of the subgraph's schema.graphql (SDL first). */
  schemaFile: URL;
  resolvers: unknown;
  permissions: IRules;
  orm: Options;
  /**
   * Per request: build the context from the request's EntityManager (the one fork made for it here;
   * transactions fork again inside the unit of work) and the verified identity.
   */
  context: (args: { em: EntityManager; identity: Identity; requestId: string; deps: SubgraphDeps; headers: IncomingHttpHeaders }) => TContext;
  /** Extra HTTP routes next to /graphql (the account subgraph serves its JWKS). */
  routes?: (app: Express, deps: SubgraphDeps) => void;
  /** Background work (outbox relay, consumers) started once dependencies are up; returns its stopper. */
  background?: (deps: SubgraphDeps) => Promise<Array<() => Promise<void>>>;
}

export interface RunningSubgraph extends RunningService {
  deps: SubgraphDeps;
}

/** The subgraph's own SDL file joined with the shared types (each part parsed as its own source). */
export function subgraphTypeDefs(schemaFile: URL): DocumentNode {
  const documents = subgraphSdlSources(schemaFile).map((source) => parse(new Source(source.body, source.name)));
  return { kind: Kind.DOCUMENT, definitions: documents.flatMap((document) => document.definitions) };
}

/**
 * A subgraph's executable schema: its SDL file, its resolvers, guarded by graphql-shield. The one
 * way to build it, so tests that execute GraphQL in-process run exactly what the server serves.
 */
export function guardedSubgraphSchema(schemaFile: URL, resolvers: unknown, permissions: IRules): GraphQLSchema {
  const typeDefs = subgraphTypeDefs(schemaFile);
  // The generated resolver types are checked where they are written; here they are opaque.
  return traceRootFields(
    stopWorkOfLostRequests(protectSchema(buildSubgraphSchema([{ typeDefs, resolvers: resolvers as GraphQLResolverMap }]), permissions)),
  );
}

/**
 * Start-up shared by every subgraph: config → Postgres (with retries) → NATS → Redis → schema
 * guarded by graphql-shield → HTTP server. The caller's identity is verified here from the
 * forwarded bearer token; subgraphs never trust an unverifiable identity header.
 */
export async function startSubgraph<TContext extends BaseContext>(options: SubgraphOptions<TContext>): Promise<RunningSubgraph> {
  const { settings } = options;
  const log = createLogger(options.name, settings.LOG_LEVEL);
  const orm = await connectOrm(options.orm, log);
  const nc = await connectNats(settings.NATS_URL, options.name, log);
  const redis = createRedis(settings.REDIS_URL, log, options.name);
  // The stream topology is declared in code; every subgraph makes sure it exists before it publishes.
  await ensureStreams(nc, streamDeclarations(settings.NATS_STREAM_REPLICAS));
  const outbox = startOutboxRelay({ em: orm.em, nc, log });
  const metrics = createMetrics(options.name);
  registerEventMetrics(metrics.registry, orm.em);
  const deps: SubgraphDeps = { orm, nc, redis, log, outbox, metrics };
  const verify = createTokenVerifier(settings);

  const schema = guardedSubgraphSchema(options.schemaFile, options.resolvers, options.permissions);
  const stopBackground = (await options.background?.(deps)) ?? [];
  // Every subgraph consumes events: its inbox rows go once no stream can deliver their message again.
  const stopInboxPurge = startInboxPurge(orm.em, log);

  const service = await startService<TContext>({
    name: options.name,
    host: settings.HOST,
    port: options.port,
    portEnvVar: options.portEnvVar,
    graph: { schema },
    production: settings.NODE_ENV === 'production',
    log,
    metrics,
    buildContext: async ({ req, requestId }) =>
      options.context({ em: orm.em.fork(), identity: await verify(req.headers.authorization), requestId, deps, headers: req.headers }),
    ...(options.routes ? { routes: (app: Express) => options.routes!(app, deps) } : {}),
    readiness: {
      postgres: async () => {
        const status = await orm.checkConnection();
        if (!status.ok) throw new Error(status.reason ?? 'not connected');
      },
    },
    // Without Redis the cart reads Postgres; without NATS events wait in the outbox and the cart
    // prices from its snapshot: degraded, still serving.
    optionalDependencies: { redis: () => redisReady(redis), nats: () => natsReady(nc) },
    closers: [...stopBackground, stopInboxPurge, () => outbox.stop(), () => nc.drain(), () => redis.quit(), () => orm.close()],
  });
  return { ...service, deps };
}

/** Entry-point helper: start, install signal handlers, and exit 1 with a message on failure. */
export async function runSubgraph<TContext extends BaseContext>(options: SubgraphOptions<TContext>): Promise<RunningSubgraph> {
  try {
    const running = await startSubgraph(options);
    exitOnSignals(running.stop, running.deps.log);
    return running;
  } catch (error) {
    process.stderr.write(`${options.name} failed to start: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
