/**
 * The dev stack in one command (run through ./scripts/dev, which bootstraps Node and packages):
 * Postgres, Redis and NATS from the machine's packages with data under .data/, one database per
 * subgraph, migrations, demo seed, the four subgraphs and the gateway. Ctrl-C stops everything.
 * `--reset` wipes .data/ first.
 */
import { chmodSync, existsSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { envFields, loadEnv, signDevToken } from '@shop/platform';
import { assertPortFree, ensureDatabases, findStackTools, startNats, startPostgres, startRedis } from '@shop/platform/stack';
import { DATABASES, prepareDatabases, startSupergraph, subgraphNames } from './lib/supergraph-processes.ts';
import { describeMail, startMailSink } from './lib/mail-sink.ts';
import { repoRoot } from './schema/subgraphs.ts';
import { DEMO_CUSTOMER, DEV_ADMIN } from '../subgraphs/account/src/data/seed-data.ts';

const { values } = parseArgs({
  options: {
    reset: { type: 'boolean', default: false },
    /** Demo catalog size (the benchmarks load 100000). */
    products: { type: 'string', default: '500' },
    /** Where servers keep their data; tests point it at a temp dir so they never touch .data/. */
    'data-dir': { type: 'string', default: join(repoRoot, '.data') },
  },
});
const env = loadEnv(
  z.object({
    POSTGRES_PORT: envFields.port(5432),
    REDIS_PORT: envFields.port(6379),
    NATS_PORT: envFields.port(4222),
    /** The local mail sink (SMTP_URL of the account subgraph). */
    SMTP_PORT: envFields.port(2525),
    GATEWAY_PORT: envFields.port(4000),
    CATALOG_PORT: envFields.port(4001),
    CART_PORT: envFields.port(4002),
    ORDER_PORT: envFields.port(4003),
    PAYMENT_PORT: envFields.port(4004),
    ACCOUNT_PORT: envFields.port(4005),
    LOG_LEVEL: envFields.logLevel(),
    JWT_ISSUER: z.string().default('shop-dev'),
    JWT_AUDIENCE: z.string().default('shop-api'),
  }),
);

const dataDir = values['data-dir'];
const logDir = join(dataDir, 'logs');
const started = Date.now();
const step = (message: string) => console.log(`\x1b[1m==>\x1b[0m ${message} \x1b[2m(${((Date.now() - started) / 1000).toFixed(1)} s)\x1b[0m`);
const stops: Array<() => Promise<void>> = [];
let stopping = false;

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    step('Stopping every process of the stack');
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    step('Stopped');
  }
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

/**
 * As root, Postgres runs as the `postgres` user, which must be able to pass through the checkout
 * (a clone made inside `mktemp -d` is 0700). Grant only traverse (o+x), and only on directories of
 * this checkout; anything above it stays untouched (startPostgres then names it).
 */
function allowPostgresIntoCheckout(dir: string): void {
  if (process.getuid?.() !== 0) return;
  const chain: string[] = [];
  for (let d = resolve(dir); d.startsWith(repoRoot); d = dirname(d)) {
    chain.push(d);
    if (d === repoRoot) break;
  }
  for (const d of chain) {
    if (existsSync(d) && (statSync(d).mode & 0o001) === 0) {
      step(`Letting the postgres user pass through ${d} (chmod o+x)`);
      chmodSync(d, statSync(d).mode | 0o001);
    }
  }
}

try {
  const tools = findStackTools();
  if (tools.missing.length) throw new Error(`missing server packages: ${tools.missing.join(', ')} (run ./scripts/dev, which installs them as root)`);
  const ports = {
    POSTGRES_PORT: env.POSTGRES_PORT,
    REDIS_PORT: env.REDIS_PORT,
    NATS_PORT: env.NATS_PORT,
    SMTP_PORT: env.SMTP_PORT,
    GATEWAY_PORT: env.GATEWAY_PORT,
    CATALOG_PORT: env.CATALOG_PORT,
    CART_PORT: env.CART_PORT,
    ORDER_PORT: env.ORDER_PORT,
    PAYMENT_PORT: env.PAYMENT_PORT,
    ACCOUNT_PORT: env.ACCOUNT_PORT,
  };
  step('Checking ports');
  for (const [variable, port] of Object.entries(ports)) await assertPortFree(port, variable);

  if (values.reset) {
    step(`Reset: removing ${dataDir}`);
    rmSync(dataDir, { recursive: true, force: true });
  }

  step(`Starting Postgres on 127.0.0.1:${env.POSTGRES_PORT} (data in ${join(dataDir, 'postgres')})`);
  allowPostgresIntoCheckout(dataDir);
  const postgres = await startPostgres({ dataDir: join(dataDir, 'postgres'), port: env.POSTGRES_PORT, logFile: join(dataDir, 'postgres.log') });
  stops.push(postgres.stop);
  step(`Starting Redis on 127.0.0.1:${env.REDIS_PORT} and NATS with JetStream on 127.0.0.1:${env.NATS_PORT}`);
  const [redis, nats] = await Promise.all([
    startRedis({ dataDir: join(dataDir, 'redis'), port: env.REDIS_PORT, logFile: join(dataDir, 'redis.log') }),
    startNats({ dataDir: join(dataDir, 'nats'), port: env.NATS_PORT, logFile: join(dataDir, 'nats.log') }),
  ]);
  stops.push(redis.stop, nats.stop);
  step(`Starting the mail sink on 127.0.0.1:${env.SMTP_PORT} (every email kept in ${join(dataDir, 'mail')}, one line each here)`);
  const mailSink = await startMailSink({
    port: env.SMTP_PORT,
    dir: join(dataDir, 'mail'),
    onMessage: (message) => console.log(`\x1b[36m[mail]\x1b[0m ${describeMail(message)}`),
  });
  stops.push(mailSink.stop);

  step(`Creating databases: ${Object.values(DATABASES).join(', ')}`);
  await ensureDatabases(postgres.url('postgres'), Object.values(DATABASES));

  const options = {
    // Every process runs on this machine: statements and cache reads skip the TCP stack (the URLs
    // keep 127.0.0.1 and the port, which is what anything not reading the socket parameter uses).
    postgresUrl: postgres.socketUrl,
    redisUrl: redis.socketUrl,
    natsUrl: nats.url,
    ports: {
      catalog: env.CATALOG_PORT,
      cart: env.CART_PORT,
      order: env.ORDER_PORT,
      payment: env.PAYMENT_PORT,
      account: env.ACCOUNT_PORT,
      gateway: env.GATEWAY_PORT,
    },
    logDir,
    logLevel: env.LOG_LEVEL,
    seedArgs: { catalog: ['--products', values.products] },
    onStep: step,
    extraEnv: { SMTP_URL: mailSink.url },
  };
  await prepareDatabases(options);
  step(`Starting subgraphs (${subgraphNames().join(', ')}) and the gateway; logs in .data/logs/`);
  const supergraph = await startSupergraph(options);
  stops.push(supergraph.stop);
  for (const proc of supergraph.processes) {
    void proc.exited.then((code) => {
      if (stopping) return;
      console.error(`\n${proc.name} exited unexpectedly (code ${code}); see ${proc.logFile}`);
      void stopAll(1);
    });
  }

  const jwt = { issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE, expiresIn: '30d' };
  const customerToken = await signDevToken({ ...jwt, sub: DEMO_CUSTOMER.id, roles: ['customer'] });
  const adminToken = await signDevToken({ ...jwt, sub: DEV_ADMIN.id, roles: ['admin'] });
  console.log(`
\x1b[32mThe supergraph is up\x1b[0m in ${((Date.now() - started) / 1000).toFixed(1)} s.

  Gateway (GraphQL)   ${supergraph.gatewayUrl}
  Apollo Sandbox      ${supergraph.gatewayUrl}  (open it in a browser)
  Subscriptions       ${supergraph.gatewayUrl.replace(/^http/, 'ws')}  (graphql-transport-ws; try: pnpm live cart <cartId>)
  Subgraphs           ${Object.entries(supergraph.subgraphUrls)
    .map(([n, u]) => `${n} ${u}`)
    .join('\n                      ')}
  Logs                .data/logs/<process>.log
  Mail (SMTP sink)    ${mailSink.url}  every email kept in .data/mail/*.eml, its links printed below

  Sign in (DEV ONLY passwords; customerLogin returns 15-minute tokens and a refresh token):
    demo customer   ${DEMO_CUSTOMER.email} / ${DEMO_CUSTOMER.password}
    admin           ${DEV_ADMIN.email} / ${DEV_ADMIN.password}   (more admins: pnpm run admin:create --email …)

  Or skip signing in with dev tokens (signed with the published dev key, 30 days):
  Customer token (${DEMO_CUSTOMER.email}, sub ${DEMO_CUSTOMER.id}):
    ${customerToken}
  Admin token (${DEV_ADMIN.email}, sub ${DEV_ADMIN.id}):
    ${adminToken}

  Try:  curl -s ${supergraph.gatewayUrl} -H 'content-type: application/json' \\
          -H "authorization: Bearer $CUSTOMER_TOKEN" -d '{"query":"{ me { id email firstName cart { id } orders { totalCount } } }"}'

Ctrl-C stops every process.`);
} catch (error) {
  console.error(`\n\x1b[31merror:\x1b[0m ${(error as Error).message}`);
  await stopAll(1);
}
