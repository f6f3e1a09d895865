/**
 * `pnpm bench abuse`: what a hostile client costs everyone else.
 * 1. A shopper's product page (one request at a time) alone, then while ABUSERS clients send the
 *    negative-`first` cost bypass of issue 10 as fast as the gateway answers them.
 * 2. At the catalog itself (as if the gateway had let it through): requests whose non-null root
 *    field fails at once but whose other root field asks for 10 × 100 × 100 products. graphql-js
 *    answers such a request at once and goes on resolving the rest in the background, so what
 *    counts is the catalog's CPU time (its /metrics) until it is idle again, per request.
 * Bounded: each phase runs `seconds` at most; loopback only (checked by the runner).
 */
import { graphql, percentile } from './client.ts';

const ABUSERS = 5;
const ATTACK =
  '{ products(first: -10000000) { totalCount } categories { products(first: 100) { edges { node { name description category { products(first: 100) { edges { node { name description } } } } } } } } }';
const LOST_AT_CATALOG =
  '{ products(first: -1) { totalCount } categories { products(first: 100) { edges { node { name description category { products(first: 100) { edges { node { name description } } } } } } } } }';
const PRODUCT_PAGE =
  'query ($slug: String!) { product(slug: $slug) { id name description price { amount currencyCode } inStock availableQuantity category { name } } }';

async function post(url: string, query: string, variables: Record<string, unknown> = {}): Promise<{ status: number; code: string }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
  return { status: response.status, code: body.errors?.[0]?.extensions?.code ?? 'OK' };
}

/** Sequential requests for `ms`; their latencies. */
async function loop(ms: number, send: () => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const started = performance.now();
    await send();
    latencies.push(performance.now() - started);
  }
  return latencies;
}

export interface AbuseBenchResult {
  alone: { p50: number; p99: number; n: number };
  underAttack: { p50: number; p99: number; n: number };
  attacks: { n: number; codes: Record<string, number> };
  lostAtCatalog: { n: number; code: string; cpuMsEach: number; heapGrowthMiB: number };
}

/** A value of the catalog's Prometheus metrics. */
async function catalogMetric(catalogUrl: string, name: string): Promise<number> {
  const text = await (await fetch(catalogUrl.replace('/graphql', '/metrics'))).text();
  return Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1]);
}

/** Waits (at most 30 s) until the catalog's CPU counter stops rising; answers the counter. */
async function catalogIdleCpu(catalogUrl: string): Promise<number> {
  let last = await catalogMetric(catalogUrl, 'process_cpu_seconds_total');
  for (const end = Date.now() + 30_000; Date.now() < end;) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = await catalogMetric(catalogUrl, 'process_cpu_seconds_total');
    if (now - last < 0.05) return now;
    last = now;
  }
  return last;
}

export async function runAbuseBench(options: { gatewayUrl: string; catalogUrl: string; seconds: number }): Promise<AbuseBenchResult> {
  const ms = options.seconds * 1000;
  const { products } = await graphql<{ products: { edges: Array<{ node: { slug: string } }> } }>(
    options.gatewayUrl,
    '{ products(first: 1) { edges { node { slug } } } }',
  );
  const slug = products.edges[0]!.node.slug;
  const page = () => post(options.gatewayUrl, PRODUCT_PAGE, { slug });

  const alone = await loop(ms, page);
  const codes: Record<string, number> = {};
  const attackers = Array.from({ length: ABUSERS }, () =>
    loop(ms, async () => {
      const { code } = await post(options.gatewayUrl, ATTACK);
      codes[code] = (codes[code] ?? 0) + 1;
    }),
  );
  const [underAttack, ...attackLatencies] = await Promise.all([loop(ms, page), ...attackers]);

  const LOST = 20;
  const cpuBefore = await catalogIdleCpu(options.catalogUrl);
  const heapBefore = await catalogMetric(options.catalogUrl, 'nodejs_heap_size_used_bytes');
  let code = '';
  for (let i = 0; i < LOST; i++) code = (await post(options.catalogUrl, LOST_AT_CATALOG)).code;
  const cpuAfter = await catalogIdleCpu(options.catalogUrl);
  const heapAfter = await catalogMetric(options.catalogUrl, 'nodejs_heap_size_used_bytes');
  const stats = (values: number[]) => ({ p50: percentile(values, 50), p99: percentile(values, 99), n: values.length });
  return {
    alone: stats(alone),
    underAttack: stats(underAttack!),
    attacks: { n: attackLatencies.reduce((sum, l) => sum + l.length, 0), codes },
    lostAtCatalog: { n: LOST, code, cpuMsEach: ((cpuAfter - cpuBefore) * 1000) / LOST, heapGrowthMiB: (heapAfter - heapBefore) / 2 ** 20 },
  };
}

export function printAbuseBench(r: AbuseBenchResult): void {
  const f = (v: number) => v.toFixed(1);
  console.log(`\nabuse: product page alone p50 ${f(r.alone.p50)} ms, p99 ${f(r.alone.p99)} ms (${r.alone.n} requests)`);
  console.log(
    `abuse: product page while ${ABUSERS} clients send the cost bypass: p50 ${f(r.underAttack.p50)} ms, p99 ${f(r.underAttack.p99)} ms ` +
      `(${r.underAttack.n} requests); ${r.attacks.n} attacks answered ${JSON.stringify(r.attacks.codes)}`,
  );
  console.log(
    `abuse: ${r.lostAtCatalog.n} lost requests at the catalog (a failed root field + 100,000 products asked, ${r.lostAtCatalog.code}): ` +
      `${f(r.lostAtCatalog.cpuMsEach)} ms of catalog CPU each until idle, heap ${r.lostAtCatalog.heapGrowthMiB >= 0 ? '+' : ''}${f(r.lostAtCatalog.heapGrowthMiB)} MiB`,
  );
}
