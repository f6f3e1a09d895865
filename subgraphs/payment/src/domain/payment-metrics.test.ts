import { describe, expect, it } from 'vitest';
import { CircuitState } from 'cockatiel';
import { Registry } from '@shop/platform';
import { breakerState, countCapture, countRefund, registerPaymentMetrics } from './payment-metrics.ts';

async function value(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
  return values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value ?? 0;
}

describe('payment metrics', () => {
  it('count captures as captured/none and failures by their code', async () => {
    const registry = new Registry();
    registerPaymentMetrics(registry, { state: CircuitState.Closed });
    const before = await value(registry, 'shop_payment_outcomes_total', { outcome: 'failed', code: 'INSUFFICIENT_FUNDS' });
    const captured = await value(registry, 'shop_payment_outcomes_total', { outcome: 'captured', code: 'none' });
    countCapture({ status: 'CAPTURED' });
    countCapture({ status: 'FAILED', code: 'INSUFFICIENT_FUNDS' });
    expect(await value(registry, 'shop_payment_outcomes_total', { outcome: 'captured', code: 'none' })).toBe(captured + 1);
    expect(await value(registry, 'shop_payment_outcomes_total', { outcome: 'failed', code: 'INSUFFICIENT_FUNDS' })).toBe(before + 1);
  });

  it('count refunds by status and add only refunded money to the amount', async () => {
    const registry = new Registry();
    registerPaymentMetrics(registry, { state: CircuitState.Closed });
    const amount = await value(registry, 'shop_refunded_amount_minor_total', { currency: 'USD' });
    countRefund('SUCCEEDED', 1250, 'USD');
    countRefund('FAILED', 999, 'USD');
    expect(await value(registry, 'shop_refunded_amount_minor_total', { currency: 'USD' })).toBe(amount + 1250);
    expect(await value(registry, 'shop_refunds_total', { status: 'failed' })).toBeGreaterThanOrEqual(1);
  });

  it("show the provider breaker's state", async () => {
    const registry = new Registry();
    const breaker = { state: CircuitState.Open };
    registerPaymentMetrics(registry, breaker);
    expect(await value(registry, 'shop_circuit_breaker_state', { breaker: 'payment_provider', state: 'open' })).toBe(1);
    expect(breakerState({ state: CircuitState.HalfOpen })).toBe('half_open');
  });
});
