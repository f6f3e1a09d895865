import {
  answerStepRequests,
  PAYMENT_CAPTURE_REQUEST,
  paymentCaptureRequest,
  type Logger,
  type PaymentCaptureReply,
  type SubgraphDeps,
} from '@shop/platform';
import type { PaymentService, Settled } from '../domain/payment.service.ts';

/** What the order reads from a capture: its outcome; anything else sends it down the event path. */
function replyOf(settled: Settled | undefined): PaymentCaptureReply {
  if (settled?.status === 'FAILED') return { status: 'FAILED', code: settled.failureCode ?? 'PROVIDER_ERROR', reason: settled.failureReason ?? '' };
  // CAPTURED, or already (partially) refunded: the capture happened.
  if (settled && settled.status !== 'PENDING') return { status: 'CAPTURED' };
  return { status: 'UNANSWERED', error: 'no outcome yet' };
}

/**
 * Answers the order's capture requests (core NATS request-reply, queue group over every payment
 * process): the same payment as `order.payment.requested`, recorded without an inbox row (one
 * payment per order, the provider's idempotency key is the order id) and answered by the reply
 * alone when in time (see PaymentService.captureByRequest). A failure of ours is answered
 * UNANSWERED, so the order falls back to the event at once instead of waiting out its timeout.
 */
export function startPaymentCaptureResponder(
  deps: Pick<SubgraphDeps, 'nc'> & { log: Logger },
  payments: PaymentService,
  subject = PAYMENT_CAPTURE_REQUEST,
): () => Promise<void> {
  const { log } = deps;
  const answer = async (body: unknown): Promise<PaymentCaptureReply> => {
    const parsed = paymentCaptureRequest.safeParse(body);
    if (!parsed.success) return { status: 'UNANSWERED', error: 'the request is not a payment request' };
    const { payment, answerWithinMs } = parsed.data;
    const reply = replyOf(await payments.captureByRequest(payment, answerWithinMs));
    log.info({ subject, orderId: payment.orderId, status: reply.status }, 'capture request answered');
    return reply;
  };
  return answerStepRequests(deps.nc, log, { subject, queue: 'payment', answer });
}
