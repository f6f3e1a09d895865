import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { CircuitState } from 'cockatiel';
import { ProviderDeclined, ProviderError, ProviderTimeout, type PaymentProvider } from './provider.ts';
import { ProviderUnavailable, resilientProvider } from './resilient-provider.ts';

/** A provider that answers from a script, one entry per call, and counts the calls. */
function scripted(...script: Array<'ok' | 'decline' | 'timeout' | 'error' | 'hang'>) {
  let calls = 0;
  const provider: PaymentProvider = {
    capture: async () => {
      const step = script[Math.min(calls++, script.length - 1)];
      if (step === 'decline') throw new ProviderDeclined('INSUFFICIENT_FUNDS', 'insufficient funds');
      if (step === 'timeout') throw new ProviderTimeout();
      if (step === 'error') throw new ProviderError();
      if (step === 'hang') await sleep(1_000);
      return { providerReference: 'ref_1' };
    },
    refund: async () => ({ providerReference: 'rf_1' }),
    status: async () => ({ status: 'NOT_FOUND' }),
  };
  return { provider, calls: () => calls };
}

const FAST = { initialBackoffMs: 1, maxBackoffMs: 5, timeoutMs: 50 };
const request = { idempotencyKey: 'order-1', amount: 100, currency: 'USD', token: 'tok_visa' };

describe('resilientProvider', () => {
  it('retries a timeout and a provider error, then succeeds', async () => {
    const fake = scripted('timeout', 'error', 'ok');
    await expect(resilientProvider(fake.provider, { ...FAST, retries: 2 }).capture(request)).resolves.toEqual({ providerReference: 'ref_1' });
    expect(fake.calls()).toBe(3);
  });

  it('never retries a decline', async () => {
    const fake = scripted('decline', 'ok');
    const error = await resilientProvider(fake.provider, FAST)
      .capture(request)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderDeclined);
    expect((error as ProviderDeclined).code).toBe('INSUFFICIENT_FUNDS');
    expect(fake.calls()).toBe(1);
  });

  it('turns a call that hangs past the timeout into ProviderTimeout', async () => {
    const fake = scripted('hang');
    await expect(resilientProvider(fake.provider, { ...FAST, retries: 1 }).capture(request)).rejects.toBeInstanceOf(ProviderTimeout);
    expect(fake.calls()).toBe(2);
  });

  it('opens the breaker after N consecutive failures, fails fast, half-opens after the delay', async () => {
    const fake = scripted('error', 'error', 'error', 'ok');
    const provider = resilientProvider(fake.provider, { ...FAST, retries: 0, breakerThreshold: 3, halfOpenAfterMs: 100 });
    for (let i = 0; i < 3; i++) await expect(provider.capture(request)).rejects.toBeInstanceOf(ProviderError);
    expect(provider.breaker.state).toBe(CircuitState.Open);
    await expect(provider.capture(request)).rejects.toBeInstanceOf(ProviderUnavailable);
    expect(fake.calls()).toBe(3); // the open circuit did not call the provider
    await sleep(120);
    await expect(provider.capture(request)).resolves.toEqual({ providerReference: 'ref_1' });
    expect(provider.breaker.state).toBe(CircuitState.Closed);
  });

  it('does not count declines towards the breaker', async () => {
    const fake = scripted('decline');
    const provider = resilientProvider(fake.provider, { ...FAST, breakerThreshold: 2 });
    for (let i = 0; i < 5; i++) await expect(provider.capture(request)).rejects.toBeInstanceOf(ProviderDeclined);
    expect(provider.breaker.state).toBe(CircuitState.Closed);
  });
});
