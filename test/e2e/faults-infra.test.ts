import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFreePort, startPostgres, type RunningPostgres } from '@shop/platform/stack';
import { startTestSupergraph, type TestSupergraph } from '../support/stack.ts';
import { metric } from '../support/shop.ts';
import { sleep } from '../support/live.ts';
import { figuresOf, Recorder, report, send, startLoad, successesAfterRestart } from '../support/faults.ts';
import { waitFor } from '../support/wait.ts';
import { CartEdits, Purchases, stockProducts } from '../support/fault-shop.ts';
import { cartWritesKept, sagasHeldUp, settle, stockOf } from '../support/fault-invariants.ts';

/**
 * Redis, NATS and Postgres each taken away under load and brought back, on one stack. Postgres is
 * this file's own server: the shared test server cannot be restarted under other files' feet.
 */

let stack: TestSupergraph;
let starting: Promise<TestSupergraph> | undefined;
let postgres: RunningPostgres;
let pgDir: string;
let pgOptions: Parameters<typeof startPostgres>[0];

beforeAll(async () => {
  pgDir = mkdtempSync(join(tmpdir(), 'shop-faults-pg-'));
  chmodSync(pgDir, 0o755); // as root, Postgres runs as the postgres user, which must enter it
  pgOptions = { dataDir: join(pgDir, 'data'), port: await getFreePort(), logFile: join(pgDir, 'postgres.log'), ephemeral: true };
  postgres = await startPostgres(pgOptions);
  starting = startTestSupergraph({}, { postgresUrl: postgres.url('postgres') });
  stack = await starting;
}, 240_000);
afterAll(async () => {
  // A start still under way (its hook timed out) is stopped once it is up, not left running.
  await (await starting?.catch(() => undefined))?.stop();
  await postgres?.stop();
  if (pgDir) rmSync(pgDir, { recursive: true, force: true });
});

const OUTAGE_MS = 5_000;
const SETTLE_MS = 100_000;

describe('infrastructure faults under load', () => {
  it(
    'Redis killed under cart load, then restarted: every acknowledged cart write is there, no read older than it',
    { timeout: 120_000 },
    async () => {
      const rec = new Recorder();
      const [productId] = await stockProducts(stack, 1, 0, 20_000);
      const edits = new CartEdits(stack, rec, productId!);
      await edits.createCarts(24);
      const workers = 6;
      const load = startLoad(workers, (w) => edits.step(w, workers), { maxOps: 5000, maxMs: 60_000 });
      try {
        await waitFor('cart load before the fault', () => rec.attempts.length >= 60, { timeoutMs: 15_000 });
        rec.mark('fault');
        await stack.redis.pause();
        await sleep(OUTAGE_MS);
        rec.mark('restart');
        await stack.redis.restart();
        rec.mark('ready');
        await successesAfterRestart(rec, 50);
      } finally {
        await load.stop();
      }
      // Settled: the cart subgraph uses its cache again and the gateway hears live updates again.
      const cartUp = () => metric(stack.subgraphUrls.cart!, 'cart_cache_up');
      const liveUp = () => metric(stack.gatewayUrl, 'gateway_live_updates_up');
      await waitFor('the cache and live updates back up', async () => (await cartUp()) === 1 && (await liveUp()) === 1, { timeoutMs: 20_000 });
      rec.mark('settled');
      const problems = await cartWritesKept(stack, edits.carts);
      const acked = edits.carts.reduce((n, c) => n + c.acked, 0);
      const staleReads = rec.attempts.filter((a) => a.code === 'STALE_READ').length;
      await report(figuresOf('redis killed under cart load', rec, { carts: edits.carts.length, acknowledgedAdds: acked, staleReads }));
      expect(problems).toEqual([]);
      expect(staleReads).toBe(0);
    },
  );

  it('NATS killed during checkouts, then restarted on the same port and store: nothing lost or stuck', { timeout: 180_000 }, async () => {
    const rec = new Recorder();
    const products = await stockProducts(stack, 2, 1, 5_000);
    const initialStock = await stockOf(stack, products);
    const purchases = new Purchases(stack, rec, products, 'nats');
    await purchases.prepareCarts(40);
    const load = startLoad(3, () => purchases.purchase(), { maxOps: 600, maxMs: 90_000 });
    try {
      await waitFor('checkouts before the fault', () => purchases.accepted.size >= 5, { timeoutMs: 15_000 });
      rec.mark('fault');
      await stack.nats.kill();
      await sleep(OUTAGE_MS);
      rec.mark('restart');
      await stack.nats.restart();
      rec.mark('ready');
      await successesAfterRestart(rec);
    } finally {
      await load.stop();
    }
    const stillFailing = await purchases.retryFailed();
    const outcome = await settle(stack, { cartIds: purchases.cartIds, accepted: purchases.accepted, initialStock }, SETTLE_MS);
    rec.mark('settled');
    await report(
      figuresOf('nats killed during checkouts', rec, {
        accepted: purchases.accepted.size,
        sagasHeldUp: await sagasHeldUp(stack, purchases, rec),
        statuses: outcome.statuses,
      }),
    );
    expect(stillFailing).toEqual([]);
    expect(outcome.problems).toEqual([]);
  });

  it('Postgres restarted during mixed traffic: nothing lost or stuck, every acknowledged write kept', { timeout: 180_000 }, async () => {
    const rec = new Recorder();
    const products = await stockProducts(stack, 3, 3, 20_000);
    const initialStock = await stockOf(stack, products.slice(0, 2));
    const purchases = new Purchases(stack, rec, products.slice(0, 2), 'pg');
    await purchases.prepareCarts(20);
    const edits = new CartEdits(stack, rec, products[2]!);
    await edits.createCarts(12);
    const browse = () =>
      send(rec, 'products', stack.gatewayUrl, '{ products(first: 10, sort: PRICE_ASC) { edges { node { id name availableQuantity } } } }').then(
        Boolean,
      );
    const loads = [
      startLoad(2, () => purchases.purchase(), { maxOps: 400, maxMs: 90_000 }),
      startLoad(3, (w) => edits.step(w, 3), { maxOps: 3000, maxMs: 90_000 }),
      startLoad(1, browse, { maxOps: 2000, maxMs: 90_000 }),
    ];
    try {
      await waitFor('traffic before the fault', () => purchases.accepted.size >= 5 && rec.attempts.length >= 60, { timeoutMs: 20_000 });
      rec.mark('fault');
      await postgres.stop();
      await sleep(OUTAGE_MS);
      rec.mark('restart');
      postgres = await startPostgres(pgOptions);
      rec.mark('ready');
      await successesAfterRestart(rec, 20);
    } finally {
      await Promise.all(loads.map((l) => l.stop()));
    }
    const stillFailing = await purchases.retryFailed();
    const outcome = await settle(stack, { cartIds: purchases.cartIds, accepted: purchases.accepted, initialStock }, SETTLE_MS);
    rec.mark('settled');
    const cartProblems = await cartWritesKept(stack, edits.carts);
    const staleReads = rec.attempts.filter((a) => a.code === 'STALE_READ').length;
    await report(
      figuresOf('postgres restarted during mixed traffic', rec, {
        accepted: purchases.accepted.size,
        sagasHeldUp: await sagasHeldUp(stack, purchases, rec),
        statuses: outcome.statuses,
        staleReads,
      }),
    );
    expect(stillFailing).toEqual([]);
    expect(outcome.problems).toEqual([]);
    expect(cartProblems).toEqual([]);
    expect(staleReads).toBe(0);
  });
});
