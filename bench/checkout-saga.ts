/**
 * `pnpm bench checkout-saga`: drives real checkouts through the gateway to a final order status and
 * measures checkouts/s to CONFIRMED and the time from the checkout mutation to CONFIRMED
 * (p50/p95), counting orders lost (never created) or stuck (not final after the deadline).
 * Bounded: BENCH_CHECKOUTS checkouts (default 200), BENCH_CONNECTIONS at a time.
 *
 * Each buyer follows its order as a storefront's order page does, through `orderUpdated` on a
 * WebSocket of its own (BENCH_FOLLOW=subscription, the default): graphql-ws opens it for the
 * subscription and closes it once the order is final, so every checkout pays a connection (about
 * 1.5–3 ms of the machine's CPU, most of it this client's; measured with the socket kept open). Or
 * by polling `order(id)` every 10 ms (BENCH_FOLLOW=poll, the figures before issue 15's third
 * round). Each buyer is its own user, as real shoppers are (the gateway caps WebSockets per user).
 * A warm-up round (BENCH_WARMUP_CHECKOUTS, default 3,000) runs first and is reported apart: a
 * process just started runs its code unoptimized, and a deployed one has long left that state.
 * After a restart the stack's CPU per checkout kept falling, in every process alike, for about
 * the first 2,500–3,500 checkouts (52 → 30 ms of the machine in 200-checkout windows): a
 * warm-up of 500 measured part of that climb.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { signDevToken } from '@shop/platform';
import { cpuSeconds, graphql, percentile } from './client.ts';
import { cpuPer, machineCpu } from './machine.ts';

export type FollowMode = 'subscription' | 'poll';

interface SagaBenchOptions {
  gatewayUrl: string;
  checkouts: number;
  /** Checkouts run first at the same concurrency and not counted (reported apart). */
  warmupCheckouts: number;
  concurrency: number;
  follow: FollowMode;
  /** The stack's Node processes by name (their /graphql URLs): each one's CPU per checkout is reported from its /metrics. */
  processes: Record<string, string>;
}

/** Every process's CPU seconds so far, by name. */
const cpuOf = async (processes: Record<string, string>) =>
  Object.fromEntries(await Promise.all(Object.entries(processes).map(async ([name, url]) => [name, await cpuSeconds(url)] as const)));

const FINAL_WAIT_MS = 30_000;
const inFlight = (status: string | undefined) => status === 'PENDING' || status === 'AWAITING_PAYMENT';

/** Polls `order(id)` until its status is final (or the deadline); counts the reads. */
async function pollStatus(gatewayUrl: string, orderId: string, token: string, t0: number, reads: { count: number }): Promise<string | undefined> {
  let status: string | undefined;
  while (performance.now() - t0 < FINAL_WAIT_MS) {
    reads.count++;
    const order = await graphql<{ order: { status: string } | null }>(
      gatewayUrl,
      'query ($id: ID!) { order(id: $id) { status } }',
      { id: orderId },
      token,
    );
    status = order.order?.status;
    if (status && !inFlight(status)) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  return status;
}

/** Follows `orderUpdated` until a final status (or the deadline); counts the events. */
function subscribeStatus(client: Client, orderId: string, events: { count: number }): Promise<string | undefined> {
  return new Promise((resolve) => {
    let last: string | undefined;
    const finish = () => {
      clearTimeout(timer);
      stop();
      resolve(last);
    };
    const timer = setTimeout(finish, FINAL_WAIT_MS);
    const stop = client.subscribe<{ orderUpdated: { status: string } }>(
      { query: 'subscription ($id: ID!) { orderUpdated(orderId: $id) { status } }', variables: { id: orderId } },
      {
        next: (result) => {
          events.count++;
          last = result.data?.orderUpdated.status ?? last;
          if (last && !inFlight(last)) finish();
        },
        error: finish,
        complete: finish,
      },
    );
  });
}

/** Stocks the first 50 single-variant in-stock products with enough units for every checkout. */
async function stockProducts(gatewayUrl: string, admin: string, units: number): Promise<string[]> {
  const stocked = await graphql<{ products: { edges: Array<{ node: { id: string; availableQuantity: number; options: unknown[] } }> } }>(
    gatewayUrl,
    '{ products(first: 100, filter: { inStock: true }, sort: PRICE_ASC) { edges { node { id availableQuantity options { name } } } } }',
    {},
  );
  // Products sold as one variant: their id is what is bought (and what inventoryAdjust takes).
  const products = stocked.products.edges
    .map((e) => e.node)
    .filter((p) => p.options.length === 0)
    .slice(0, 50);
  // Enough stock that every checkout can be confirmed: the figure is the saga's speed, not rejections.
  for (const p of products) {
    await graphql(
      gatewayUrl,
      `
        mutation ($id: ID!, $d: Int!) {
          inventoryAdjust(productId: $id, delta: $d, reason: "bench") {
            userErrors {
              code
            }
          }
        }
      `,
      { id: p.id, d: units },
      admin,
    );
  }
  return products.map((p) => p.id);
}

/** Creates a one-line cart and checks it out: the order's id (null when refused) and when the checkout mutation was sent. */
async function checkOut(gatewayUrl: string, productId: string): Promise<{ orderId: string | null; t0: number }> {
  const cart = await graphql<{ cartCreate: { cart: { id: string } } }>(
    gatewayUrl,
    `
      mutation ($p: ID!) {
        cartCreate(input: { lines: [{ productId: $p }] }) {
          cart {
            id
          }
        }
      }
    `,
    { p: productId },
  );
  const t0 = performance.now();
  const result = await graphql<{ cartCheckout: { checkout: { id: string } | null } }>(
    gatewayUrl,
    `
      mutation ($id: ID!, $input: CheckoutInput!) {
        cartCheckout(cartId: $id, input: $input) {
          checkout {
            id
          }
        }
      }
    `,
    {
      id: cart.cartCreate.cart.id,
      input: {
        email: 'bench@example.com',
        shippingAddress: { name: 'Bench', line1: '1 Main St', city: 'Springfield', postalCode: '12345', countryCode: 'US' },
        paymentToken: 'tok_visa',
        idempotencyKey: `bench-${cart.cartCreate.cart.id}`,
      },
    },
  );
  return { orderId: result.cartCheckout.checkout?.id ?? null, t0 };
}

/** `count` checkouts by `options.concurrency` buyers; each buyer is its own user. */
async function runRound(options: SagaBenchOptions, products: string[], tokens: string[], count: number) {
  const latencies: number[] = [];
  let lost = 0;
  let stuck = 0;
  let failed = 0;
  // Each poll or event is a gateway → order read: load the figure includes.
  const reads = { count: 0 };
  let next = 0;
  const started = performance.now();
  const worker = async (token: string) => {
    const live =
      options.follow === 'subscription'
        ? createClient({
            url: options.gatewayUrl.replace(/^http/, 'ws'),
            webSocketImpl: WebSocket,
            connectionParams: { authorization: `Bearer ${token}` },
            retryAttempts: 0,
          })
        : undefined;
    while (next < count) {
      const i = next++;
      const { orderId, t0 } = await checkOut(options.gatewayUrl, products[i % products.length]!);
      if (!orderId) {
        failed++;
        continue;
      }
      // A subscription refused or dropped says nothing about the order: then its status is read.
      const followed = live ? await subscribeStatus(live, orderId, reads) : undefined;
      const status = followed ?? (await pollStatus(options.gatewayUrl, orderId, token, t0, reads));
      if (status === 'CONFIRMED') latencies.push(performance.now() - t0);
      else if (!status) lost++;
      else if (inFlight(status)) stuck++;
      else failed++;
    }
    await live?.dispose();
  };
  await Promise.all(tokens.map(worker));
  const seconds = (performance.now() - started) / 1000;
  return { checkouts: count, confirmed: latencies.length, perSecond: latencies.length / seconds, latencies, lost, stuck, failed, reads: reads.count };
}

export async function runCheckoutSagaBench(options: SagaBenchOptions) {
  const admin = await signDevToken({ sub: 'bench-admin', roles: ['admin'] });
  const products = await stockProducts(options.gatewayUrl, admin, options.warmupCheckouts + options.checkouts);
  // Admins, to read guest orders; one user per buyer, as real shoppers are.
  const tokens = await Promise.all(
    Array.from({ length: options.concurrency }, (_, i) => signDevToken({ sub: `bench-buyer-${i}`, roles: ['admin'] })),
  );
  const warmup = options.warmupCheckouts > 0 ? await runRound(options, products, tokens, options.warmupCheckouts) : undefined;

  // This process shares the machine with the stack: its own CPU is part of what the figure pays.
  const cpuBefore = process.cpuUsage();
  const stackBefore = await cpuOf(options.processes);
  const machineBefore = machineCpu();
  const round = await runRound(options, products, tokens, options.checkouts);
  const machine = cpuPer(machineBefore, machineCpu(), options.checkouts);
  const cpu = process.cpuUsage(cpuBefore);
  const stackAfter = await cpuOf(options.processes);
  return {
    checkouts: options.checkouts,
    confirmed: round.confirmed,
    perSecond: round.perSecond,
    p50: percentile(round.latencies, 50),
    p95: percentile(round.latencies, 95),
    lost: round.lost,
    stuck: round.stuck,
    failed: round.failed,
    follow: options.follow,
    statusReadsPerCheckout: round.reads / options.checkouts,
    warmup: warmup && {
      checkouts: warmup.checkouts,
      confirmed: warmup.confirmed,
      perSecond: warmup.perSecond,
      p50: percentile(warmup.latencies, 50),
    },
    /** The whole machine's busy and stolen CPU per checkout, ms (undefined without /proc/stat). */
    machineCpuPerCheckout: machine,
    /** The bench's own CPU (user + system) per checkout, ms: the load generator runs on the same cores. */
    clientCpuMsPerCheckout: (cpu.user + cpu.system) / 1000 / options.checkouts,
    /** Each Node process's CPU per checkout, ms (Postgres, NATS and Redis are not in it). */
    processCpuMsPerCheckout: Object.fromEntries(
      Object.keys(options.processes).map((name) => [name, ((stackAfter[name]! - stackBefore[name]!) * 1000) / options.checkouts]),
    ),
  };
}
