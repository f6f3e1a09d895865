/**
 * `pnpm bench subscriptions`: one gateway process holds BENCH_SUBSCRIBERS subscribers (each its own
 * WebSocket, spread over BENCH_SUBSCRIBED_CARTS carts), then cart mutations run under two loads and
 * every subscriber of the changed cart times the event (mutation sent → event received):
 * - as fast as BENCH_CONNECTIONS buyers can go (closed loop, never two on one cart at once): the
 *   throughput, where every latency is the queue the buyers build themselves;
 * - at a fixed BENCH_MUTATION_RATE per second (open loop, each timed from its scheduled moment, so a
 *   late sender still counts its delay): the latency at a stated load, below saturation.
 * Bounded in count and time; loopback only.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { signDevToken } from '@shop/platform';
import { graphql, percentile } from './client.ts';

export interface SubscriptionBenchOptions {
  gatewayUrl: string;
  /** `shared`: guests, so the subscribers of one cart share one read per change; `distinct`: one signed-in user each. */
  identities: 'shared' | 'distinct';
  subscribers: number;
  carts: number;
  /** Mutations per load. */
  mutations: number;
  concurrency: number;
  /** Mutations per second of the fixed-rate load. */
  rate: number;
}

export type SubscriptionLoad = { kind: 'closed'; concurrency: number } | { kind: 'rate'; perSecond: number };

export interface SubscriptionLoadResult {
  load: SubscriptionLoad;
  /** Mutations per second achieved. */
  mutationsPerSecond: number;
  /** Reads the gateway ran to answer the changes (from its own counter). */
  reads: number;
  deliveries: number;
  expected: number;
  eventP50: number;
  eventP99: number;
  mutationP50: number;
  /** The gateway's CPU time (its own process_cpu_seconds_total) from the first mutation to the last event, per read. */
  gatewayCpuPerReadMs: number;
}

export interface SubscriptionBenchResult {
  identities: 'shared' | 'distinct';
  subscribers: number;
  held: { connections: number; subscriptions: number };
  subscribeSeconds: number;
  rssMiB: { before: number; after: number };
  heapMiB: { before: number; after: number };
  /** Heap the gateway holds per subscriber once all are subscribed and idle (before any mutation), in KiB. */
  heapPerIdleSubscriberKiB: number;
  loads: SubscriptionLoadResult[];
}

const SUBSCRIPTION =
  'subscription Live($id: ID!) { cartUpdated(cartId: $id) { id version totalQuantity lines(first: 20) { edges { node { quantity product { name price { amount } } } } } cost { totalAmount { amount } } } }';

/** Gauges from the gateway's own /metrics. */
async function gatewayGauges(gatewayUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(gatewayUrl.replace(/\/graphql$/, '/metrics'))).text();
  const wanted = [
    'gateway_ws_connections',
    'gateway_subscriptions_active',
    'gateway_subscription_reads_total',
    'process_resident_memory_bytes',
    'nodejs_heap_size_used_bytes',
    'process_cpu_seconds_total',
  ];
  return Object.fromEntries(wanted.map((name) => [name, Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN)]));
}

async function inBatches<T>(count: number, batch: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i += batch) out.push(...(await Promise.all(Array.from({ length: Math.min(batch, count - i) }, (_, j) => make(i + j)))));
  return out;
}

export async function runSubscriptionBench(options: SubscriptionBenchOptions): Promise<SubscriptionBenchResult> {
  const { gatewayUrl } = options;
  const found = await graphql<{ products: { edges: Array<{ node: { id: string; options: unknown[] } }> } }>(
    gatewayUrl,
    '{ products(first: 100, filter: { inStock: true }) { edges { node { id options { name } } } } }',
  );
  // Products sold as one variant: their id is what is bought.
  const productIds = found.products.edges
    .map((e) => e.node)
    .filter((p) => p.options.length === 0)
    .slice(0, 20)
    .map((p) => p.id);
  const carts = await inBatches(options.carts, 20, async (i) => {
    const created = await graphql<{ cartCreate: { cart: { id: string; version: number } } }>(
      gatewayUrl,
      'mutation ($lines: [CartLineInput!]) { cartCreate(input: { lines: $lines }) { cart { id version } } }',
      { lines: [{ productId: productIds[i % productIds.length], quantity: 1 }] },
    );
    return created.cartCreate.cart;
  });
  const before = await gatewayGauges(gatewayUrl);

  // Per cart: when its one in-flight mutation was sent (or scheduled) and which version it will produce.
  const inflight = new Map<string, { sentAt: number; version: number }>();
  let eventLatencies: number[] = [];
  const clients: Client[] = [];
  const opened = performance.now();
  await inBatches(options.subscribers, 100, async (i) => {
    const cart = carts[i % carts.length]!;
    // A guest cart is visible to anyone holding its id, signed in or not.
    const token = options.identities === 'distinct' ? await signDevToken({ sub: `bench-subscriber-${i}`, roles: ['customer'] }) : undefined;
    const client = createClient({
      url: gatewayUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    });
    clients.push(client);
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no first message within 60 s')), 60_000);
      client.subscribe<{ cartUpdated: { id: string; version: number } }>(
        { query: SUBSCRIPTION, variables: { id: cart.id } },
        {
          next: ({ data }) => {
            const version = data?.cartUpdated.version;
            const pending = inflight.get(cart.id);
            if (pending && version === pending.version) eventLatencies.push(performance.now() - pending.sentAt);
            clearTimeout(timer);
            resolve();
          },
          error: (error) => reject(new Error(JSON.stringify(error).slice(0, 300))),
          complete: () => undefined,
        },
      );
    });
  });
  const subscribeSeconds = (performance.now() - opened) / 1000;
  const held = await gatewayGauges(gatewayUrl);

  const versions = new Map(carts.map((c) => [c.id, c.version]));
  let mutationLatencies: number[] = [];
  let made = 0;
  /** One cartLinesAdd, timed from `sentAt` (its scheduled moment under the fixed rate). */
  const mutate = async (cart: { id: string }, sentAt = performance.now()) => {
    const version = versions.get(cart.id)! + 1;
    inflight.set(cart.id, { sentAt, version });
    await graphql(
      gatewayUrl,
      'mutation ($c: ID!, $p: ID!) { cartLinesAdd(cartId: $c, lines: [{ productId: $p, quantity: 1 }]) { cart { version } } }',
      { c: cart.id, p: productIds[made++ % productIds.length] },
    );
    mutationLatencies.push(performance.now() - sentAt);
    versions.set(cart.id, version);
  };
  const deadline = () => Date.now() + 120_000;
  const drivers: Record<SubscriptionLoad['kind'], () => Promise<void>> = {
    // Worker w owns carts w, w + concurrency, ...: never two mutations on one cart at once.
    closed: async () => {
      const until = deadline();
      let next = 0;
      const worker = async (w: number) => {
        const own = carts.filter((_, i) => i % options.concurrency === w);
        for (let k = 0; own.length > 0 && Date.now() < until && next < options.mutations; k++) {
          next++;
          await mutate(own[k % own.length]!);
          // Let this cart's subscribers receive it before the next change to the same cart.
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      };
      await Promise.all(Array.from({ length: Math.min(options.concurrency, carts.length) }, (_, w) => worker(w)));
    },
    // One mutation every 1/rate s to the next cart with none in flight, whether or not the previous answered.
    rate: async () => {
      const until = deadline();
      const start = performance.now();
      const busy = new Set<string>();
      const sent: Array<Promise<void>> = [];
      let c = 0;
      // The next cart in turn with no mutation in flight (none when every cart is busy).
      const nextFree = () => {
        for (let tried = 0; tried < carts.length; tried++) {
          const cart = carts[c++ % carts.length]!;
          if (!busy.has(cart.id)) return cart;
        }
        return undefined;
      };
      for (let i = 0; i < options.mutations && Date.now() < until; i++) {
        const at = start + (i * 1000) / options.rate;
        const wait = at - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const cart = nextFree();
        if (!cart) continue;
        busy.add(cart.id);
        sent.push(mutate(cart, at).finally(() => setTimeout(() => busy.delete(cart.id), 20)));
      }
      await Promise.all(sent);
    },
  };
  const perCart = (i: number) => Math.floor(options.subscribers / carts.length) + (i < options.subscribers % carts.length ? 1 : 0);
  const loads: SubscriptionLoadResult[] = [];
  // Gauges as each load starts: all subscribed and idle first, then where the previous load ended.
  const readings = [held];
  for (const load of [
    { kind: 'closed', concurrency: options.concurrency },
    { kind: 'rate', perSecond: options.rate },
  ] satisfies SubscriptionLoad[]) {
    const startVersions = new Map(versions);
    eventLatencies = [];
    mutationLatencies = [];
    const start = readings.at(-1)!;
    const began = performance.now();
    await drivers[load.kind]();
    const seconds = (performance.now() - began) / 1000;
    const expected = carts.reduce((sum, c, i) => sum + (versions.get(c.id)! - startVersions.get(c.id)!) * perCart(i), 0);
    const settle = Date.now() + 10_000;
    while (eventLatencies.length < expected && Date.now() < settle) await new Promise((resolve) => setTimeout(resolve, 100));
    const end = await gatewayGauges(gatewayUrl);
    readings.push(end);
    const reads = end.gateway_subscription_reads_total! - start.gateway_subscription_reads_total!;
    loads.push({
      load,
      mutationsPerSecond: mutationLatencies.length / seconds,
      reads,
      deliveries: eventLatencies.length,
      expected,
      eventP50: percentile(eventLatencies, 50),
      eventP99: percentile(eventLatencies, 99),
      mutationP50: percentile(mutationLatencies, 50),
      gatewayCpuPerReadMs: ((end.process_cpu_seconds_total! - start.process_cpu_seconds_total!) * 1000) / Math.max(1, reads),
    });
  }
  const after = readings.at(-1)!;
  await Promise.all(clients.map((c) => c.dispose()));

  return {
    identities: options.identities,
    subscribers: options.subscribers,
    held: { connections: held.gateway_ws_connections!, subscriptions: held.gateway_subscriptions_active! },
    subscribeSeconds,
    rssMiB: { before: before.process_resident_memory_bytes! / 2 ** 20, after: after.process_resident_memory_bytes! / 2 ** 20 },
    heapMiB: { before: before.nodejs_heap_size_used_bytes! / 2 ** 20, after: after.nodejs_heap_size_used_bytes! / 2 ** 20 },
    heapPerIdleSubscriberKiB: (held.nodejs_heap_size_used_bytes! - before.nodejs_heap_size_used_bytes!) / options.subscribers / 1024,
    loads,
  };
}

export function printSubscriptionBench(r: SubscriptionBenchResult): void {
  console.log(
    `\nsubscriptions, ${r.identities === 'shared' ? 'guests (subscribers of a cart share reads)' : 'one user per subscriber (one read each)'}: ` +
      `${r.subscribers} subscribers (one WebSocket each) held by one gateway process: ` +
      `${r.held.connections} connections, ${r.held.subscriptions} subscriptions; all subscribed in ${r.subscribeSeconds.toFixed(1)} s; ` +
      `gateway RSS ${r.rssMiB.before.toFixed(0)} → ${r.rssMiB.after.toFixed(0)} MiB, heap used ${r.heapMiB.before.toFixed(0)} → ${r.heapMiB.after.toFixed(0)} MiB ` +
      // No collection can be forced in the gateway: when one ran in between (garbage of an earlier phase), the difference says nothing.
      `(idle, all subscribed: ${r.heapPerIdleSubscriberKiB > 0 ? `${r.heapPerIdleSubscriberKiB.toFixed(0)} KiB heap per subscriber` : 'heap per subscriber not measurable, a collection ran in between'})\n` +
      r.loads
        .map((l) => {
          const load =
            l.load.kind === 'closed'
              ? `${l.load.concurrency} buyers as fast as they go (${l.mutationsPerSecond.toFixed(1)} mutations/s)`
              : `a fixed ${l.load.perSecond} mutations/s (${l.mutationsPerSecond.toFixed(1)} achieved)`;
          return (
            `  ${load}: mutation → event at every subscriber of the cart p50 ${l.eventP50.toFixed(0)} ms, p99 ${l.eventP99.toFixed(0)} ms ` +
            `(${l.deliveries}/${l.expected} events from ${l.reads} reads; the mutation's own response p50 ${l.mutationP50.toFixed(0)} ms; ` +
            `gateway CPU ${l.gatewayCpuPerReadMs.toFixed(2)} ms per read, the mutations and sends included)`
          );
        })
        .join('\n'),
  );
}
