import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { getFreePort, startNats, startRedis, type RunningRedis } from '@shop/platform/stack';
import { signDevToken, type Role } from '@shop/platform';
import {
  prepareDatabases,
  startExtraProcess,
  startSupergraph,
  subgraphNames,
  jwksUrlOf,
  type RunningSupergraph,
} from '../../scripts/lib/supergraph-processes.ts';
import { createTestDatabase } from './databases.ts';
import { startTestSmtpServer, type TestSmtpServer } from './smtp.ts';

export const DEMO_CUSTOMER = 'c0ffee00-0000-4000-8000-000000000001';
export const DEMO_ORDER = '00000000-0000-4000-8000-00000000a001';

export interface TestSupergraph extends RunningSupergraph {
  logDir: string;
  /** This stack's own Redis (tests may stop and restart it) and NATS. */
  redis: RunningRedis;
  natsUrl: string;
  /** Fault tests: kill NATS, then start it again on the same port and data dir (streams survive). */
  nats: { kill: () => Promise<void>; restart: () => Promise<void> };
  ports: Record<string, number> & { gateway: number };
  databases: Record<string, string>;
  /** Connection URL of each subgraph's database, by subgraph name. */
  databaseUrls: Record<string, string>;
  /** This stack's SMTP server (SMTP_URL): every email the account subgraph sends arrives here. */
  mail: TestSmtpServer;
}

export interface TestSupergraphOptions {
  /** Admin URL of another Postgres server (fault tests restart it); default: the shared test server. */
  postgresUrl?: string;
}

/**
 * The whole supergraph as real processes for one test file: fresh databases on the shared test
 * Postgres, migrated and seeded by the subgraphs' own commands, subgraphs and gateway on free ports.
 */
export async function startTestSupergraph(
  extraEnv: Record<string, string> = {},
  { postgresUrl = inject('postgresUrl') }: TestSupergraphOptions = {},
): Promise<TestSupergraph> {
  const names = subgraphNames();
  const databases: Record<string, string> = {};
  const urls: Record<string, string> = {};
  for (const name of names) {
    urls[name] = await createTestDatabase(`e2e_${name}`, postgresUrl);
    databases[name] = new URL(urls[name]).pathname.slice(1);
  }
  // A port is only free until someone binds it: the OS may hand the same one out twice before
  // any of this stack's servers listens, so each is checked against the ones already taken.
  const taken = new Set<number>();
  const freePort = async (): Promise<number> => {
    for (;;) {
      const port = await getFreePort();
      if (taken.has(port)) continue;
      taken.add(port);
      return port;
    }
  };
  const ports = { gateway: await freePort() } as Record<string, number> & { gateway: number };
  for (const name of names) ports[name] = await freePort();
  const logDir = mkdtempSync(join(tmpdir(), 'shop-e2e-logs-'));
  // Own NATS and Redis per stack: JetStream consumers, lookups and pub/sub of two stacks running
  // side by side must not meet. Postgres is shared (each stack has its own databases).
  const natsOptions = { dataDir: join(logDir, 'nats'), port: await freePort(), logFile: join(logDir, 'nats.log') };
  let nats = await startNats(natsOptions);
  const redis = await startRedis({
    dataDir: join(logDir, 'redis'),
    port: await freePort(),
    logFile: join(logDir, 'redis.log'),
    ephemeral: true,
  }).catch(async (error: unknown) => {
    await nats.stop();
    throw error;
  });
  // On a port from the same list: a port-0 server could be handed a port this stack picked but has not bound yet.
  const mail = await startTestSmtpServer({ port: await freePort() }).catch(async (error: unknown) => {
    await Promise.all([nats.stop(), redis.stop()]);
    throw error;
  });
  const adminUrl = new URL(postgresUrl);
  const options = {
    postgresUrl: (database: string) => Object.assign(new URL(adminUrl), { pathname: `/${database}` }).toString(),
    databases,
    redisUrl: redis.url,
    natsUrl: nats.url,
    ports,
    logDir,
    nodeEnv: 'test' as const,
    logLevel: 'info',
    seedArgs: { catalog: ['--products', '60'] },
    extraEnv: { SMTP_URL: mail.url, ...extraEnv },
  };
  let running: RunningSupergraph;
  try {
    await prepareDatabases(options);
    running = await startSupergraph(options);
  } catch (error) {
    // No NATS or Redis left behind by a stack that did not start.
    await Promise.all([nats.stop(), redis.stop(), mail.stop()]);
    throw error;
  }
  const stop = async () => {
    await running.stop();
    await Promise.all([nats.stop(), redis.stop(), mail.stop()]);
  };
  const natsControl = {
    kill: () => nats.kill(),
    restart: async () => {
      await nats.stop();
      nats = await startNats(natsOptions);
    },
  };
  return { ...running, stop, logDir, ports, databases, databaseUrls: urls, redis, natsUrl: nats.url, nats: natsControl, mail };
}

/** A token signed with the published dev key, which the stack's account subgraph lists in its JWKS. */
export const devToken = (sub: string, roles: Role[], expiresIn: string | number = '10m') => signDevToken({ sub, roles, expiresIn });

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: { data?: T | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

/** POST a GraphQL request as a client would. */
export async function gql<T = Record<string, unknown>>(
  url: string,
  query: string,
  { variables, token, headers = {} }: { variables?: Record<string, unknown>; token?: string; headers?: Record<string, string> } = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLResponse<T>['body'] };
}

/**
 * A second gateway process in front of the same subgraphs, with its own settings (production mode,
 * rate limits, trusted documents...). Same Redis as the stack, its own port and log.
 */
export async function startExtraGateway(
  stack: TestSupergraph,
  env: Record<string, string>,
  supergraphPath?: string,
): Promise<{ url: string; stop: () => Promise<void> }> {
  const overrides = Object.fromEntries(Object.entries(stack.subgraphUrls).map(([name, u]) => [`${name.toUpperCase()}_URL`, u]));
  return startExtraProcess({
    name: 'gateway (extra)',
    script: 'gateway/src/index.ts',
    portVar: 'GATEWAY_PORT',
    env: {
      ...overrides,
      REDIS_URL: stack.redis.url,
      JWT_JWKS_URL: jwksUrlOf(stack.ports),
      ...(supergraphPath ? { SUPERGRAPH_PATH: supergraphPath } : {}),
      ...env,
    },
    readyPath: '/health',
  });
}

/** A valid `CheckoutInput` for a cart (one idempotency key per cart and tag). */
export const checkoutInput = (tag: string, cartId: string, paymentToken = 'tok_visa') => ({
  email: `${tag}@example.com`,
  shippingAddress: { name: tag, line1: '1 Main St', city: 'Springfield', postalCode: '12345', countryCode: 'US' },
  paymentToken,
  idempotencyKey: `${tag}-${cartId}`,
});
