import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentRequested } from '@shop/platform';
import { SimulatorProvider } from '../src/domain/simulator.ts';
import { resilientProvider, type ResilientProvider } from '../src/domain/resilient-provider.ts';
import { PaymentService } from '../src/domain/payment.service.ts';
import { RefundService } from '../src/domain/refund.service.ts';
import { ProviderTimeout } from '../src/domain/provider.ts';
import { startPaymentWorkers } from '../src/events/payment-workers.ts';
import { waitFor } from '../../../test/support/wait.ts';
import { log, request, startHarness, tag, type Harness } from './payment-harness.ts';

/**
 * A payment process that died while a payment was PENDING: its restart settles it at start, and a
 * redelivered request resumes it (the inbox already holds the request, so it is a duplicate).
 */
let h: Harness;
let sim: SimulatorProvider;
let provider: ResilientProvider;
let payments: PaymentService;
let stoppers: Array<() => Promise<void>> = [];
/** Workers of one "process" at a time: two durables on one database would both answer a request. */
async function stopWorkers() {
  for (const stop of stoppers) await stop();
  stoppers = [];
}

beforeAll(async () => {
  h = await startHarness('payrecover', { ownNats: true });
  sim = new SimulatorProvider(h.orm.em, { hangMs: 1 });
  provider = resilientProvider(sim, { timeoutMs: 1_000, retries: 2, initialBackoffMs: 5, maxBackoffMs: 20, breakerThreshold: 50 });
  payments = new PaymentService(h.orm.em, { provider, log });
});
afterEach(stopWorkers);
afterAll(async () => {
  await h?.close();
});

const payment = async (orderId: string) =>
  (await h.rows<{ id: string; status: string }>('select id, status from payment where order_id = ?', [orderId]))[0];
const charge = async (key: string) =>
  (await h.rows<{ attempts: number; outcome: string | null }>('select attempts, outcome from simulator_charge where idempotency_key = ?', [key]))[0];
const captured = async (orderId: string) =>
  (
    await h.rows<{ n: number }>(
      `select count(*)::int as n from outbox_event where subject = 'payment.captured' and payload -> 'data' ->> 'orderId' = ?`,
      [orderId],
    )
  )[0]!.n;

/** What a process did before it was killed: the payment recorded PENDING, the provider maybe called. */
async function diedWhilePending(req: PaymentRequested, reachedProvider: 'hung' | 'charged' | 'never', inbox?: { durable: string; eventId: string }) {
  await h.tx(async (tx) => {
    await payments.capture(tx, req);
    if (inbox)
      await tx.execute('insert into inbox_message (consumer, message_id, subject) values (?, ?, ?)', [
        inbox.durable,
        inbox.eventId,
        'order.payment.requested',
      ]);
  });
  const call = { idempotencyKey: req.orderId, amount: req.amount, currency: req.currency, token: req.paymentToken };
  if (reachedProvider === 'hung') await expect(sim.capture(call)).rejects.toBeInstanceOf(ProviderTimeout); // first attempt, then the kill
  if (reachedProvider === 'charged') await sim.capture(call); // charged, the kill came before the result was recorded
  expect((await payment(req.orderId))!.status).toBe('PENDING');
}

describe('payment recovery after a crash', () => {
  it('settles every PENDING payment and refund at start: known outcomes recorded, unfinished captures made once', async () => {
    const hung = request('tok_timeout');
    const charged = request('tok_visa');
    const never = request('tok_visa');
    await diedWhilePending(hung, 'hung');
    await diedWhilePending(charged, 'charged');
    await diedWhilePending(never, 'never');
    const refunded = request('tok_visa', 3_000);
    expect(await payments.captureNow(refunded)).toBe('CAPTURED');
    const refunds = new RefundService(h.orm.em, { provider, log });
    const claim = await h.tx(async (tx) => refunds.claim(tx, (await payment(refunded.orderId))!.id, 1_000, 'crashed-refund', null));
    expect(claim.refund?.status).toBe('PENDING');

    // The restart: stale time and interval of 10 minutes, far beyond the waits below (60 s each),
    // so only the start-up pass can have settled them.
    stoppers.push(
      ...(await startPaymentWorkers(
        { orm: h.orm, nc: h.nc, log, outbox: h.relay },
        { provider, durable: `payment-start-${tag}`, staleAfterMs: 600_000, recoverIntervalMs: 600_000 },
      )),
    );
    const settled = { timeoutMs: 60_000 };
    await waitFor(
      'the three payments captured',
      async () => (await Promise.all([hung, charged, never].map(async (r) => (await payment(r.orderId))!.status))).every((s) => s === 'CAPTURED'),
      settled,
    );
    await waitFor('the refund settled', async () => (await refunds.byIds([claim.refund!.id]))[0]?.status === 'SUCCEEDED', settled);

    expect(await charge(hung.orderId)).toEqual({ attempts: 2, outcome: 'SUCCEEDED' }); // the hung attempt, then one capture
    expect(await charge(charged.orderId)).toEqual({ attempts: 1, outcome: 'SUCCEEDED' }); // recorded from the status check alone
    expect(await charge(never.orderId)).toEqual({ attempts: 1, outcome: 'SUCCEEDED' });
    for (const r of [hung, charged, never]) expect(await captured(r.orderId)).toBe(1);
  });

  it('resumes a PENDING payment when its request is redelivered (a duplicate for the inbox)', async () => {
    const durable = `payment-dup-${tag}`;
    stoppers.push(
      ...(await startPaymentWorkers(
        { orm: h.orm, nc: h.nc, log, outbox: h.relay },
        { provider, durable, staleAfterMs: 600_000, recoverIntervalMs: 600_000 },
      )),
    );
    const req = request('tok_timeout');
    const envelope = { id: randomUUID(), subject: 'order.payment.requested', occurredAt: new Date().toISOString(), data: req };
    // The first delivery committed its inbox row and payment, hung at the provider and died; the
    // start-up pass of the workers above has already run, so only the redelivery can settle it.
    await diedWhilePending(req, 'hung', { durable, eventId: envelope.id });
    const ack = (await h.nc.request('order.payment.requested', JSON.stringify(envelope), { timeout: 5_000 })).json<{ stream: string }>();
    expect(ack.stream).toBe('ORDER');
    await waitFor('the payment captured', async () => (await payment(req.orderId))!.status === 'CAPTURED');
    expect(await charge(req.orderId)).toEqual({ attempts: 2, outcome: 'SUCCEEDED' });
    expect(await captured(req.orderId)).toBe(1);
    const [inbox] = await h.rows<{ n: number }>('select count(*)::int as n from inbox_message where consumer = ? and message_id = ?', [
      durable,
      envelope.id,
    ]);
    expect(inbox!.n).toBe(1);
  });

  it('joins a settlement already running in the process instead of calling the provider again', async () => {
    const req = request('tok_timeout');
    await diedWhilePending(req, 'never');
    const { id } = (await payment(req.orderId))!;
    const calls: string[] = [];
    const counting = {
      ...provider,
      capture: (r: Parameters<typeof provider.capture>[0]) => (calls.push('capture'), provider.capture(r)),
      status: (k: string) => (calls.push('status'), provider.status(k)),
    };
    const service = new PaymentService(h.orm.em, { provider: counting, log });
    const results = await Promise.all([service.settleCapture(id), service.resumeCapture(req.orderId), service.settleCapture(id, { resume: true })]);
    expect(results).toEqual(['CAPTURED', 'CAPTURED', 'CAPTURED']);
    // One settlement, so one capture call (its timed-out first attempt retried inside the policy).
    expect(calls.filter((c) => c === 'capture')).toHaveLength(1);
    expect(await charge(req.orderId)).toEqual({ attempts: 2, outcome: 'SUCCEEDED' });
  });
});
