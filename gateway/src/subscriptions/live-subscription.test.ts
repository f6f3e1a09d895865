import { describe, expect, it } from 'vitest';
import type { FormattedExecutionResult } from 'graphql';
import { LIVE_FIELDS, VERSION_ALIAS, type LivePlan } from './live-query.ts';
import { LiveSubscription, type Listen } from './live-subscription.ts';

const plan: LivePlan = { field: LIVE_FIELDS.cartUpdated!, responseKey: 'cartUpdated', id: 'c1', query: { kind: 'Document', definitions: [] } as never };

/** A fake channel: tests push messages by hand and can see whether anyone still listens. */
function fakeChannel() {
  const listeners = new Map<string, (message: unknown) => void>();
  const listen: Listen = async (channel, onMessage) => {
    listeners.set(channel, onMessage);
    return () => listeners.delete(channel);
  };
  return { listen, emit: (message: unknown) => listeners.get('cart.changed.c1')?.(message), listening: () => listeners.has('cart.changed.c1') };
}

const cart = (version: number, quantity = version): FormattedExecutionResult => ({ data: { cartUpdated: { id: 'c1', quantity, [VERSION_ALIAS]: version } } });

/** Fetches answered in the order the test decides (a fetch resolves only when the test says so). */
function manualFetch() {
  const calls: Array<(result: FormattedExecutionResult) => void> = [];
  const fetch = () => new Promise<FormattedExecutionResult>((resolve) => calls.push(resolve));
  return { fetch, calls, answer: (index: number, result: FormattedExecutionResult) => calls[index]!(result) };
}

async function started(fetch: () => Promise<FormattedExecutionResult>, channel = fakeChannel()) {
  const start = await LiveSubscription.start(plan, fetch, channel.listen);
  if (!('subscription' in start)) throw new Error('refused');
  return { live: start.subscription, channel };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('LiveSubscription', () => {
  it('sends the current state first, without the version alias', async () => {
    const { live } = await started(async () => cart(4));
    expect(await live.next()).toEqual({ done: false, value: { data: { cartUpdated: { id: 'c1', quantity: 4 } } } });
  });

  it('refuses when the query answers null, and stops listening', async () => {
    const channel = fakeChannel();
    const start = await LiveSubscription.start(plan, async () => ({ data: { cartUpdated: null } }), channel.listen);
    expect('refused' in start && start.refused.map((e) => [e.message, e.extensions.code])).toEqual([['No cart with this id that you may see', 'FORBIDDEN']]);
    expect(channel.listening()).toBe(false);
  });

  it('passes on the query’s own errors when refused (e.g. UNAUTHENTICATED)', async () => {
    const start = await LiveSubscription.start(plan, async () => ({ data: null, errors: [{ message: 'Sign in', extensions: { code: 'UNAUTHENTICATED' } }] }), fakeChannel().listen);
    expect('refused' in start && start.refused[0]!.extensions.code).toBe('UNAUTHENTICATED');
  });

  it('runs one fetch at a time and never sends an older version after a newer one', async () => {
    const manual = manualFetch();
    const { live, channel } = await started(async () => cart(1));
    await live.next();
    // Reads now wait for the test: a burst of three messages while one read is in flight.
    (live as unknown as { fetch: () => Promise<FormattedExecutionResult> }).fetch = manual.fetch;
    channel.emit({ cartId: 'c1', version: 2 });
    channel.emit({ cartId: 'c1', version: 3 });
    channel.emit({ cartId: 'c1', version: 4 });
    await tick();
    expect(manual.calls).toHaveLength(1);
    manual.answer(0, cart(3));
    await tick();
    // The burst is coalesced into one more read, which answers the newest state.
    expect(manual.calls).toHaveLength(2);
    manual.answer(1, cart(4));
    await tick();
    // Only the newest undelivered result is kept for a slow reader.
    expect(await live.next()).toEqual({ done: false, value: { data: { cartUpdated: { id: 'c1', quantity: 4 } } } });
    // A message without a version always reads; a read that comes back older (2 < 4) is dropped.
    channel.emit({ cartId: 'c1' });
    await tick();
    manual.answer(2, cart(2));
    channel.emit({ cartId: 'c1', version: 3 });
    await tick();
    expect(manual.calls).toHaveLength(3); // version 3 < 4 already sent: no read at all
    const pending = live.next();
    channel.emit({ cartId: 'c1', version: 5 });
    await tick();
    manual.answer(3, cart(5));
    expect(await pending).toEqual({ done: false, value: { data: { cartUpdated: { id: 'c1', quantity: 5 } } } });
  });

  it('drops the same state twice but sends the same version when catalog fields changed', async () => {
    const results = [cart(2, 7), cart(2, 7), { data: { cartUpdated: { id: 'c1', quantity: 7, price: '9.99', [VERSION_ALIAS]: 2 } } }];
    let call = 0;
    const { live, channel } = await started(async () => results[call++]!);
    await live.next();
    channel.emit({ cartId: 'c1', version: 2 });
    await tick();
    channel.emit({ cartId: 'c1', version: 2 });
    await tick();
    expect(call).toBe(3);
    expect(await live.next()).toEqual({ done: false, value: { data: { cartUpdated: { id: 'c1', quantity: 7, price: '9.99' } } } });
  });

  it('ends with a FORBIDDEN error when the object stops being visible', async () => {
    const results = [cart(1), { data: { cartUpdated: null } }];
    let call = 0;
    const { live, channel } = await started(async () => results[call++]!);
    await live.next();
    const next = live.next();
    channel.emit({ cartId: 'c1', version: 2 });
    await expect(next).rejects.toMatchObject({ message: 'This cart is no longer visible to you', extensions: { code: 'FORBIDDEN' } });
    expect(channel.listening()).toBe(false);
    expect(await live.next()).toEqual({ done: true, value: undefined });
  });

  it('return() ends a waiting reader and releases the channel at once', async () => {
    const { live, channel } = await started(async () => cart(1));
    await live.next();
    const waiting = live.next();
    await live.return();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(channel.listening()).toBe(false);
    channel.emit({ cartId: 'c1', version: 9 });
    expect(await live.next()).toEqual({ done: true, value: undefined });
  });
});

describe('LiveSubscription for an announced object', () => {
  it('waits without a first message when the object may appear, then sends it on the first change', async () => {
    const results = [{ data: { cartUpdated: null } }, cart(1)];
    let call = 0;
    const channel = fakeChannel();
    const start = await LiveSubscription.start(plan, async () => results[call++]!, channel.listen, undefined, async () => true);
    if (!('subscription' in start)) throw new Error('refused');
    const first = start.subscription.next();
    channel.emit({ cartId: 'c1', version: 1 });
    expect(await first).toEqual({ done: false, value: { data: { cartUpdated: { id: 'c1', quantity: 1 } } } });
  });

  it('is refused when it may not wait', async () => {
    const start = await LiveSubscription.start(plan, async () => ({ data: { cartUpdated: null } }), fakeChannel().listen, undefined, async () => false);
    expect('refused' in start).toBe(true);
  });
});
