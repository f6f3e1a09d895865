import { describe, expect, it } from 'vitest';
import { GraphQLError, parse, type FormattedExecutionResult } from 'graphql';
import { LIVE_FIELDS, planLiveQuery, VERSION_ALIAS, type LivePlan } from './live-query.ts';
import { LiveFeeds, type Listen } from './live-feed.ts';
import type { LiveSubscription } from './live-subscription.ts';

const plan: LivePlan = {
  field: LIVE_FIELDS.cartUpdated!,
  responseKey: 'cartUpdated',
  id: 'c1',
  query: { kind: 'Document', definitions: [] } as never,
};

/** A fake channel: tests push messages by hand and can see how many listen. */
function fakeChannel() {
  const listeners = new Set<(message: unknown) => void>();
  const listen: Listen = async (_channel, onMessage) => {
    listeners.add(onMessage);
    return () => listeners.delete(onMessage);
  };
  return { listen, emit: (message: unknown) => listeners.forEach((l) => l(message)), listeners: () => listeners.size };
}

const cart = (version: number, quantity = version): FormattedExecutionResult => ({
  data: { cartUpdated: { id: 'c1', quantity, [VERSION_ALIAS]: version } },
});
const shown = (quantity: number) => ({ done: false, value: { data: { cartUpdated: { id: 'c1', quantity } } } });

/** Reads answered when the test says so, in the order it decides. */
function manualFetch(first: FormattedExecutionResult) {
  const calls: Array<(result: FormattedExecutionResult) => void> = [];
  let started = false;
  const fetch = () => {
    if (!started) {
      started = true;
      return Promise.resolve(first);
    }
    return new Promise<FormattedExecutionResult>((resolve) => calls.push(resolve));
  };
  return { fetch, calls, answer: (index: number, result: FormattedExecutionResult) => calls[index]!(result) };
}

async function subscribed(
  feeds: LiveFeeds,
  fetch: () => Promise<FormattedExecutionResult>,
  key = 'k',
  mayWait = async () => false,
): Promise<LiveSubscription> {
  const result = await feeds.subscribe(key, plan, fetch, mayWait);
  if (Array.isArray(result)) throw new Error(`refused: ${result[0]!.message}`);
  return result;
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

const ok = (result: LivePlan | GraphQLError): LivePlan => {
  if (result instanceof GraphQLError) throw result;
  return result;
};

describe('live feeds', () => {
  it('send the current state first, without the version alias', async () => {
    const live = await subscribed(new LiveFeeds(fakeChannel().listen), async () => cart(4));
    expect(await live.next()).toEqual(shown(4));
  });

  it('refuse when the query answers null (FORBIDDEN), or with the query’s own errors, and stop listening', async () => {
    const channel = fakeChannel();
    const feeds = new LiveFeeds(channel.listen);
    const refused = (await feeds.subscribe(
      'k',
      plan,
      async () => ({ data: { cartUpdated: null } }),
      async () => false,
    )) as GraphQLError[];
    expect(refused.map((e) => [e.message, e.extensions.code])).toEqual([['No cart with this id that you may see', 'FORBIDDEN']]);
    const unauthenticated = (await feeds.subscribe(
      'k',
      plan,
      async () => ({ data: null, errors: [{ message: 'Sign in', extensions: { code: 'UNAUTHENTICATED' } }] }),
      async () => false,
    )) as GraphQLError[];
    expect(unauthenticated[0]!.extensions.code).toBe('UNAUTHENTICATED');
    expect(channel.listeners()).toBe(0);
    expect(feeds.counts()).toEqual({ feeds: 0, subscriptions: 0 });
  });

  it('run one read at a time, coalesce a burst, and never send an older version after a newer one', async () => {
    const channel = fakeChannel();
    const manual = manualFetch(cart(1));
    const live = await subscribed(new LiveFeeds(channel.listen), manual.fetch);
    await live.next();
    [2, 3, 4].forEach((version) => channel.emit({ cartId: 'c1', version }));
    await tick();
    expect(manual.calls).toHaveLength(1); // one read in flight
    manual.answer(0, cart(3));
    await tick();
    expect(manual.calls).toHaveLength(2); // the rest of the burst: one more read
    manual.answer(1, cart(4));
    await tick();
    expect(await live.next()).toEqual(shown(4)); // a slow reader holds only the newest
    channel.emit({ cartId: 'c1' }); // no version: always read
    await tick();
    manual.answer(2, cart(2)); // older than what was sent: dropped
    channel.emit({ cartId: 'c1', version: 3 }); // older than sent: not even read
    await tick();
    expect(manual.calls).toHaveLength(3);
    const pending = live.next();
    channel.emit({ cartId: 'c1', version: 5 });
    await tick();
    manual.answer(3, cart(5));
    expect(await pending).toEqual(shown(5));
  });

  it('drop the same state twice but send the same version when other fields changed', async () => {
    const results = [cart(2, 7), cart(2, 7), { data: { cartUpdated: { id: 'c1', quantity: 7, price: '9.99', [VERSION_ALIAS]: 2 } } }];
    let call = 0;
    const channel = fakeChannel();
    const live = await subscribed(new LiveFeeds(channel.listen), async () => results[call++]!);
    await live.next();
    channel.emit({ cartId: 'c1', version: 2 });
    await tick();
    channel.emit({ cartId: 'c1', version: 2 });
    await tick();
    expect(call).toBe(3);
    expect(await live.next()).toEqual({ done: false, value: { data: { cartUpdated: { id: 'c1', quantity: 7, price: '9.99' } } } });
  });

  it('share one read among subscriptions with the same key; a joiner starts from the newest state', async () => {
    const channel = fakeChannel();
    let reads = 0;
    let version = 1;
    const feeds = new LiveFeeds(channel.listen);
    const fetch = async () => (reads++, cart(version));
    const [a, b] = [await subscribed(feeds, fetch), await subscribed(feeds, fetch)];
    expect(reads).toBe(1);
    expect(channel.listeners()).toBe(1);
    expect([await a.next(), await b.next()]).toEqual([shown(1), shown(1)]);
    version = 2;
    channel.emit({ cartId: 'c1', version: 2 });
    await tick();
    expect(reads).toBe(2);
    expect([await a.next(), await b.next()]).toEqual([shown(2), shown(2)]);
    const other = await subscribed(feeds, fetch, 'another token');
    expect(reads).toBe(3);
    expect(feeds.counts()).toEqual({ feeds: 2, subscriptions: 3 });
    await other.return();
    expect(feeds.counts()).toEqual({ feeds: 1, subscriptions: 2 });
  });

  it('end every subscription with FORBIDDEN when the object stops being visible', async () => {
    const results = [cart(1), { data: { cartUpdated: null } }];
    let call = 0;
    const channel = fakeChannel();
    const feeds = new LiveFeeds(channel.listen);
    const live = await subscribed(feeds, async () => results[call++]!);
    await live.next();
    const next = live.next();
    channel.emit({ cartId: 'c1', version: 2 });
    await expect(next).rejects.toMatchObject({ message: 'This cart is no longer visible to you', extensions: { code: 'FORBIDDEN' } });
    expect(channel.listeners()).toBe(0);
    expect(await live.next()).toEqual({ done: true, value: undefined });
    expect(feeds.counts().feeds).toBe(0);
  });

  it('release the channel when the last subscription returns, even while it waits', async () => {
    const channel = fakeChannel();
    const feeds = new LiveFeeds(channel.listen);
    const [a, b] = [await subscribed(feeds, async () => cart(1)), await subscribed(feeds, async () => cart(1))];
    await a.return();
    expect(channel.listeners()).toBe(1);
    await b.next();
    const waiting = b.next();
    await b.return();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(channel.listeners()).toBe(0);
    // A new subscription after that starts a new feed (and listens again).
    await subscribed(feeds, async () => cart(1));
    expect(channel.listeners()).toBe(1);
  });

  it('wait without a first message for an announced object, then send it on the first change', async () => {
    const results = [{ data: { cartUpdated: null } }, cart(1)];
    let call = 0;
    const channel = fakeChannel();
    const live = await subscribed(
      new LiveFeeds(channel.listen),
      async () => results[call++]!,
      'k',
      async () => true,
    );
    const first = live.next();
    channel.emit({ cartId: 'c1', version: 1 });
    expect(await first).toEqual(shown(1));
  });

  it('answer an order change that carries the selected fields without a read, in version order', async () => {
    const orderPlan = ok(planLiveQuery(parse('subscription { orderUpdated(orderId: "o1") { __typename id status } }'), undefined, {}));
    const order = (status: string, updatedAt: string): FormattedExecutionResult => ({
      data: { orderUpdated: { __typename: 'Order', id: 'o1', status, [VERSION_ALIAS]: updatedAt } },
    });
    let reads = 0;
    const channel = fakeChannel();
    const live = await new LiveFeeds(channel.listen).subscribe(
      'k',
      orderPlan,
      async () => (reads++, order('PENDING', '2026-12-05T00:00:00.000Z')),
      async () => false,
    );
    if (Array.isArray(live)) throw new Error('refused');
    expect((await live.next()).value).toEqual({ data: { orderUpdated: { __typename: 'Order', id: 'o1', status: 'PENDING' } } });

    channel.emit({ orderId: 'o1', status: 'CONFIRMED', updatedAt: '2026-12-05T00:00:01.000Z' });
    expect((await live.next()).value).toEqual({ data: { orderUpdated: { __typename: 'Order', id: 'o1', status: 'CONFIRMED' } } });
    // An older change arriving late is dropped; a message without the state (the payment's) is read.
    channel.emit({ orderId: 'o1', status: 'AWAITING_PAYMENT', updatedAt: '2026-12-05T00:00:00.500Z' });
    expect(reads).toBe(1);
    const next = live.next();
    channel.emit({ orderId: 'o1' });
    await tick();
    expect(reads).toBe(2);
    channel.emit({ orderId: 'o1', status: 'SHIPPED', updatedAt: '2026-12-05T00:00:02.000Z' });
    expect((await next).value).toEqual({ data: { orderUpdated: { __typename: 'Order', id: 'o1', status: 'SHIPPED' } } });
    expect(reads).toBe(2);
  });

  it('reject when the channel cannot be listened to, and keep no feed', async () => {
    const feeds = new LiveFeeds(async () => {
      throw new Error('Redis is down');
    });
    await expect(
      feeds.subscribe(
        'k',
        plan,
        async () => cart(1),
        async () => false,
      ),
    ).rejects.toThrow('Redis is down');
    expect(feeds.counts().feeds).toBe(0);
  });
});
