import { describe, expect, it } from 'vitest';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import { createLogger } from '@shop/platform';
import type { GatewayContext } from './context.ts';
import { SubgraphClient } from './subgraph-client.ts';
import { LastWrites, stableJson } from './subgraph-dedup.ts';

const log = createLogger('test', 'silent');
const QUERY = 'query Page__catalog__0($first:Int){products(first:$first){edges{node{id name}}}}';

/** A subgraph whose answers the test releases: each call waits until `release` (or fails with `fail`). */
function fakeSubgraph() {
  const calls: Array<{ headers: Record<string, string>; body: unknown; release: () => void; fail: (error: Error) => void }> = [];
  const fetcher = ((_url: string, init: { headers: Record<string, string>; body: string }) =>
    new Promise((resolve, reject) => {
      const body = { data: { products: { edges: [{ node: { id: 'p1', name: 'Mouse' } }] } } };
      calls.push({
        headers: init.headers,
        body: JSON.parse(init.body),
        release: () => resolve(new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } })),
        fail: reject,
      });
    })) as unknown as Fetcher;
  let shared = 0;
  const client = new SubgraphClient({
    url: 'http://127.0.0.1:1/graphql',
    fetcher,
    log,
    name: 'catalog',
    dedup: { onShared: () => shared++, lastWrites: new LastWrites(60_000) },
  });
  return { client, calls, shared: () => shared };
}

const context = (token: string | null, orderAccessToken?: string): GatewayContext => ({
  identity: { sub: token ? 'u1' : null, roles: [], token },
  requestId: `r-${Math.random()}`,
  ...(orderAccessToken ? { orderAccessToken } : {}),
});

const fetchOf = (ctx: GatewayContext, query = QUERY, variables: Record<string, unknown> = { first: 2 }) =>
  ({
    kind: 'incoming operation',
    request: { query, variables },
    context: ctx,
    incomingRequestContext: {},
  }) as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;

/** Lets the client's awaits (microtasks only: the fake answers when told) run until each started fetch reached the fake. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('in-flight dedup of subgraph fetches', () => {
  it('makes one call for identical concurrent queries and gives each caller its own copy', async () => {
    const { client, calls, shared } = fakeSubgraph();
    const answers = Promise.all([
      client.process(fetchOf(context(null))),
      client.process(fetchOf(context(null), QUERY, { first: 2 })),
      client.process(fetchOf(context(null))),
    ]);
    await settle();
    expect(calls).toHaveLength(1);
    calls[0]!.release();
    const [a, b, c] = await answers;
    expect(shared()).toBe(2);
    expect(b!.data).toEqual(a!.data);
    expect(c!.data).toEqual(a!.data);
    // The executor merges into what it gets: one caller's writes must not reach another's.
    (a!.data as { products: { edges: Array<{ node: Record<string, unknown> }> } }).products.edges[0]!.node.extra = 1;
    expect(b!.data).toEqual({ products: { edges: [{ node: { id: 'p1', name: 'Mouse' } }] } });
  });

  it('calls once per caller when the bearer token or the order access token differs', async () => {
    const { client, calls } = fakeSubgraph();
    const answers = Promise.all([
      client.process(fetchOf(context('token-a'))),
      client.process(fetchOf(context('token-b'))),
      client.process(fetchOf(context(null, 'oat-1'))),
      client.process(fetchOf(context(null, 'oat-2'))),
    ]);
    await settle();
    expect(calls).toHaveLength(4);
    expect(calls.map((c) => c.headers.authorization ?? c.headers['order-access-token'])).toEqual([
      'Bearer token-a',
      'Bearer token-b',
      'oat-1',
      'oat-2',
    ]);
    for (const call of calls) call.release();
    await answers;
  });

  it('never shares a mutation, nor different variables', async () => {
    const { client, calls, shared } = fakeSubgraph();
    const mutation = 'mutation Buy__cart__0{cartCreate(input:{}){cart{id}}}';
    const answers = Promise.all([
      client.process(fetchOf(context(null), mutation, {})),
      client.process(fetchOf(context(null), mutation, {})),
      client.process(fetchOf(context(null), QUERY, { first: 3 })),
      client.process(fetchOf(context(null), QUERY, { first: 4 })),
    ]);
    await settle();
    expect(calls).toHaveLength(4);
    for (const call of calls) call.release();
    await answers;
    expect(shared()).toBe(0);
  });

  it("does not join a flight that started before the caller's own mutation ended (read your writes)", async () => {
    const { client, calls } = fakeSubgraph();
    const caller = context('token-a');
    const before = client.process(fetchOf(caller));
    const write = client.process(fetchOf(caller, 'mutation Up__catalog__0{productUpdate(id:"p1",input:{}){product{id}}}', {}));
    await settle();
    calls[1]!.release();
    await write;
    const after = [client.process(fetchOf(caller)), client.process(fetchOf(caller))];
    await settle();
    // The first flight, the mutation, and one new flight the two later reads share.
    expect(calls).toHaveLength(3);
    for (const call of calls) call.release();
    await Promise.all([before, ...after]);
  });

  it("never shares a subscription's read after a change", async () => {
    const { client, calls } = fakeSubgraph();
    const live = { ...context(null), liveRead: true };
    const answers = Promise.all([client.process(fetchOf(context(null))), client.process(fetchOf(live)), client.process(fetchOf(live))]);
    await settle();
    expect(calls).toHaveLength(3);
    for (const call of calls) call.release();
    await answers;
  });

  it('remembers nothing once a flight has ended: the same query afterwards calls again', async () => {
    const { client, calls } = fakeSubgraph();
    const first = client.process(fetchOf(context(null)));
    await settle();
    calls[0]!.release();
    await first;
    const second = client.process(fetchOf(context(null)));
    await settle();
    expect(calls).toHaveLength(2);
    calls[1]!.release();
    await second;
  });

  it('shares an outage with that one flight only', async () => {
    const { client, calls } = fakeSubgraph();
    const answers = Promise.all([client.process(fetchOf(context(null))), client.process(fetchOf(context(null)))]);
    await settle();
    calls[0]!.fail(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }));
    const codes = (await answers).map((r) => r.errors?.[0]?.extensions?.code);
    expect(codes).toEqual(['SERVICE_UNAVAILABLE', 'SERVICE_UNAVAILABLE']);
    const after = client.process(fetchOf(context(null)));
    await settle();
    calls[1]!.release();
    expect((await after).errors).toBeUndefined();
  });

  it('is off without the dedup option: every fetch calls', async () => {
    const calls: unknown[] = [];
    const fetcher = (async () => {
      calls.push(1);
      return new Response('{"data":{"ok":true}}', { headers: { 'content-type': 'application/json' } });
    }) as unknown as Fetcher;
    const client = new SubgraphClient({ url: 'http://127.0.0.1:1/graphql', fetcher, log, name: 'catalog' });
    await Promise.all([client.process(fetchOf(context(null))), client.process(fetchOf(context(null)))]);
    expect(calls).toHaveLength(2);
  });

  it('builds the same key text for the same variables in any key order', () => {
    expect(stableJson({ b: 1, a: [{ y: 2, x: null }] })).toBe(stableJson({ a: [{ x: null, y: 2 }], b: 1 }));
    expect(stableJson({ a: 1 })).not.toBe(stableJson({ a: '1' }));
  });
});
