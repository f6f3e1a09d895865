import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatorProvider } from '../src/domain/simulator.ts';
import { ProviderDeclined, ProviderError, ProviderTimeout } from '../src/domain/provider.ts';
import { startHarness, type Harness } from './payment-harness.ts';

let h: Harness;
let sim: SimulatorProvider;
beforeAll(async () => {
  h = await startHarness('paysim');
  sim = new SimulatorProvider(h.orm.em, { hangMs: 1 });
});
afterAll(async () => h?.close());

const capture = (token: string, key = randomUUID(), amount = 500) => sim.capture({ idempotencyKey: key, amount, currency: 'USD', token });

describe('SimulatorProvider', () => {
  it('captures tok_visa once per idempotency key, however often asked, first attempts at once included', async () => {
    // Ten keys, five attempts each at once: first attempts of one key race to insert its row.
    const keys = Array.from({ length: 10 }, () => randomUUID());
    const results = await Promise.all(keys.map((key) => Promise.all(Array.from({ length: 5 }, () => capture('tok_visa', key)))));
    for (const [i, key] of keys.entries()) {
      expect(new Set(results[i]!.map((r) => r.providerReference)).size).toBe(1);
      const [row] = await h.rows<{ attempts: number }>('select attempts from simulator_charge where idempotency_key = ?', [key]);
      expect(row!.attempts).toBe(5);
      expect(await sim.status(key)).toEqual({ status: 'SUCCEEDED', providerReference: results[i]![0]!.providerReference });
    }
  });

  it.each([
    ['tok_declined', 'DECLINED', 'card declined'],
    ['tok_insufficient_funds', 'INSUFFICIENT_FUNDS', 'insufficient funds'],
  ])('declines %s with its reason, the same way every time', async (token, code, reason) => {
    const key = randomUUID();
    for (let i = 0; i < 2; i++) {
      const error = await capture(token, key).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderDeclined);
      expect(error).toMatchObject({ code, reason });
    }
  });

  it('settles a key claimed without its outcome (as a release before outcomes went with the claim left it)', async () => {
    const key = randomUUID();
    await h.rows(
      `insert into simulator_charge (idempotency_key, kind, token, amount, currency, attempts) values (?, 'CAPTURE', 'tok_visa', 500, 'USD', 1)`,
      [key],
    );
    expect(await sim.status(key)).toEqual({ status: 'PENDING' });
    const { providerReference } = await capture('tok_visa', key);
    expect(await sim.status(key)).toEqual({ status: 'SUCCEEDED', providerReference });
  });

  it('times tok_timeout out once per key, then succeeds; tok_error always fails', async () => {
    const key = randomUUID();
    await expect(capture('tok_timeout', key)).rejects.toBeInstanceOf(ProviderTimeout);
    expect(await sim.status(key)).toEqual({ status: 'PENDING' });
    await expect(capture('tok_timeout', key)).resolves.toHaveProperty('providerReference');
    await expect(capture('tok_timeout')).rejects.toBeInstanceOf(ProviderTimeout); // a new key times out again
    await expect(capture('tok_error')).rejects.toBeInstanceOf(ProviderError);
    expect(await sim.status(randomUUID())).toEqual({ status: 'NOT_FOUND' });
  });

  it('refunds once per key and never more than the capture', async () => {
    const { providerReference } = await capture('tok_visa', randomUUID(), 1000);
    const key = randomUUID();
    const first = await sim.refund({ idempotencyKey: key, providerReference, amount: 600 });
    expect(await sim.refund({ idempotencyKey: key, providerReference, amount: 600 })).toEqual(first);
    await expect(sim.refund({ idempotencyKey: randomUUID(), providerReference, amount: 500 })).rejects.toBeInstanceOf(ProviderDeclined);
    await expect(sim.refund({ idempotencyKey: randomUUID(), providerReference, amount: 400 })).resolves.toHaveProperty('providerReference');
    await expect(sim.refund({ idempotencyKey: randomUUID(), providerReference: 'nope', amount: 1 })).rejects.toBeInstanceOf(ProviderDeclined);
  });
});
