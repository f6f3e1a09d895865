/**
 * `pnpm bench [entry ...]`: measures a running stack (start it with ./scripts/dev) through the
 * gateway with autocannon. Loopback only; every entry is bounded in time (BENCH_SECONDS, default 10).
 * Prints requests/s and latency percentiles per entry; asserts nothing.
 */
import autocannon from 'autocannon';
import { z } from 'zod';
import { DEV_JWT_SECRET, loadEnv, signToken } from '@shop/platform';
import { entries } from './entries.ts';

const env = loadEnv(
  z.object({
    BENCH_GATEWAY_URL: z.string().url().default('http://127.0.0.1:4000/graphql'),
    BENCH_SECONDS: z.coerce.number().int().min(1).max(120).default(10),
    BENCH_CONNECTIONS: z.coerce.number().int().min(1).max(200).default(10),
    JWT_SECRET: z.string().default(DEV_JWT_SECRET),
  }),
);
const host = new URL(env.BENCH_GATEWAY_URL).hostname;
if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(host)) {
  console.error(`refusing to load ${host}: benchmarks target loopback addresses only`);
  process.exit(1);
}

const wanted = process.argv.slice(2);
const selected = entries.filter((e) => wanted.length === 0 || wanted.includes(e.name));
if (selected.length === 0) {
  console.error(`unknown entry; available: ${entries.map((e) => e.name).join(', ')}`);
  process.exit(1);
}

const customerToken = await signToken(
  { JWT_SECRET: env.JWT_SECRET, JWT_ISSUER: 'shop-dev', JWT_AUDIENCE: 'shop-api' },
  { sub: 'c0ffee00-0000-4000-8000-000000000001', roles: ['customer'] },
);

console.log(`gateway ${env.BENCH_GATEWAY_URL}, ${env.BENCH_SECONDS} s per entry, ${env.BENCH_CONNECTIONS} connections\n`);
console.log('entry'.padEnd(22), 'req/s'.padStart(9), 'p50 ms'.padStart(8), 'p99 ms'.padStart(8), 'errors'.padStart(7));
for (const entry of selected) {
  const body = JSON.stringify({ query: entry.query, variables: entry.variables ?? {} });
  // Check the answer once before loading: a benchmark of errors measures nothing.
  const probe = await fetch(env.BENCH_GATEWAY_URL, { method: 'POST', headers: entry.headers(customerToken), body });
  const probeBody = (await probe.json()) as { errors?: unknown[] };
  if (!probe.ok || probeBody.errors) {
    console.error(`${entry.name}: the query fails (${probe.status}): ${JSON.stringify(probeBody).slice(0, 300)}`);
    process.exitCode = 1;
    continue;
  }
  const result = await autocannon({
    url: env.BENCH_GATEWAY_URL,
    method: 'POST',
    headers: entry.headers(customerToken),
    body,
    connections: env.BENCH_CONNECTIONS,
    duration: env.BENCH_SECONDS,
  });
  const errors = result.errors + result.non2xx;
  console.log(
    entry.name.padEnd(22),
    result.requests.average.toFixed(0).padStart(9),
    String(result.latency.p50).padStart(8),
    String(result.latency.p99).padStart(8),
    String(errors).padStart(7),
  );
}
