import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import { EVENTS, type PaymentRequested } from './catalog.ts';
import { askWithinStep } from './step-request.ts';

/**
 * The checkout saga's payment asked as a core NATS request, inside the order's step that created
 * the order and reserved its stock: a paid checkout then skips two events and a transaction on
 * each side (`order.payment.requested` → payment → `payment.captured` → order). The event path
 * stays the fallback: when the payment gives no outcome (no responder, none in time, the provider
 * slow or unreachable) the order sends `order.payment.requested` and waits in AWAITING_PAYMENT as
 * before. The payment is one per order and the provider's idempotency key is the order id, so a
 * request and a later event (or a redelivery) charge once and answer the same.
 *
 * Outside every stream's subjects on purpose: a JetStream stream would store the request (card
 * token included) and answer it with its own acknowledgement.
 */
export const PAYMENT_CAPTURE_REQUEST = 'payments.capture';

/** What the order sends: the payment request, and how long it will wait for the outcome. */
export const paymentCaptureRequest = z.object({
  payment: EVENTS['order.payment.requested'].schema,
  /** Past this (from receipt) the payment answers by event too: the order may have moved on. Its wait is twice this. */
  answerWithinMs: z.number().int().positive().max(60_000),
});
export type PaymentCaptureRequest = z.infer<typeof paymentCaptureRequest>;

/** What the payment answers: the capture's outcome, or none yet. */
export const paymentCaptureReply = z.union([
  z.object({ status: z.literal('CAPTURED') }),
  z.object({ status: z.literal('FAILED'), code: z.string(), reason: z.string() }),
  z.object({ status: z.literal('UNANSWERED'), error: z.string() }),
]);
export type PaymentCaptureReply = z.infer<typeof paymentCaptureReply>;
/** An outcome the order acts on; anything else takes the event path. */
export type PaymentCaptureAnswer = Exclude<PaymentCaptureReply, { status: 'UNANSWERED' }>;
export type CapturePayment = (request: PaymentRequested) => Promise<PaymentCaptureAnswer | undefined>;

/**
 * `undefined` whenever the payment has no outcome to give: the caller falls back to the event (see
 * askWithinStep). The payment is told to answer within half the wait, so its own "too late, answer
 * by event as well" comes before the order stops waiting.
 */
export function createPaymentCaptureClient(nc: NatsConnection, { timeoutMs = 2000, subject = PAYMENT_CAPTURE_REQUEST } = {}): CapturePayment {
  return (payment) => {
    const request: PaymentCaptureRequest = { payment, answerWithinMs: Math.floor(timeoutMs / 2) };
    return askWithinStep(nc, subject, request, { timeoutMs, reply: paymentCaptureReply });
  };
}
