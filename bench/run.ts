/**
 * `pnpm bench [entry ...]`: measures a running stack (start it with ./scripts/dev) with autocannon.
 * Loopback only; every entry is bounded in time (BENCH_SECONDS, default 10). Prints requests/s and
 * latency percentiles per entry; asserts nothing.
 */
import { availableParallelism } from 'node:os';
import autocannon from 'autocannon';
import { z } from 'zod';
import { loadEnv, signDevToken } from '@shop/platform';
import { extraProcess, gatewayProcess } from './processes.ts';
import { printSubscriptionBench, runSubscriptionBench } from './subscriptions.ts';
import { entries, type BenchContext } from './entries.ts';
import { runCheckoutSagaBench } from './checkout-saga.ts';
import { closeClient, graphql } from './client.ts';
import { printAbuseBench, runAbuseBench } from './abuse.ts';
import { printArgon2Cost, printTokenRefreshBench, runTokenRefreshBench } from './accounts.ts';
import { runStorefrontBench } from './storefront.ts';
import { printTracingOverheadBench, runTracingOverheadBench } from './tracing.ts';

const env = loadEnv(
  z.object({
    BENCH_GATEWAY_URL: z.string().url().default('http://127.0.0.1:4000/graphql'),
    BENCH_CATALOG_URL: z.string().url().default('http://127.0.0.1:4001/graphql'),
    BENCH_CART_URL: z.string().url().default('http://127.0.0.1:4002/graphql'),
    BENCH_ORDER_URL: z.string().url().default('http://127.0.0.1:4003/graphql'),
    BENCH_PAYMENT_URL: z.string().url().default('http://127.0.0.1:4004/graphql'),
    BENCH_ACCOUNT_URL: z.string().url().default('http://127.0.0.1:4005/graphql'),
    BENCH_SECONDS: z.coerce.number().int().min(1).max(120).default(10),
    BENCH_CONNECTIONS: z.coerce.number().int().min(1).max(200).default(10),
    BENCH_CHECKOUTS: z.coerce.number().int().min(1).max(5000).default(200),
    /** checkout-saga: checkouts run first and reported apart (the stack's code is unoptimized right after it starts). */
    BENCH_WARMUP_CHECKOUTS: z.coerce.number().int().min(0).max(10000).default(3000),
    /** How checkout-saga's buyers learn their order's status: orderUpdated events or order(id) polls. */
    BENCH_FOLLOW: z.enum(['subscription', 'poll']).default('subscription'),
    BENCH_SUBSCRIBERS: z.coerce.number().int().min(1).max(20_000).default(1000),
    BENCH_SUBSCRIBED_CARTS: z.coerce.number().int().min(1).max(5000).default(250),
    BENCH_MUTATIONS: z.coerce.number().int().min(1).max(5000).default(300),
    /** The subscription bench's fixed-rate load: 25 changes/s over 250 carts is each cart changing every 10 s. */
    BENCH_MUTATION_RATE: z.coerce.number().min(1).max(1000).default(25),
    /** token-refresh stops at this many refreshes even before BENCH_SECONDS. */
    BENCH_REFRESHES: z.coerce.number().int().min(1).max(1_000_000).default(100_000),
    /** storefront: rounds over every page × target (the target order rotates each round). */
    BENCH_ROUNDS: z.coerce.number().int().min(1).max(10).default(2),
  }),
);
const processUrls = {
  gateway: env.BENCH_GATEWAY_URL,
  catalog: env.BENCH_CATALOG_URL,
  cart: env.BENCH_CART_URL,
  order: env.BENCH_ORDER_URL,
  payment: env.BENCH_PAYMENT_URL,
  account: env.BENCH_ACCOUNT_URL,
};
for (const url of Object.values(processUrls)) {
  const host = new URL(url).hostname;
  if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(host)) {
    console.error(`refusing to load ${host}: benchmarks target loopback addresses only`);
    process.exit(1);
  }
}

const wanted = process.argv.slice(2);
const runSaga = wanted.length === 0 || wanted.includes('checkout-saga');
const runSubscriptions = wanted.length === 0 || wanted.includes('subscriptions');
const runAbuse = wanted.length === 0 || wanted.includes('abuse');
const runTokenRefresh = wanted.length === 0 || wanted.includes('token-refresh');
/** Opt-in: it starts two more gateways (the peers) and takes about six minutes. */
const runStorefront = wanted.includes('storefront');
/** Opt-in: it starts a gateway, a cart and a catalog twice, with tracing off and on. */
const runTracing = wanted.includes('tracing-overhead');
const selected = entries.filter((e) => wanted.length === 0 || wanted.includes(e.name));
if (selected.length === 0 && !runSaga && !runSubscriptions && !runAbuse && !runTokenRefresh && !runStorefront && !runTracing) {
  console.error(
    `unknown entry; available: ${[...entries.map((e) => e.name), 'checkout-saga', 'subscriptions', 'abuse', 'token-refresh', 'storefront', 'tracing-overhead'].join(', ')}`,
  );
  process.exit(1);
}

/** The cache-off side of the cache comparison: a second cart process with the Redis cache off. */
const noCacheCart = extraProcess('cart (cache off)', 'subgraphs/cart/src/index.ts', 'CART_PORT', { CART_CACHE_ENABLED: 'false' });
/**
 * The protections comparison: two more gateways in front of the same subgraphs, one with every
 * protection on (query limits, rate limits with a budget the run cannot exhaust, trusted documents),
 * one with all of them off.
 */
const protectedGateway = gatewayProcess('gateway (protections on)', {
  GATEWAY_LIMITS_ENABLED: 'true',
  GATEWAY_RATE_LIMIT_ENABLED: 'true',
  GATEWAY_RATE_LIMIT_IP: '100000000',
  GATEWAY_RATE_LIMIT_USER: '100000000',
  GATEWAY_TRUSTED_DOCUMENTS: 'true',
});
/** The subscribers all come from loopback: this gateway lets one address hold them all. */
const subscriptionGateway = gatewayProcess('gateway (subscribers)', { GATEWAY_WS_MAX_CONNECTIONS_PER_IP: '100000' });
const openGateway = gatewayProcess('gateway (protections off)', {
  GATEWAY_LIMITS_ENABLED: 'false',
  GATEWAY_RATE_LIMIT_ENABLED: 'false',
  GATEWAY_TRUSTED_DOCUMENTS: 'false',
});

async function post<T>(url: string, headers: Record<string, string>, body: string): Promise<T> {
  const response = await fetch(url, { method: 'POST', headers, body });
  const result = (await response.json()) as { data?: T; errors?: unknown[] };
  if (!response.ok || result.errors) throw new Error(`${response.status} ${JSON.stringify(result).slice(0, 300)}`);
  return result.data as T;
}

const ctx: BenchContext = {
  gatewayUrl: env.BENCH_GATEWAY_URL,
  catalogUrl: env.BENCH_CATALOG_URL,
  cartUrl: env.BENCH_CART_URL,
  accountUrl: env.BENCH_ACCOUNT_URL,
  cartNoCacheUrl: noCacheCart.url,
  customerToken: await signDevToken({ sub: 'c0ffee00-0000-4000-8000-000000000001', roles: ['customer'] }),
  query: (url, query, variables) => graphql(url, query, variables),
};

if (selected.length) console.log(`${env.BENCH_SECONDS} s per entry, ${env.BENCH_CONNECTIONS} connections\n`);
if (selected.length)
  console.log('entry'.padEnd(26), 'target'.padEnd(18), 'req/s'.padStart(9), 'p50 ms'.padStart(8), 'p99 ms'.padStart(8), 'errors'.padStart(7));
const rates = new Map<string, number>();
const targets = {
  gateway: async () => ctx.gatewayUrl,
  catalog: async () => ctx.catalogUrl,
  cart: async () => ctx.cartUrl,
  account: async () => ctx.accountUrl,
  'cart-no-cache': ctx.cartNoCacheUrl,
  'gateway-protected': protectedGateway.url,
  'gateway-open': openGateway.url,
};
for (const entry of selected) {
  const url = await targets[entry.target]();
  const headers = entry.headers(ctx);
  let body: string;
  try {
    body = JSON.stringify({ query: entry.query, variables: (await entry.prepare?.(ctx)) ?? {} });
    // Check the answer once before loading: a benchmark of errors measures nothing.
    entry.check?.(await post(url, headers, body));
  } catch (error) {
    console.error(`${entry.name}: the request fails: ${(error as Error).message}`);
    process.exitCode = 1;
    continue;
  }
  const result = await autocannon({ url, method: 'POST', headers, body, connections: env.BENCH_CONNECTIONS, duration: env.BENCH_SECONDS });
  rates.set(entry.name, result.requests.average);
  console.log(
    entry.name.padEnd(26),
    entry.target.padEnd(18),
    result.requests.average.toFixed(0).padStart(9),
    String(result.latency.p50).padStart(8),
    String(result.latency.p99).padStart(8),
    String(result.errors + result.non2xx).padStart(7),
  );
}
if (runSaga) {
  const saga = await runCheckoutSagaBench({
    gatewayUrl: env.BENCH_GATEWAY_URL,
    checkouts: env.BENCH_CHECKOUTS,
    warmupCheckouts: env.BENCH_WARMUP_CHECKOUTS,
    concurrency: env.BENCH_CONNECTIONS,
    follow: env.BENCH_FOLLOW,
    processes: processUrls,
  });
  const byProcess = Object.entries(saga.processCpuMsPerCheckout);
  const warm = saga.warmup;
  if (warm)
    console.log(
      `\ncheckout-saga warm-up (not counted): ${warm.confirmed}/${warm.checkouts} CONFIRMED, ${warm.perSecond.toFixed(1)} checkouts/s, p50 ${warm.p50.toFixed(0)} ms`,
    );
  console.log(
    `${warm ? '' : '\n'}checkout-saga: ${saga.confirmed}/${saga.checkouts} CONFIRMED, ${saga.perSecond.toFixed(1)} checkouts/s to CONFIRMED, ` +
      `mutation → CONFIRMED p50 ${saga.p50.toFixed(0)} ms, p95 ${saga.p95.toFixed(0)} ms; lost ${saga.lost}, stuck ${saga.stuck}, failed ${saga.failed}; ` +
      `${saga.statusReadsPerCheckout.toFixed(1)} ${saga.follow === 'poll' ? 'status polls' : 'orderUpdated events'} per checkout; ` +
      `this client's own CPU ${saga.clientCpuMsPerCheckout.toFixed(1)} ms per checkout`,
  );
  console.log(
    `checkout-saga CPU per checkout (each process's process_cpu_seconds_total): ` +
      byProcess.map(([name, ms]) => `${name} ${ms.toFixed(1)}`).join(', ') +
      ` ms; ${byProcess.reduce((sum, [, ms]) => sum + ms, 0).toFixed(1)} ms in these Node processes (Postgres, NATS, Redis not included)`,
  );
  const machine = saga.machineCpuPerCheckout;
  if (machine)
    console.log(
      `checkout-saga whole machine (/proc/stat): ${machine.busyMs.toFixed(1)} ms busy CPU per checkout (${machine.stealMs.toFixed(1)} ms of it stolen by the host); ` +
        `at ${saga.perSecond.toFixed(1)} checkouts/s, ${((machine.busyMs * saga.perSecond) / 1000).toFixed(2)} of ${availableParallelism()} cores busy`,
    );
}
if (runTokenRefresh) {
  const settings = {
    gatewayUrl: env.BENCH_GATEWAY_URL,
    concurrency: env.BENCH_CONNECTIONS,
    seconds: env.BENCH_SECONDS,
    maxRequests: env.BENCH_REFRESHES,
  };
  printTokenRefreshBench(await runTokenRefreshBench(settings), env.BENCH_CONNECTIONS);
}
if (selected.some((e) => e.name.startsWith('login')) || runTokenRefresh) await printArgon2Cost();
const [cached, uncached] = [rates.get('cart-read-cached'), rates.get('cart-read-uncached')];
if (cached && uncached) console.log(`\ncart reads at the subgraph, cache on / off: ${(cached / uncached).toFixed(2)}x`);
const [guarded, open] = [rates.get('cart-page-protections-on'), rates.get('cart-page-protections-off')];
if (guarded && open) console.log(`gateway cart page, all protections on / off: ${(guarded / open).toFixed(2)}x`);
if (runSubscriptions) {
  for (const identities of ['shared', 'distinct'] as const) {
    const settings = {
      subscribers: env.BENCH_SUBSCRIBERS,
      carts: env.BENCH_SUBSCRIBED_CARTS,
      mutations: env.BENCH_MUTATIONS,
      concurrency: env.BENCH_CONNECTIONS,
      rate: env.BENCH_MUTATION_RATE,
    };
    printSubscriptionBench(await runSubscriptionBench({ gatewayUrl: await subscriptionGateway.url(), identities, ...settings }));
  }
}
if (runStorefront) {
  try {
    const storefront = await runStorefrontBench({
      ctx,
      ours: protectedGateway.url,
      seconds: env.BENCH_SECONDS,
      // 20 unless set: the load of the storefront figures.
      connections: process.env.BENCH_CONNECTIONS ? env.BENCH_CONNECTIONS : 20,
      rounds: env.BENCH_ROUNDS,
    });
    console.log(`\n${storefront.caption}\n\n${storefront.table}\n\n${storefront.notes.join('\n')}`);
    if (!storefront.complete) process.exitCode = 1;
  } catch (error) {
    console.error(`storefront: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
if (runTracing) {
  const settings = { ctx, seconds: env.BENCH_SECONDS, connections: env.BENCH_CONNECTIONS, rounds: env.BENCH_ROUNDS };
  printTracingOverheadBench(await runTracingOverheadBench(settings), env.BENCH_CONNECTIONS);
}
if (runAbuse)
  printAbuseBench(await runAbuseBench({ gatewayUrl: env.BENCH_GATEWAY_URL, catalogUrl: env.BENCH_CATALOG_URL, seconds: env.BENCH_SECONDS }));
await Promise.all([noCacheCart.stop(), protectedGateway.stop(), openGateway.stop(), subscriptionGateway.stop(), closeClient()]);
