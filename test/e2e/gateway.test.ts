import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CUSTOMER, DEMO_ORDER, devToken, gql, startTestSupergraph, type TestSupergraph } from '../support/stack.ts';
import { waitFor } from '../support/wait.ts';

let stack: TestSupergraph;

beforeAll(async () => {
  stack = await startTestSupergraph();
});

afterAll(async () => {
  await stack?.stop();
});

describe('gateway over the four subgraphs', () => {
  it('answers a plain query', async () => {
    const res = await gql(stack.gatewayUrl, '{ __typename }');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { __typename: 'Query' } });
  });

  it('serves catalog data from its database', async () => {
    const res = await gql<{ products: { totalCount: number; edges: Array<{ node: { name: string; price: { amount: string } } }> } }>(
      stack.gatewayUrl,
      '{ products(first: 3) { totalCount edges { node { name price { amount currencyCode } } } } }',
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.products.totalCount).toBe(60);
    expect(res.body.data!.products.edges).toHaveLength(3);
    expect(res.body.data!.products.edges[0]!.node.price.amount).toMatch(/^\d+\.\d{2}$/);
  });

  it('answers one query across cart, order and payment for the signed-in customer', async () => {
    const token = await devToken(DEMO_CUSTOMER, ['customer']);
    const res = await gql<{
      me: {
        id: string;
        cart: { id: string; status: string };
        orders: { totalCount: number; edges: Array<{ node: { id: string; number: string } }> };
      };
      order: { number: string; status: string; payment: { status: string } };
    }>(
      stack.gatewayUrl,
      `query Account($order: ID!) {
        me { id cart { id status } orders { totalCount edges { node { id number } } } }
        order(id: $order) { number status payment { status } }
      }`,
      { token, variables: { order: DEMO_ORDER } },
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.me.id).toBe(DEMO_CUSTOMER);
    expect(res.body.data!.me.cart.status).toBe('ACTIVE');
    expect(res.body.data!.me.orders.totalCount).toBe(1);
    expect(res.body.data!.me.orders.edges[0]!.node.id).toBe(DEMO_ORDER);
    expect(res.body.data!.order).toMatchObject({ status: 'CONFIRMED', payment: { status: 'CAPTURED' } });
    expect(res.body.data!.order.number).toMatch(/^ORD-\d{6,}$/);
  });

  it('treats a request without a token as a guest', async () => {
    const res = await gql<{ me: null; order: null }>(stack.gatewayUrl, `{ me { id } order(id: "${DEMO_ORDER}") { id } }`);
    expect(res.body.data).toEqual({ me: null, order: null });
  });

  it("hides another customer's order", async () => {
    const token = await devToken('someone-else', ['customer']);
    const res = await gql(stack.gatewayUrl, `{ order(id: "${DEMO_ORDER}") { id payment { status } } }`, { token });
    expect(res.body).toEqual({ data: { order: null } });
  });

  it.each([
    ['an expired token', async () => devToken(DEMO_CUSTOMER, ['customer'], -60)],
    ['a forged token', async () => `${(await devToken(DEMO_CUSTOMER, ['admin'])).slice(0, -4)}AAAA`],
    ['garbage', async () => 'not-a-jwt'],
  ])('refuses %s with 401 UNAUTHENTICATED before calling any subgraph', async (_case, makeToken) => {
    const res = await gql(stack.gatewayUrl, '{ me { id } }', { token: await makeToken() });
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(res.body.data ?? null).toBeNull();
  });

  it('carries the request id from the client to the subgraphs, and makes one when absent', async () => {
    const token = await devToken(DEMO_CUSTOMER, ['customer']);
    const requestId = `e2e-${Date.now()}`;
    const res = await gql(stack.gatewayUrl, '{ me { cart { id } } }', { token, headers: { 'x-request-id': requestId } });
    expect(res.headers.get('x-request-id')).toBe(requestId);
    // The subgraph writes its access-log line as its response finishes: poll the file for it.
    const cartLog = await waitFor('the cart subgraph logs the request id', () => {
      const text = readFileSync(join(stack.logDir, 'cart.log'), 'utf8');
      return text.includes(requestId) ? text : undefined;
    });
    expect(cartLog).toContain(`"requestId":"${requestId}"`);

    const generated = await gql(stack.gatewayUrl, '{ __typename }');
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports every process ready, and exposes Prometheus metrics', async () => {
    for (const url of Object.values(stack.subgraphUrls)) {
      const ready = await fetch(url.replace('/graphql', '/health/ready'));
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', checks: { postgres: 'ok', redis: 'ok', nats: 'ok' } });
    }
    const gatewayHealth = await fetch(stack.gatewayUrl.replace('/graphql', '/health'));
    expect(gatewayHealth.status).toBe(200);
    const metrics = await (await fetch(stack.gatewayUrl.replace('/graphql', '/metrics'))).text();
    expect(metrics).toContain('graphql_request_duration_seconds_count');
  });

  it('serves Apollo Sandbox in development', async () => {
    const res = await fetch(stack.gatewayUrl, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/sandbox/i);
  });

  describe('query limits (before any subgraph is called)', () => {
    const catalogRequests = () =>
      readFileSync(join(stack.logDir, 'catalog.log'), 'utf8')
        .split('\n')
        .filter((l) => l.includes('"msg":"request"')).length;

    // Tokens: graphql's parser stops at the limit, so that one is a GRAPHQL_PARSE_FAILED naming it.
    it.each([
      [
        'depth',
        `{ products(first: 1) { edges { node { category { products(first: 1) { edges { node { category { products(first: 1) { edges { node { category { id } } } } } } } } } } } } }`,
        /depth limit of 12/i,
        { code: 'QUERY_LIMIT_EXCEEDED', limit: 'maxDepth' },
      ],
      [
        'aliases',
        `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: categories { id }`).join(' ')} }`,
        /aliases limit of 15/i,
        { code: 'QUERY_LIMIT_EXCEEDED', limit: 'maxAliases' },
      ],
      ['tokens', `{ ${'__typename '.repeat(3100)}}`, /contains more th\w+ 3000 tokens/, { code: 'GRAPHQL_PARSE_FAILED' }],
      [
        'cost',
        `{ products(first: 100) { edges { node { category { products(first: 100) { edges { node { id name } } } } } } } }`,
        /cost \d+ exceeds the limit of 20000 \(GATEWAY_MAX_COST\)/,
        { code: 'QUERY_LIMIT_EXCEEDED', limit: 'maxCost' },
      ],
    ])('refuses a query over the %s limit with HTTP 400 and a code naming it', async (_limit, query, message, extensions) => {
      const before = catalogRequests();
      const res = await gql(stack.gatewayUrl, query);
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(message), extensions })]);
      expect(catalogRequests()).toBe(before);
    });

    it('refuses an oversized request body', async () => {
      const res = await fetch(stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `{ __typename } # ${'x'.repeat(200_000)}` }),
      });
      expect(res.status).toBe(413);
    });
  });

  it('allows CORS only for configured origins and keeps CSRF prevention on', async () => {
    const preflight = (origin: string) =>
      fetch(stack.gatewayUrl, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
      });
    const allowed = await preflight('http://localhost:3000');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    const denied = await preflight('https://evil.example');
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
    // A "simple" GET without a custom header is what a cross-site form could send: refused.
    const csrf = await fetch(`${stack.gatewayUrl}?query=${encodeURIComponent('{ __typename }')}`);
    expect(csrf.status).toBe(400);
    const withHeader = await fetch(`${stack.gatewayUrl}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(withHeader.status).toBe(200);
  });
});
