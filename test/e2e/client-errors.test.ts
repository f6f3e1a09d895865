import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devToken, gql, startTestSupergraph, type GraphQLResponse, type TestSupergraph } from '../support/stack.ts';
import { cheapestProduct, guestCart } from '../support/shop.ts';

/**
 * Client mistakes are 4xx-coded GraphQL errors with a path, never INTERNAL_SERVER_ERROR; nothing of
 * a subgraph's raw response reaches a client; an outage is a retryable SERVICE_UNAVAILABLE.
 */
let stack: TestSupergraph;

beforeAll(async () => {
  stack = await startTestSupergraph();
});
afterAll(async () => stack?.stop());

type Errors = NonNullable<GraphQLResponse['body']['errors']>;
const firstError = (res: GraphQLResponse) => (res.body.errors as Errors | undefined)?.[0] as (Errors[number] & { path?: unknown[] }) | undefined;

/** Nothing internal in an answer: no subgraph URL, stack trace or SQL. */
function expectNothingInternal(res: GraphQLResponse) {
  const text = JSON.stringify(res.body);
  expect(text).not.toMatch(/127\.0\.0\.1|localhost|"response"|stacktrace|\.ts:\d|\bselect\b.*\bfrom\b|out of range|invalid input syntax/i);
}

async function post(body: string, headers: Record<string, string> = {}) {
  const response = await fetch(stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body: (await response.json()) as { errors?: Array<{ extensions?: { code?: string } }> },
  };
}

const PRODUCTS_FIRST = 'query ($n: Int) { products(first: $n) { totalCount } }';
const PRODUCTS_FILTER = 'query ($f: ProductFilter) { products(first: 1, filter: $f) { totalCount } }';
const ADD = 'mutation ($c: ID!, $q: Int!, $p: ID!) { cartLinesAdd(cartId: $c, lines: [{ productId: $p, quantity: $q }]) { userErrors { code } } }';

describe('client mistakes through the gateway', () => {
  it('refuses the negative-first cost bypass before any subgraph call', async () => {
    const before = await catalogRequests();
    const res = await gql(
      stack.gatewayUrl,
      '{ products(first: -10000000) { totalCount } categories { products(first: 100) { edges { node { name description category { products(first: 100) { edges { node { name description } } } } } } } } }',
    );
    expect(res.status).toBe(400);
    expect(firstError(res)?.extensions?.code).toBe('QUERY_LIMIT_EXCEEDED');
    expect(await catalogRequests()).toBe(before);
  });

  const badVariables: Array<[string, string, Record<string, unknown>]> = [
    ['first = 2^31', PRODUCTS_FIRST, { n: 2147483648 }],
    ['first = 1.5', PRODUCTS_FIRST, { n: 1.5 }],
    ['an unknown ProductFilter field', PRODUCTS_FILTER, { f: { colour: 'red' } }],
    ...['abc', 'NaN', 'Infinity', '1e308', '99999999999999999999999.99', ' 5', '0x10', '', 1e308].map(
      (minPrice): [string, string, Record<string, unknown>] => [`minPrice ${JSON.stringify(minPrice)}`, PRODUCTS_FILTER, { f: { minPrice } }],
    ),
    ['a NUL in a search', PRODUCTS_FILTER, { f: { search: 'mou\u0000se' } }],
  ];
  it.each(badVariables)('answers %s with 400 BAD_USER_INPUT and the path of the field using it', async (_case, query, variables) => {
    const res = await gql(stack.gatewayUrl, query, { variables });
    const path = ['products'];
    expect(res.status).toBe(400);
    expect(firstError(res)).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, path });
    expectNothingInternal(res);
  });

  it.each([2147483648, 1.5, '5'])('answers cartLinesAdd quantity %j with BAD_USER_INPUT at cartLinesAdd', async (quantity) => {
    const [cartId, product] = await Promise.all([guestCart(stack.gatewayUrl), cheapestProduct(stack.gatewayUrl)]);
    const res = await gql(stack.gatewayUrl, ADD, { variables: { c: cartId, q: quantity, p: product.id } });
    expect(res.status).toBe(400);
    expect(firstError(res)).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, path: ['cartLinesAdd'] });
  });

  it('answers a NUL in an inline string and a malformed inline Decimal as 400s', async () => {
    const nul = await gql(stack.gatewayUrl, '{ product(slug: "a\\u0000b") { id } }');
    expect(nul.status).toBe(400);
    expect(firstError(nul)).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, path: ['product'] });
    const decimal = await gql(stack.gatewayUrl, '{ products(first: 1, filter: { minPrice: "1e308" }) { totalCount } }');
    expect(decimal.status).toBe(400);
    expect(firstError(decimal)?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('answers a document with two operations and no operationName, and an unknown operationName, as BAD_REQUEST', async () => {
    const two = await post(JSON.stringify({ query: 'query A { __typename } query B { __typename }' }));
    expect(two.status).toBe(400);
    expect(two.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    const unknown = await post(JSON.stringify({ query: 'query A { __typename }', operationName: 'Nope' }));
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
  });

  it('answers APQ with a wrong hash or an unknown version with 400 and a client code', async () => {
    const query = '{ __typename }';
    const wrongHash = await post(JSON.stringify({ query, extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } }));
    expect(wrongHash.status).toBe(400);
    expect(wrongHash.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_HASH_MISMATCH');
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const version2 = await post(JSON.stringify({ query, extensions: { persistedQuery: { version: 2, sha256Hash } } }));
    expect(version2.status).toBe(400);
    expect(version2.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
  });

  it.each([
    ['malformed JSON', '{"query": ', 400, 'BAD_REQUEST'],
    ['a JSON null', 'null', 400, 'BAD_REQUEST'],
    ['a body over the limit', JSON.stringify({ query: `{ __typename } # ${'x'.repeat(200_000)}` }), 413, 'PAYLOAD_TOO_LARGE'],
  ])('answers %s with GraphQL JSON, not an HTML page', async (_case, body, status, code) => {
    const res = await post(body);
    expect(res.status).toBe(status);
    expect(res.type).toMatch(/application\/json/);
    expect(res.body.errors?.[0]?.extensions?.code).toBe(code);
    expect(JSON.stringify(res.body)).not.toMatch(/node_modules|at .*\.js/);
  });

  it('answers a guest calling an admin mutation UNAUTHENTICATED, and a customer FORBIDDEN, with a path and nothing of the subgraph', async () => {
    const mutation = 'mutation { orderShip(id: "00000000-0000-4000-8000-00000000a001", trackingNumber: "T1") { userErrors { code } } }';
    const guest = await gql(stack.gatewayUrl, mutation);
    expect(firstError(guest)).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' }, path: ['orderShip'] });
    expectNothingInternal(guest);
    const customer = await gql(stack.gatewayUrl, mutation, { token: await devToken('someone', ['customer']) });
    expect(firstError(customer)).toMatchObject({ extensions: { code: 'FORBIDDEN' }, path: ['orderShip'] });
    expectNothingInternal(customer);
  });

  it('refuses a token whose subject is too long or holds a NUL before any subgraph call', async () => {
    for (const sub of ['s'.repeat(200), 'a\u0000b']) {
      const res = await gql(stack.gatewayUrl, '{ me { id cart { id } } }', { token: await devToken(sub, ['customer']) });
      expect(res.status).toBe(401);
      expect(firstError(res)?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });
});

describe('outages through the gateway', () => {
  it('answers a query whose subgraph is down with a retryable SERVICE_UNAVAILABLE, then serves it again', async () => {
    await stack.crashAndRestart('order', async () => {
      const res = await gql(stack.gatewayUrl, 'query ($id: ID!) { order(id: $id) { id } }', {
        token: await devToken('admin-outage', ['admin']),
        variables: { id: '00000000-0000-4000-8000-00000000a001' },
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(firstError(res)).toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE', retryAfter: expect.any(Number) }, path: ['order'] });
      expectNothingInternal(res);
    });
    const after = await gql(stack.gatewayUrl, 'query ($id: ID!) { order(id: $id) { id } }', {
      token: await devToken('admin-outage', ['admin']),
      variables: { id: '00000000-0000-4000-8000-00000000a001' },
    });
    expect(after.body.errors).toBeUndefined();
  });
});

/** GraphQL requests the catalog has served (its request-duration histogram's count). */
async function catalogRequests(): Promise<number> {
  const text = await (await fetch(stack.subgraphUrls.catalog!.replace('/graphql', '/metrics'))).text();
  return [...text.matchAll(/^graphql_request_duration_seconds_count\{[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}
