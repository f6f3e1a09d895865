import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManagedProcess } from '@shop/platform/stack';
import { startTestSupergraph, type TestSupergraph } from '../support/stack.ts';
import { figuresOf, Recorder, report } from '../support/faults.ts';
import { Purchases, stockProducts } from '../support/fault-shop.ts';
import { settle, stockOf } from '../support/fault-invariants.ts';
import { waitFor } from '../support/wait.ts';
import {
  confirmedSince,
  databaseNow,
  FIRST,
  handledSince,
  killHard,
  publishedSince,
  redeliveriesSeen,
  recordWhoDidWhat,
  REPLICATED,
  SAGA_CONSUMERS,
  publishedOf,
  type ByEvent,
  handledOf,
  sagaConsumersDrained,
  SECOND,
  secondAtWork,
  startSecondReplicas,
  statusHistories,
  total,
  type Replicated,
  type Split,
} from '../support/replicas.ts';

/**
 * Issue 16, scaling out: two processes of every subgraph on one stack (same databases, Redis and
 * NATS; the gateway sends to the first). They share each durable JetStream consumer and the outbox
 * table, so a burst of checkouts is handled by both, each event once; a second process SIGKILLed
 * mid-burst loses nothing (its unacked messages go to the first after the ack wait, its locked
 * outbox rows are released with its connections).
 */

const N = 40;
const SETTLE_MS = 150_000;
let stack: TestSupergraph;
let starting: Promise<TestSupergraph> | undefined;
let second: Record<Replicated, ManagedProcess>;

beforeAll(async () => {
  starting = startTestSupergraph({ PGAPPNAME: FIRST });
  stack = await starting;
  // Before any second process starts: from then on every inbox and outbox row says who handled it.
  await recordWhoDidWhat(stack);
  second = await startSecondReplicas(stack);
}, 300_000);
afterAll(async () => {
  // A start still under way (its hook timed out) is stopped once it is up, not left running.
  await (await starting?.catch(() => undefined))?.stop();
});

const HISTORY = ['PENDING', 'AWAITING_PAYMENT', 'CONFIRMED'];

/** What must hold once a burst's orders settled: each saga event handled exactly once, no effect twice. */
async function everyEventOnce(purchases: Purchases, tag: string, since: Date, initialStock: Awaited<ReturnType<typeof stockOf>>) {
  // Nothing lost or stuck, one payment row and one provider capture per order, stock = initial − confirmed.
  const outcome = await settle(stack, { cartIds: purchases.cartIds, accepted: purchases.accepted, initialStock }, SETTLE_MS);
  expect(outcome.problems).toEqual([]);
  expect(outcome.statuses).toEqual({ CONFIRMED: N });
  // Every status once, in order: no saga step ran twice.
  const histories = await statusHistories(stack, [...purchases.accepted]);
  expect(Object.values(histories).filter((h) => h.join() !== HISTORY.join())).toEqual([]);
  expect(Object.keys(histories)).toHaveLength(N);
  // JetStream: every message of every saga consumer delivered and acknowledged.
  await waitFor('saga consumers drained', async () => (await sagaConsumersDrained(stack)).length === 0, { timeoutMs: 30_000 });
  // Inbox: one row per event and consumer (its primary key), and exactly as many events as the
  // orders make: no event published twice under two ids, none missing.
  const handled = await handledSince(stack, since);
  // Steps that went by event (their request got no answer) are answered by event, each once.
  const byEvent: Record<ByEvent, number> = {
    reservation: await handledOf(stack, 'catalog', 'catalog-inventory', 'order.stock.reserve', since),
    payment: await handledOf(stack, 'payment', 'payment-saga', 'order.payment.requested', since),
    capture: await publishedOf(stack, 'payment', 'payment.captured', since),
  };
  expect(await handledOf(stack, 'order', 'order-inventory', 'inventory.reserved', since)).toBe(byEvent.reservation);
  // Every payment asked by event is answered by event; a reply that came late is answered by event too.
  expect(byEvent.capture).toBeGreaterThanOrEqual(byEvent.payment);
  const counts = Object.fromEntries(SAGA_CONSUMERS.map((c) => [c.durable, total(handled[`${c.subgraph}/${c.durable}`])]));
  expect(counts).toEqual(Object.fromEntries(SAGA_CONSUMERS.map((c) => [c.durable, c.perOrder * N + (c.byEvent ? byEvent[c.byEvent] : 0)])));
  // One confirmation email per order (a resend after a kill would carry the same subject and Message-ID).
  const email = `${tag}@example.com`;
  await waitFor('a confirmation email per order', () => confirmations(email).size === N, { timeoutMs: 30_000 });
  return { outcome, handled, published: await publishedSince(stack, since), emails: stack.mail.mailsTo(email).length };
}

const confirmations = (email: string) => new Set(stack.mail.mailsTo(email).flatMap((m) => (/is confirmed/.test(m.subject) ? [m.messageId] : [])));

/** Handled per subgraph (all its consumers), by process. */
function bySubgraph(handled: Record<string, Split>): Record<string, Split> {
  const sums: Record<string, Split> = {};
  for (const [key, split] of Object.entries(handled)) {
    const subgraph = key.split('/')[0]!;
    for (const [who, n] of Object.entries(split)) (sums[subgraph] ??= {})[who] = (sums[subgraph][who] ?? 0) + n;
  }
  return sums;
}

describe('two processes of each subgraph', () => {
  it(
    `share the durable consumers and the outbox: ${N} checkouts, each saga event handled once, by both processes`,
    { timeout: 240_000 },
    async () => {
      const rec = new Recorder();
      const products = await stockProducts(stack, 2, 0, 5_000);
      const initialStock = await stockOf(stack, products);
      const tag = 'replicas-shared';
      const purchases = new Purchases(stack, rec, products, tag);
      await purchases.prepareCarts(N);
      const since = await databaseNow(stack);
      expect(await Promise.all(purchases.burst(N))).toEqual(Array(N).fill(true));

      const { handled, published, emails } = await everyEventOnce(purchases, tag, since, initialStock);
      expect(emails).toBe(N);
      const perSubgraph = bySubgraph(handled);
      console.info(`[replicas] ${N} checkouts, handled by process: ${JSON.stringify(handled)}; published by process: ${JSON.stringify(published)}`);
      // Work sharing: the second process of each saga subgraph handled part of the burst, and so did the first.
      for (const name of ['order', 'catalog', 'payment', 'cart', 'account']) {
        expect(perSubgraph[name]?.[FIRST], `${name}: handled by the first process`).toBeGreaterThan(0);
        expect(perSubgraph[name]?.[SECOND], `${name}: handled by the second process`).toBeGreaterThan(0);
      }
    },
  );

  it(
    `lose nothing when the second process of each is SIGKILLed mid-burst: ${N} checkouts all CONFIRMED, every effect once`,
    { timeout: 240_000 },
    async () => {
      const rec = new Recorder();
      const products = await stockProducts(stack, 2, 2, 5_000);
      const initialStock = await stockOf(stack, products);
      const tag = 'replicas-killed';
      const purchases = new Purchases(stack, rec, products, tag);
      await purchases.prepareCarts(N);
      const since = await databaseNow(stack);
      const redeliveredBefore = await redeliveriesSeen(stack);
      // The burst in two halves, the kill between them: the second processes die holding work of the
      // first half, and the first processes take the second half alone (however fast the saga runs,
      // the kill never comes after the whole burst is done).
      const firstHalf = purchases.burst(N / 2);
      // Mid-burst: some orders confirmed, and a second process inside a transaction (handling a
      // message not acked yet, or publishing claimed outbox rows) — the kill lands on work under way.
      let underWay: string[] = [];
      await waitFor(
        'a few orders confirmed and the second processes at work',
        async () => (await confirmedSince(stack, since)) >= 4 && (underWay = await secondAtWork(stack)).length > 0,
        { timeoutMs: 90_000, intervalMs: 20 },
      );
      rec.mark('fault');
      await Promise.all(REPLICATED.map((name) => killHard(second[name])));
      const confirmedAtKill = await confirmedSince(stack, since);
      const handledAtKill = await handledSince(stack, since);
      const secondHalf = purchases.burst(N / 2);
      // Checkouts go through the gateway to the first processes: none is refused by the kill.
      expect(await Promise.all([...firstHalf, ...secondHalf])).toEqual(Array(N).fill(true));

      const { outcome, handled, published, emails } = await everyEventOnce(purchases, tag, since, initialStock);
      rec.mark('settled');
      const redelivered = await redeliveriesSeen(stack);
      const secondAtKill = Object.fromEntries(Object.entries(bySubgraph(handledAtKill)).map(([name, split]) => [name, split[SECOND] ?? 0]));
      await report(
        figuresOf('second replicas killed mid-burst', rec, {
          checkouts: N,
          confirmedAtKill,
          handledBySecondBeforeKill: secondAtKill,
          openInSecondAtKill: underWay,
          // Messages the killed processes held, handled (or found in the inbox) by the first ones.
          redeliveredToFirst: Object.fromEntries(REPLICATED.map((name) => [name, redelivered[name]! - redeliveredBefore[name]!])),
          handled: bySubgraph(handled),
          published,
          confirmationEmails: emails,
          statuses: outcome.statuses,
          killToSettledMs: rec.marks.settled! - rec.marks.fault!,
        }),
      );
    },
  );
});
