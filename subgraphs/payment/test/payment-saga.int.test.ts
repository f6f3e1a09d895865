import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsumer, type EventEnvelope, type EventConsumer, type PaymentRequested } from '@shop/platform';
import { SimulatorProvider } from '../src/domain/simulator.ts';
import { ProviderUnavailable, resilientProvider } from '../src/domain/resilient-provider.ts';
import type { PaymentProvider } from '../src/domain/provider.ts';
import { PaymentService } from '../src/domain/payment.service.ts';
import { RefundService } from '../src/domain/refund.service.ts';
import { startPaymentWorkers } from '../src/events/payment-workers.ts';
import { waitFor } from '../../../test/support/wait.ts';
import { log, request, startHarness, tag, type Harness } from './payment-harness.ts';

type Answer = EventEnvelope<{ orderId: string; code?: string; amount?: number }>;
let h: Harness;
let sim: SimulatorProvider;
let stoppers: Array<() => Promise<void>> = [];
let observer: EventConsumer;
const seen: Answer[] = [];

beforeAll(async () => {
  h = await startHarness('paysaga');
  sim = new SimulatorProvider(h.orm.em, { hangMs: 20 });
  const provider = resilientProvider(sim, { timeoutMs: 1_000, retries: 2, initialBackoffMs: 5, maxBackoffMs: 20, breakerThreshold: 50 });
  // Every payment answer that reaches the PAYMENT stream (this run's orders only, see below).
  observer = await startConsumer<Answer['data']>({
    em: h.orm.em,
    nc: h.nc,
    log,
    stream: 'PAYMENT',
    durable: `payment-observer-${tag}`,
    filterSubject: 'payment.>',
    handle: async (_tx, event) => void seen.push(event),
  });
  stoppers = await startPaymentWorkers({ orm: h.orm, nc: h.nc, log, outbox: h.relay }, { provider, durable: `payment-saga-${tag}` });
});
afterAll(async () => {
  for (const stop of stoppers) await stop();
  await observer?.stop();
  await h?.close();
});

const envelope = (subject: string, data: unknown, id = randomUUID()) => ({ id, subject, occurredAt: new Date().toISOString(), data });
/** A raw publish without Nats-Msg-Id: the stream keeps every copy, so the inbox must de-duplicate. */
async function publish(message: ReturnType<typeof envelope>) {
  const ack = (await h.nc.request(message.subject, JSON.stringify(message), { timeout: 5000 })).json<{ stream: string }>();
  expect(ack.stream).toBe('ORDER');
}
const requestPayment = (data: PaymentRequested) => publish(envelope('order.payment.requested', data));
const answersFor = (orderId: string, subject?: string) => seen.filter((e) => e.data.orderId === orderId && (!subject || e.subject === subject));
/**
 * A marker request published last and waited for: the worker takes messages one by one and the
 * outbox publishes in order, so once the marker is answered, an answer to anything published
 * before it would have been seen. Absence is checked after this positive signal, not after a sleep.
 */
async function answeredAfter() {
  const marker = request('tok_visa', 100);
  await requestPayment(marker);
  await waitFor('the marker answered', () => answersFor(marker.orderId).length > 0);
}
const outboxRows = async (orderId: string, subject: string) =>
  (
    await h.rows<{ n: number }>(`select count(*)::int as n from outbox_event where subject = ? and payload -> 'data' ->> 'orderId' = ?`, [
      subject,
      orderId,
    ])
  )[0]!.n;
const payment = async (orderId: string) =>
  (
    await h.rows<{ id: string; status: string; failureCode: string | null; refundedAmount: number; paymentToken: string | null }>(
      'select id, status, failure_code as "failureCode", refunded_amount as "refundedAmount", payment_token as "paymentToken" from payment where order_id = ?',
      [orderId],
    )
  )[0];
const charge = async (key: string) =>
  (await h.rows<{ attempts: number; outcome: string | null }>('select attempts, outcome from simulator_charge where idempotency_key = ?', [key]))[0];

describe('payment workers over JetStream', () => {
  it('captures tok_visa and answers one payment.captured', async () => {
    const req = request('tok_visa', 4_999);
    await requestPayment(req);
    await waitFor('the answer', () => answersFor(req.orderId).length > 0);
    const [answer] = answersFor(req.orderId);
    const row = await payment(req.orderId);
    expect(answer).toMatchObject({ subject: 'payment.captured', data: { orderId: req.orderId, paymentId: row!.id, amount: 4_999, currency: 'USD' } });
    expect(row!.status).toBe('CAPTURED');
    expect(row!.paymentToken).toBeNull(); // a settled payment keeps no token
    expect(await charge(req.orderId)).toEqual({ attempts: 1, outcome: 'SUCCEEDED' });
  });

  it('captures once and answers once however often the request arrives', async () => {
    const req = request('tok_visa');
    const first = envelope('order.payment.requested', req);
    await publish(first);
    await publish(first); // redelivered: same envelope id
    await publish(envelope('order.payment.requested', req)); // the same request again under a new id
    await waitFor(
      'the inbox row',
      async () =>
        (
          await h.rows<{ n: number }>('select count(*)::int as n from inbox_message where consumer = ? and message_id = ?', [
            `payment-saga-${tag}`,
            first.id,
          ])
        )[0]!.n === 1,
    );
    await waitFor('the answer', () => answersFor(req.orderId).length > 0);
    await answeredAfter(); // every copy above has been handled and its answers (if any) seen
    expect(answersFor(req.orderId).map((e) => e.subject)).toEqual(['payment.captured']);
    expect(await outboxRows(req.orderId, 'payment.captured')).toBe(1);
    expect((await charge(req.orderId))!.outcome).toBe('SUCCEEDED');
    expect((await h.rows('select 1 from payment where order_id = ?', [req.orderId])).length).toBe(1);
  });

  it.each([
    ['tok_declined', 'DECLINED'],
    ['tok_insufficient_funds', 'INSUFFICIENT_FUNDS'],
    ['tok_error', 'PROVIDER_ERROR'],
  ])('fails %s with payment.failed %s', async (token, code) => {
    const req = request(token);
    await requestPayment(req);
    await waitFor('the answer', () => answersFor(req.orderId).length > 0);
    expect(answersFor(req.orderId)).toMatchObject([{ subject: 'payment.failed', data: { orderId: req.orderId, code } }]);
    expect(await payment(req.orderId)).toMatchObject({ status: 'FAILED', failureCode: code, paymentToken: null });
  });

  it('captures tok_timeout after one retry', async () => {
    const req = request('tok_timeout');
    await requestPayment(req);
    await waitFor('the answer', () => answersFor(req.orderId).length > 0);
    expect(answersFor(req.orderId).map((e) => e.subject)).toEqual(['payment.captured']);
    expect(await charge(req.orderId)).toEqual({ attempts: 2, outcome: 'SUCCEEDED' });
  });

  it('refunds on order.payment.refund, once per key', async () => {
    const req = request('tok_visa', 2_000);
    await requestPayment(req);
    await waitFor('the answer', () => answersFor(req.orderId).length > 0);
    const refund = { orderId: req.orderId, amount: 500, reason: 'CANCELLED', idempotencyKey: `cancel-${req.orderId}` };
    await publish(envelope('order.payment.refund', refund));
    await publish(envelope('order.payment.refund', refund)); // same key under a new envelope id
    await waitFor('the refund answer', () => answersFor(req.orderId, 'payment.refunded').length > 0);
    await answeredAfter();
    expect(answersFor(req.orderId, 'payment.refunded')).toMatchObject([{ data: { orderId: req.orderId, amount: 500, currency: 'USD' } }]);
    expect(await payment(req.orderId)).toMatchObject({ status: 'PARTIALLY_REFUNDED', refundedAmount: 500 });
  });
});

describe('PaymentService and RefundService', () => {
  it('fails fast with PROVIDER_UNAVAILABLE while the breaker is open', async () => {
    const provider = resilientProvider(sim, { retries: 0, breakerThreshold: 1, halfOpenAfterMs: 60_000 });
    const service = new PaymentService(h.orm.em, { provider, log });
    expect(await service.captureNow(request('tok_error'))).toBe('FAILED'); // opens the breaker
    const req = request('tok_visa');
    expect(await service.captureNow(req)).toBe('FAILED');
    expect(await payment(req.orderId)).toMatchObject({ status: 'FAILED', failureCode: 'PROVIDER_UNAVAILABLE' });
    expect(await charge(req.orderId)).toBeUndefined(); // the provider was never called
    expect(await outboxRows(req.orderId, 'payment.failed')).toBe(1);
  });

  it('heals a crash between recording and settling: one charge, one answer', async () => {
    const service = new PaymentService(h.orm.em, { provider: resilientProvider(sim), log });
    const req = request('tok_visa');
    const pending = await h.tx((tx) => service.capture(tx, req)); // then "crash": nobody settles
    expect((await payment(req.orderId))!.status).toBe('PENDING');
    expect(await service.stalePending(0)).toContain(pending);
    await Promise.all([service.settleCapture(pending!), service.settleCapture(pending!), service.settleCapture(pending!)]);
    expect((await payment(req.orderId))!.status).toBe('CAPTURED');
    expect((await charge(req.orderId))!.outcome).toBe('SUCCEEDED');
    expect(await outboxRows(req.orderId, 'payment.captured')).toBe(1);
  });

  it('never refunds more than captured under 10 concurrent 30 % refunds', async () => {
    const provider = resilientProvider(sim);
    const req = request('tok_visa', 10_000);
    expect(await new PaymentService(h.orm.em, { provider, log }).captureNow(req)).toBe('CAPTURED');
    const { id } = (await payment(req.orderId))!;
    const refunds = new RefundService(h.orm.em, { provider, log });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => refunds.refund(id, 3_000, `r-${i}`)));
    const made = results.filter((r) => r.refund?.status === 'SUCCEEDED');
    expect(made).toHaveLength(3);
    expect(results.filter((r) => r.userErrors[0]?.code === 'INVALID')).toHaveLength(7);
    const [sums] = await h.rows<{ refunded: number; simulated: number }>(
      `select (select coalesce(sum(amount), 0)::int from refund where payment_id = ? and status = 'SUCCEEDED') as refunded,
              (select coalesce(sum(amount), 0)::int from simulator_charge where kind = 'REFUND' and outcome = 'SUCCEEDED'
                 and capture_reference = (select provider_reference from payment where id = ?)) as simulated`,
      [id, id],
    );
    expect(sums).toEqual({ refunded: 9_000, simulated: 9_000 });
    expect(await payment(req.orderId)).toMatchObject({ status: 'PARTIALLY_REFUNDED', refundedAmount: 9_000 });
    // The rest (null amount) makes it REFUNDED; after that nothing is left.
    expect((await refunds.refund(id, null, 'rest')).refund).toMatchObject({ amount: 1_000, status: 'SUCCEEDED' });
    expect(await payment(req.orderId)).toMatchObject({ status: 'REFUNDED', refundedAmount: 10_000 });
    expect((await refunds.refund(id, null, 'more')).userErrors[0]?.code).toBe('CONFLICT');
    expect(await outboxRows(req.orderId, 'payment.refunded')).toBe(4);
  });

  it('refunds once for the same key, also when asked concurrently', async () => {
    const provider = resilientProvider(sim);
    const req = request('tok_visa', 1_000);
    await new PaymentService(h.orm.em, { provider, log }).captureNow(req);
    const { id } = (await payment(req.orderId))!;
    const refunds = new RefundService(h.orm.em, { provider, log });
    const results = await Promise.all([refunds.refund(id, 100, 'k'), refunds.refund(id, 100, 'k'), refunds.refund(id, 100, 'k')]);
    expect(new Set(results.map((r) => r.refund?.id)).size).toBe(1);
    expect(await refunds.refund(id, 100, 'k')).toMatchObject({ refund: { id: results[0]!.refund!.id, status: 'SUCCEEDED' } });
    expect(await payment(req.orderId)).toMatchObject({ refundedAmount: 100 });
    expect(await outboxRows(req.orderId, 'payment.refunded')).toBe(1);
  });

  it('keeps a refund PENDING while the provider is unavailable (open circuit) and makes it once it is back', async () => {
    const provider = resilientProvider(sim);
    const req = request('tok_visa', 1_000);
    await new PaymentService(h.orm.em, { provider, log }).captureNow(req);
    const { id } = (await payment(req.orderId))!;
    let down = true;
    const flaky: PaymentProvider = {
      capture: (r) => provider.capture(r),
      refund: (r) => (down ? Promise.reject(new ProviderUnavailable()) : provider.refund(r)),
      status: (key) => provider.status(key),
    };
    const refunds = new RefundService(h.orm.em, { provider: flaky, log });
    const first = await refunds.refund(id, null, 'saga-owed');
    expect(first.refund).toMatchObject({ status: 'PENDING', amount: 1_000 });
    // Its amount stays claimed: nothing else can be refunded meanwhile.
    expect((await refunds.refund(id, 100, 'other')).userErrors[0]?.code).toBe('CONFLICT');
    expect(await refunds.stalePending(0)).toContain(first.refund!.id);
    down = false;
    expect(await refunds.settle(first.refund!.id)).toBe('SUCCEEDED');
    expect(await payment(req.orderId)).toMatchObject({ status: 'REFUNDED', refundedAmount: 1_000 });
    expect(await outboxRows(req.orderId, 'payment.refunded')).toBe(1);
  });
});
