/**
 * `pnpm bench [entry ...]`: measures a running stack (start it with ./scripts/dev) with autocannon.
 * Loopback only; every entry is bounded in time (BENCH_SECONDS, default 10). Prints requests/s and
 * latency percentiles per entry; asserts nothing.
 */
import autocannon from 'autocannon';
import { z } from 'zod';
import { DEV_JWT_SECRET, loadEnv, signToken } from '@shop/platform';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getFreePort, spawnLogged, waitUntilReady } from '@shop/platform/stack';
import { repoRoot } from '../scripts/schema/subgraphs.ts';
import { entries, type BenchContext } from './entries.ts';
import { runCheckoutSagaBench } from './checkout-saga.ts';

const env = loadEnv(
  z.object({
    BENCH_GATEWAY_URL: z.string().url().default('http://127.0.0.1:4000/graphql'),
    BENCH_CATALOG_URL: z.string().url().default('http://127.0.0.1:4001/graphql'),
    BENCH_CART_URL: z.string().url().default('http://127.0.0.1:4002/graphql'),
    BENCH_SECONDS: z.coerce.number().int().min(1).max(120).default(10),
    BENCH_CONNECTIONS: z.coerce.number().int().min(1).max(200).default(10),
    BENCH_CHECKOUTS: z.coerce.number().int().min(1).max(5000).default(200),
    JWT_SECRET: z.string().default(DEV_JWT_SECRET),
  }),
);
for (const url of [env.BENCH_GATEWAY_URL, env.BENCH_CATALOG_URL, env.BENCH_CART_URL]) {
  const host = new URL(url).hostname;
  if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(host)) {
    console.error(`refusing to load ${host}: benchmarks target loopback addresses only`);
    process.exit(1);
  }
}

const wanted = process.argv.slice(2);
const runSaga = wanted.length === 0 || wanted.includes('checkout-saga');
const selected = entries.filter((e) => wanted.length === 0 || wanted.includes(e.name));
if (selected.length === 0 && !runSaga) {
  console.error(`unknown entry; available: ${entries.map((e) => e.name).join(', ')}`);
  process.exit(1);
}

/**
 * The cache-off side of the cache comparison: a second cart process on the dev database (the same
 * environment as ./scripts/dev's) with CART_CACHE_ENABLED=false, started only when an entry needs it.
 */
function startNoCacheCart() {
  let started: Promise<{ url: string; stop: () => Promise<void> }> | undefined;
  const start = async () => {
    const port = await getFreePort();
    const dir = mkdtempSync(join(tmpdir(), 'bench-cart-'));
    const proc = spawnLogged('cart (cache off)', process.execPath, [join(repoRoot, 'subgraphs/cart/src/index.ts')], join(dir, 'cart.log'), {
      cwd: repoRoot,
      env: { ...process.env, CART_PORT: String(port), CART_CACHE_ENABLED: 'false', LOG_LEVEL: 'warn' },
    });
    await waitUntilReady(proc, async () => {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
      if (!res.ok) throw new Error(String(res.status));
    }, 30_000);
    return { url: `http://127.0.0.1:${port}/graphql`, stop: () => proc.stop() };
  };
  return {
    url: async () => (await (started ??= start())).url,
    stop: async () => (started ? (await started).stop() : undefined),
  };
}

async function post<T>(url: string, headers: Record<string, string>, body: string): Promise<T> {
  const response = await fetch(url, { method: 'POST', headers, body });
  const result = (await response.json()) as { data?: T; errors?: unknown[] };
  if (!response.ok || result.errors) throw new Error(`${response.status} ${JSON.stringify(result).slice(0, 300)}`);
  return result.data as T;
}

const noCacheCart = startNoCacheCart();
const ctx: BenchContext = {
  gatewayUrl: env.BENCH_GATEWAY_URL,
  catalogUrl: env.BENCH_CATALOG_URL,
  cartUrl: env.BENCH_CART_URL,
  cartNoCacheUrl: noCacheCart.url,
  customerToken: await signToken(
    { JWT_SECRET: env.JWT_SECRET, JWT_ISSUER: 'shop-dev', JWT_AUDIENCE: 'shop-api' },
    { sub: 'c0ffee00-0000-4000-8000-000000000001', roles: ['customer'] },
  ),
  query: (url, query, variables) => post(url, { 'content-type': 'application/json' }, JSON.stringify({ query, variables })),
};

console.log(`${env.BENCH_SECONDS} s per entry, ${env.BENCH_CONNECTIONS} connections\n`);
console.log('entry'.padEnd(22), 'target'.padEnd(14), 'req/s'.padStart(9), 'p50 ms'.padStart(8), 'p99 ms'.padStart(8), 'errors'.padStart(7));
const rates = new Map<string, number>();
const targets = { gateway: async () => ctx.gatewayUrl, catalog: async () => ctx.catalogUrl, cart: async () => ctx.cartUrl, 'cart-no-cache': ctx.cartNoCacheUrl };
for (const entry of selected) {
  const url = await targets[entry.target]();
  const headers = entry.headers(ctx);
  let body: string;
  try {
    body = JSON.stringify({ query: entry.query, variables: (await entry.prepare?.(ctx)) ?? {} });
    // Check the answer once before loading: a benchmark of errors measures nothing.
    await post(url, headers, body);
  } catch (error) {
    console.error(`${entry.name}: the request fails: ${(error as Error).message}`);
    process.exitCode = 1;
    continue;
  }
  const result = await autocannon({ url, method: 'POST', headers, body, connections: env.BENCH_CONNECTIONS, duration: env.BENCH_SECONDS });
  rates.set(entry.name, result.requests.average);
  console.log(
    entry.name.padEnd(22),
    entry.target.padEnd(14),
    result.requests.average.toFixed(0).padStart(9),
    String(result.latency.p50).padStart(8),
    String(result.latency.p99).padStart(8),
    String(result.errors + result.non2xx).padStart(7),
  );
}
if (runSaga) {
  const saga = await runCheckoutSagaBench({ gatewayUrl: env.BENCH_GATEWAY_URL, checkouts: env.BENCH_CHECKOUTS, concurrency: env.BENCH_CONNECTIONS, jwtSecret: env.JWT_SECRET });
  console.log(
    `\ncheckout-saga: ${saga.confirmed}/${saga.checkouts} CONFIRMED, ${saga.perSecond.toFixed(1)} checkouts/s to CONFIRMED, ` +
      `mutation → CONFIRMED p50 ${saga.p50.toFixed(0)} ms, p95 ${saga.p95.toFixed(0)} ms; lost ${saga.lost}, stuck ${saga.stuck}, failed ${saga.failed}`,
  );
}
const [cached, uncached] = [rates.get('cart-read-cached'), rates.get('cart-read-uncached')];
if (cached && uncached) console.log(`\ncart reads at the subgraph, cache on / off: ${(cached / uncached).toFixed(2)}x`);
await noCacheCart.stop();
