import { describe, expect, it } from 'vitest';
import { Counter, Registry } from 'prom-client';
import { countDelivery, eventRedeliveries, registerAll, registerBreakerStates, type BreakerState } from './business-metrics.ts';

async function value(registry: Registry, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
  return values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
}

describe('consumer redeliveries', () => {
  it('counts only messages JetStream delivered again, by stream and consumer', async () => {
    const registry = new Registry();
    registerAll(registry, { eventRedeliveries });
    const labels = { stream: 'ORDER', consumer: `test-${Date.now()}` };
    countDelivery(labels.stream, labels.consumer, { redelivered: false });
    countDelivery(labels.stream, labels.consumer, { redelivered: true });
    countDelivery(labels.stream, labels.consumer, { redelivered: true });
    expect(await value(registry, 'shop_event_redeliveries_total', labels)).toBe(2);
  });
});

describe('registerAll', () => {
  it('puts process-wide metrics on a registry once, however often it is called', async () => {
    const registry = new Registry();
    const counter = new Counter({ name: 'test_register_all_total', help: 'test', registers: [] });
    registerAll(registry, { counter });
    registerAll(registry, { counter });
    counter.inc();
    expect(await registry.metrics()).toContain('test_register_all_total 1');
  });
});

describe('circuit breaker state', () => {
  it('answers 1 for the current state and 0 for the others, read when scraped', async () => {
    const registry = new Registry();
    let state: BreakerState = 'closed';
    registerBreakerStates(registry, { provider: () => state });
    expect(await value(registry, 'shop_circuit_breaker_state', { breaker: 'provider', state: 'closed' })).toBe(1);
    expect(await value(registry, 'shop_circuit_breaker_state', { breaker: 'provider', state: 'open' })).toBe(0);
    state = 'open';
    expect(await value(registry, 'shop_circuit_breaker_state', { breaker: 'provider', state: 'closed' })).toBe(0);
    expect(await value(registry, 'shop_circuit_breaker_state', { breaker: 'provider', state: 'open' })).toBe(1);
  });
});
