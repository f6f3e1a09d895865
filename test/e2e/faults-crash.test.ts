import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devToken, startExtraGateway, startTestSupergraph, type TestSupergraph } from '../support/stack.ts';
import { follow, sleep, type Followed } from '../support/live.ts';
import { figuresOf, reconnectingClient, Recorder, report, send, startLoad, successesAfterRestart } from '../support/faults.ts';
import { waitFor } from '../support/wait.ts';
import { Purchases, stockProducts } from '../support/fault-shop.ts';
import { sagasHeldUp, settle, stockOf } from '../support/fault-invariants.ts';

/**
 * Each subgraph SIGKILLed while a batch of checkouts is in flight, and the gateway SIGKILLed under
 * 50 subscribers; each restarted on its port. One stack for all, one scenario after the other.
 */

let stack: TestSupergraph;
let starting: Promise<TestSupergraph> | undefined;
const disposers: Array<() => unknown> = [];

beforeAll(async () => {
  starting = startTestSupergraph();
  stack = await starting;
}, 240_000);
afterAll(async () => {
  await Promise.all(disposers.map((dispose) => dispose()));
  // A start still under way (its hook timed out) is stopped once it is up, not left running.
  await (await starting?.catch(() => undefined))?.stop();
});

const OUTAGE_MS = 3_000;
const SETTLE_MS = 100_000;

describe('a subgraph killed mid-checkout', () => {
  for (const [index, name] of ['payment', 'order', 'catalog', 'cart'].entries()) {
    it(
      `${name}: SIGKILLed while checkouts are in flight, restarted — nothing lost or stuck, one capture, stock = initial − confirmed`,
      { timeout: 180_000 },
      async () => {
        const rec = new Recorder();
        const products = await stockProducts(stack, 2, index * 2, 5_000);
        const initialStock = await stockOf(stack, products);
        const purchases = new Purchases(stack, rec, products, `kill-${name}`);
        await purchases.prepareCarts(40);
        const load = startLoad(2, () => purchases.purchase(), { maxOps: 400, maxMs: 90_000 });
        let burst: Array<Promise<boolean>> = [];
        try {
          await waitFor('checkouts before the fault', () => purchases.accepted.size >= 3, { timeoutMs: 15_000 });
          burst = purchases.burst(12);
          // Killed as the first of the batch is answered: the others are in flight, their sagas running.
          await Promise.race(burst);
          rec.mark('fault');
          await stack.crashAndRestart(name, async () => {
            await sleep(OUTAGE_MS);
            rec.mark('restart');
          });
          rec.mark('ready');
          await successesAfterRestart(rec);
        } finally {
          await load.stop();
          await Promise.all(burst);
        }
        const stillFailing = await purchases.retryFailed();
        const outcome = await settle(stack, { cartIds: purchases.cartIds, accepted: purchases.accepted, initialStock }, SETTLE_MS);
        rec.mark('settled');
        await report(
          figuresOf(`${name} killed mid-checkout`, rec, {
            accepted: purchases.accepted.size,
            sagasHeldUp: await sagasHeldUp(stack, purchases, rec),
            statuses: outcome.statuses,
          }),
        );
        expect(stillFailing).toEqual([]);
        expect(outcome.problems).toEqual([]);
      },
    );
  }
});

type LiveCart = { cartUpdated: { version: number } };
type LiveOrder = { orderUpdated: { status: string } };
const CART_QUERY = 'query ($id: ID!) { cart(id: $id) { version } }';
const SHIP = 'mutation ($id: ID!) { orderShip(id: $id, trackingNumber: "TRK-1") { userErrors { code } } }';
const ADD =
  'mutation ($id: ID!, $p: ID!) { cartLinesAdd(cartId: $id, lines: [{ productId: $p, quantity: 1 }]) { cart { version } userErrors { code } } }';

describe('the gateway killed with subscribers', () => {
  it('50 graphql-ws clients reconnect to the restarted gateway and end on the current state', { timeout: 180_000 }, async () => {
    const rec = new Recorder();
    const admin = await devToken('faults-ops', ['admin']);
    const products = await stockProducts(stack, 2, 8, 5_000);
    const initialStock = await stockOf(stack, products);
    const purchases = new Purchases(stack, rec, products, 'gateway');
    // 20 carts with two devices each; 10 paid orders, each followed by one admin.
    const carts: string[] = [];
    for (let i = 0; i < 20; i++) carts.push((await purchases.createCart())!);
    await purchases.prepareCarts(10);
    expect(await Promise.all(purchases.burst(10))).toEqual(Array(10).fill(true));
    const orders = [...purchases.accepted];
    await settle(stack, { cartIds: purchases.cartIds, accepted: orders, initialStock }, SETTLE_MS);

    const cartClients = [...carts, ...carts].map(() => reconnectingClient(stack.gatewayUrl));
    const orderClients = await Promise.all(
      orders.map(async (_, i) => reconnectingClient(stack.gatewayUrl, await devToken(`faults-watcher-${i}`, ['admin']))),
    );
    const clients = [...cartClients, ...orderClients];
    disposers.push(...clients.map((c) => () => c.client.dispose()));
    const cartWatchers = [...carts, ...carts].map(
      (id, i) => [id, follow<LiveCart>(cartClients[i]!.client, 'subscription ($id: ID!) { cartUpdated(cartId: $id) { version } }', { id })] as const,
    );
    const orderWatchers = orders.map(
      (id, i) =>
        [id, follow<LiveOrder>(orderClients[i]!.client, 'subscription ($id: ID!) { orderUpdated(orderId: $id) { status } }', { id })] as const,
    );
    await Promise.all([...cartWatchers, ...orderWatchers].map(([, w]) => w.waitFor(() => true, 30_000)));

    // A second gateway in front of the same subgraphs: where writes go while this one is down.
    const other = await startExtraGateway(stack, {});
    const elsewhere = new Recorder();
    disposers.push(other.stop);
    const probe = startLoad(2, (w) => send(rec, 'cart', stack.gatewayUrl, CART_QUERY, { variables: { id: carts[w]! } }).then(Boolean), {
      maxOps: 2000,
      maxMs: 90_000,
    });
    try {
      await waitFor('reads before the fault', () => rec.attempts.length >= 60, { timeoutMs: 10_000 });
      rec.mark('fault');
      await stack.crashAndRestart('gateway', async () => {
        // Changes the subscribers cannot hear now: a line on every cart, every order shipped.
        for (const id of carts)
          await send(elsewhere, 'cartLinesAdd', other.url, ADD, {
            variables: { id, p: products[0] },
            userErrors: (d) => (d.cartLinesAdd as { userErrors: unknown }).userErrors,
          });
        for (const id of orders)
          await send(elsewhere, 'orderShip', other.url, SHIP, {
            token: admin,
            variables: { id },
            userErrors: (d) => (d.orderShip as { userErrors: unknown }).userErrors,
          });
        await sleep(OUTAGE_MS);
        rec.mark('restart');
      });
      rec.mark('ready');
      await successesAfterRestart(rec);
    } finally {
      await probe.stop();
    }

    const current = new Map<string, number>();
    expect(elsewhere.attempts.filter((a) => a.code !== 'OK')).toEqual([]);
    for (const id of carts)
      current.set(id, (await send<{ cart: { version: number } }>(elsewhere, 'cart', other.url, CART_QUERY, { variables: { id } }))!.cart.version);
    const last = <T>(w: Followed<T>) => w.results.at(-1);
    const behind = () => [
      ...cartWatchers.filter(([id, w]) => last(w)?.cartUpdated.version !== current.get(id)).map(([id]) => `cart ${id}`),
      ...orderWatchers.filter(([, w]) => last(w)?.orderUpdated.status !== 'SHIPPED').map(([id]) => `order ${id}`),
    ];
    await waitFor('every subscriber on the current state', () => behind().length === 0, { timeoutMs: 45_000 }).catch(() => undefined);
    rec.mark('settled');
    expect(behind()).toEqual([]);
    const reconnected = clients.filter((c) => c.connections() > 1).length;

    // Still live, not only resynced once: a change after the restart reaches every device.
    for (const id of carts)
      current.set(
        id,
        (await send<{ cartLinesAdd: { cart: { version: number } } }>(rec, 'cartLinesAdd', stack.gatewayUrl, ADD, {
          variables: { id, p: products[0] },
        }))!.cartLinesAdd.cart.version,
      );
    await waitFor('every subscriber on the change after the restart', () => behind().length === 0, { timeoutMs: 20_000 }).catch(() => undefined);
    expect(behind()).toEqual([]);
    const errors = [...cartWatchers, ...orderWatchers].flatMap(([, w]) => w.errors);

    const outcome = await settle(stack, { cartIds: purchases.cartIds, accepted: purchases.accepted, initialStock }, SETTLE_MS);
    await report(
      figuresOf('gateway killed with 50 subscribers', rec, {
        subscribers: clients.length,
        reconnected,
        writesViaOtherGateway: elsewhere.attempts.length,
        subscriptionErrors: errors.length,
        statuses: outcome.statuses,
      }),
    );
    expect(errors).toEqual([]);
    expect(reconnected).toBe(clients.length);
    expect(outcome.problems).toEqual([]);
  });
});
