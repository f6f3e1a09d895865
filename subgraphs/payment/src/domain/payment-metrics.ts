import { CircuitState, type CircuitBreakerPolicy } from 'cockatiel';
import { Counter, registerAll, registerBreakerStates, type BreakerState, type Registry } from '@shop/platform';

/**
 * The payment subgraph's business metrics. Process-wide, like the one provider and its breaker
 * (the saga's workers and the refund mutation both record here); the payment subgraph's registry
 * takes them in at start (registerPaymentMetrics). Recorded after the outcome's commit.
 */
export const paymentMetrics = {
  outcomes: new Counter({
    name: 'shop_payment_outcomes_total',
    help: 'Captures settled, by outcome (captured, failed) and code (the decline or failure code; none when captured)',
    labelNames: ['outcome', 'code'] as const,
    registers: [],
  }),
  refunds: new Counter({
    name: 'shop_refunds_total',
    help: 'Refunds settled, by status (succeeded, failed)',
    labelNames: ['status'] as const,
    registers: [],
  }),
  refundedAmount: new Counter({
    name: 'shop_refunded_amount_minor_total',
    help: 'Money refunded, in minor units (cents) of the currency',
    labelNames: ['currency'] as const,
    registers: [],
  }),
};

/** A settled capture: CAPTURED, or FAILED with its code (DECLINED, INSUFFICIENT_FUNDS, TIMEOUT, PROVIDER_ERROR, PROVIDER_UNAVAILABLE). */
export function countCapture(outcome: { status: 'CAPTURED' } | { status: 'FAILED'; code: string }): void {
  if (outcome.status === 'CAPTURED') paymentMetrics.outcomes.inc({ outcome: 'captured', code: 'none' });
  else paymentMetrics.outcomes.inc({ outcome: 'failed', code: outcome.code });
}

export function countRefund(status: 'SUCCEEDED' | 'FAILED', amount: number, currency: string): void {
  paymentMetrics.refunds.inc({ status: status.toLowerCase() });
  if (status === 'SUCCEEDED') paymentMetrics.refundedAmount.inc({ currency }, amount);
}

const STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Open]: 'open',
  [CircuitState.Isolated]: 'isolated',
};

export function breakerState(breaker: Pick<CircuitBreakerPolicy, 'state'>): BreakerState {
  return STATES[breaker.state];
}

/** The process's payment metrics and the provider's breaker (`payment_provider`) on its registry. */
export function registerPaymentMetrics(registry: Registry, breaker: Pick<CircuitBreakerPolicy, 'state'>): void {
  registerAll(registry, paymentMetrics);
  registerBreakerStates(registry, { payment_provider: () => breakerState(breaker) });
}

// Every outcome a dashboard shows starts at 0 on /metrics, so rate() sees the first one.
paymentMetrics.outcomes.inc({ outcome: 'captured', code: 'none' }, 0);
paymentMetrics.refunds.inc({ status: 'succeeded' }, 0);
