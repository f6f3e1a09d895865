import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaymentCaptureClient, type CapturePayment, type PaymentCaptureRequest, type PaymentRequested } from '@shop/platform';
import { SimulatorProvider } from '../src/domain/simulator.ts';
import { resilientProvider } from '../src/domain/resilient-provider.ts';
import { startPaymentWorkers } from '../src/events/payment-workers.ts';
import { waitFor } from '../../../test/support/wait.ts';
import { log, request, startHarness, tag, type Harness } from './payment-harness.ts';

const subject = `payments.capture.test-${randomBytes(3).toString('hex')}`;
let h: Harness;
let capture: CapturePayment;
let stoppers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  // A NATS server of its own: its workers must not take the other files' `order.payment.requested`.
  h = await startHarness('paycapture', { ownNats: true });
  const provider = resilientProvider(new SimulatorProvider(h.orm.em, { hangMs: 20 }), {
    timeoutMs: 1_000,
    retries: 2,
    initialBackoffMs: 5,
    maxBackoffMs: 20,
    breakerThreshold: 50,
  });
  stoppers = await startPaymentWorkers(
    { orm: h.orm, nc: h.nc, log, outbox: h.relay },
    { provider, durable: `payment-capture-${tag}`, ownersDurable: `payment-capture-owners-${tag}`, captureSubject: subject },
  );
  // A busy 2-core machine may take a while; the answer-by-event case below sets its own budget.
  capture = createPaymentCaptureClient(h.nc, { subject, timeoutMs: 20_000 });
});
afterAll(async () => {
  for (const stop of stoppers) await stop();
  await h?.close();
});

const payment = async (orderId: string) =>
  (
    await h.rows<{ status: string; paymentToken: string | null }>('select status, payment_token as "paymentToken" from payment where order_id = ?', [
      orderId,
    ])
  )[0];
const attempts = async (orderId: string) =>
  (await h.rows<{ attempts: number }>('select attempts from simulator_charge where idempotency_key = ?', [orderId]))[0]?.attempts;
const answers = async (orderId: string) =>
  (await h.rows<{ subject: string }>(`select subject from outbox_event where payload -> 'data' ->> 'orderId' = ? order by seq`, [orderId])).map(
    (r) => r.subject,
  );
const ask = async (body: PaymentCaptureRequest | { payment: unknown; answerWithinMs: number }) =>
  (await h.nc.request(subject, JSON.stringify(body), { timeout: 20_000 })).json<unknown>();
const envelope = (data: PaymentRequested) => ({ id: randomUUID(), subject: 'order.payment.requested', occurredAt: new Date().toISOString(), data });

describe('the capture asked by request (the order checkout step)', () => {
  it('captures, records and answers by reply alone when in time; a repeat answers the same without a second charge', async () => {
    const req = request('tok_visa', 3_180, 'customer-1');
    expect(await capture(req)).toEqual({ status: 'CAPTURED' });
    expect(await payment(req.orderId)).toEqual({ status: 'CAPTURED', paymentToken: null });
    expect(await attempts(req.orderId)).toBe(1);
    // The reply was the answer: no payment.captured event for the order to take again.
    expect(await answers(req.orderId)).toEqual([]);

    expect(await capture(req)).toEqual({ status: 'CAPTURED' });
    expect(await attempts(req.orderId)).toBe(1);
    expect(await answers(req.orderId)).toEqual([]);
  });

  it('answers a decline with its code', async () => {
    const req = request('tok_insufficient_funds');
    expect(await capture(req)).toEqual({ status: 'FAILED', code: 'INSUFFICIENT_FUNDS', reason: 'insufficient funds' });
    expect(await payment(req.orderId)).toEqual({ status: 'FAILED', paymentToken: null });
  });

  it('answers by event as well when the outcome comes after the time the order waits', async () => {
    const req = request('tok_visa', 1_000);
    // 1 ms: the simulator alone takes longer, so the order may have stopped waiting.
    expect(await ask({ payment: req, answerWithinMs: 1 })).toEqual({ status: 'CAPTURED' });
    expect(await answers(req.orderId)).toEqual(['payment.captured']);
  });

  it('answers a payment request event after a reply (the order fell back): the event, never a second charge', async () => {
    const req = request('tok_visa', 2_000);
    expect(await capture(req)).toEqual({ status: 'CAPTURED' });
    const ack = (await h.nc.request('order.payment.requested', JSON.stringify(envelope(req)), { timeout: 5_000 })).json<{ stream: string }>();
    expect(ack.stream).toBe('ORDER');
    await waitFor('payment.captured by event', async () => (await answers(req.orderId)).includes('payment.captured'));
    expect(await attempts(req.orderId)).toBe(1);
  });

  it('gives no outcome for a request that is not a payment request, or nobody answering', async () => {
    expect(await ask({ payment: { orderId: 'nope' }, answerWithinMs: 1_000 })).toMatchObject({ status: 'UNANSWERED' });
    const nobody = createPaymentCaptureClient(h.nc, { subject: `${subject}.nobody`, timeoutMs: 5_000 });
    expect(await nobody(request('tok_visa'))).toBeUndefined();
  });
});
