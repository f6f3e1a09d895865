import { appendFileSync, readFileSync } from 'node:fs';
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CUSTOMER, DEMO_ORDER, devToken, gql, startTestSupergraph, type TestSupergraph } from '../support/stack.ts';
import { liveClient, type LiveClient } from '../support/live.ts';
import { apiSchemaOf, casesFor, rootFields, type HostileCase } from '../support/hostile-cases.ts';
import {
  failureTable,
  inPool,
  inspectHttp,
  inspectPayload,
  internalNeedles,
  type Failure,
  type Observed,
  type Verdict,
} from '../support/hostile-checks.ts';
import { baselineFrom, createCart, createProduct, fixturesFor, type Fixtures } from '../support/hostile-fixtures.ts';
import type { Hostile } from '../support/hostile-values.ts';

/**
 * Hostile input, driven by the schema the gateway serves: every root field and argument (nested
 * inputs and list items included) gets wrong-typed, out-of-range, oversized, NUL/unicode and
 * injection-shaped values, as a guest, a customer and an admin; then the request-level mistakes
 * (broken bodies, operation selection, APQ, odd token subjects). No answer may be a 5xx, an
 * INTERNAL_SERVER_ERROR, non-JSON, or show an internal URL, a stack trace or SQL.
 * HOSTILE_INPUT_REPORT=<file> appends every failing request (with its document) as JSON lines.
 */

const schema = apiSchemaOf(readFileSync(new URL('../../schema/supergraph.graphql', import.meta.url), 'utf8'));
const ROOTS = rootFields(schema);
const ROLES = ['guest', 'customer', 'admin'] as const;
type Role = (typeof ROLES)[number];
/** Requests in flight: a steady load that a 2-core machine answers well within the timeouts. */
const CONCURRENCY = 8;
/** A subscription that is accepted but has nothing to send yet (an announced order) stays silent. */
const WS_SILENCE_MS = 3_000;
const DEMO_PAYMENT = '00000000-0000-4000-8000-00000000b001';
const CUSTOMER = randomUUID();

let stack: TestSupergraph;
let needles: string[] = [];
const tokens: Record<Role, string | undefined> = { guest: undefined, customer: undefined, admin: undefined };
const sockets: LiveClient[] = [];
const socketOf = new Map<string, LiveClient>();
let realIds: Hostile[] = [];
const fixtures = new Map<string, Promise<Fixtures>>();
const totals = { requests: 0, failing: 0, startedAt: 0, ws: {} as Record<string, number> };

beforeAll(async () => {
  stack = await startTestSupergraph();
  totals.startedAt = Date.now();
  needles = internalNeedles(stack.subgraphUrls, stack.databases);
  tokens.customer = await devToken(CUSTOMER, ['customer'], '1h');
  tokens.admin = await devToken('hostile-admin', ['admin'], '1h');
  const gateway = { url: stack.gatewayUrl, admin: tokens.admin };
  const categories = await gql<{ categories: Array<{ id: string; slug: string }> }>(stack.gatewayUrl, '{ categories { id slug } }');
  const first = categories.body.data!.categories[0]!;
  const category = { category: first.id, categorySlug: first.slug };
  const product = await createProduct(gateway, `shared-${randomUUID().slice(0, 8)}`);
  const { cart } = await createCart(gateway, product);
  const existing = { product, cart, order: DEMO_ORDER, payment: DEMO_PAYMENT, category: first.id, customer: DEMO_CUSTOMER };
  realIds = Object.entries(existing).map(([kind, value]) => ({ kind: `real id: ${kind}`, value }));
  // Every field's own fixtures, three at a time in the background (checkouts settle meanwhile);
  // a field whose fixtures fail fails alone.
  const pending = ROOTS.map((root) => ({ root, made: Promise.withResolvers<Fixtures>() }));
  for (const { root, made } of pending) {
    made.promise.catch(() => undefined);
    fixtures.set(root.field.name, made.promise);
  }
  void inPool(pending, 3, async ({ root, made }) => {
    await fixturesFor(gateway, root, tokens.customer!, category).then(made.resolve, made.reject);
  });
});

afterAll(async () => {
  await Promise.all(sockets.map((s) => s.client.dispose()));
  await stack?.stop();
  const seconds = ((Date.now() - totals.startedAt) / 1000).toFixed(1);
  console.log(`hostile input: ${totals.requests} requests, ${totals.failing} failing, ${seconds} s; WebSocket outcomes ${JSON.stringify(totals.ws)}`);
});

async function post(body: string, token?: string, headers: Record<string, string> = {}): Promise<Observed> {
  totals.requests++;
  try {
    const res = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body,
      signal: AbortSignal.timeout(30_000),
    });
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
  } catch (error) {
    return { status: 0, contentType: '', text: `no answer: ${(error as Error).message}` };
  }
}

function socketFor(key: string, token: string | undefined): LiveClient {
  let live = socketOf.get(key);
  if (!live) {
    live = liveClient(stack.gatewayUrl, token);
    sockets.push(live);
    socketOf.set(key, live);
  }
  return live;
}

/** A WebSocket close is fine when it blames the client (44xx); anything else is a server failure. */
function inspectWsError(error: unknown): Verdict {
  if (Array.isArray(error)) return inspectPayload(error, needles);
  const close = error as { code?: unknown; reason?: unknown };
  if (typeof close?.code === 'number') {
    const leaks = inspectPayload({ reason: String(close.reason ?? '') }, needles).problems;
    const bad = close.code < 4400 || close.code > 4499;
    return { problems: [...(bad ? [`socket closed ${close.code}`] : []), ...leaks], code: String(close.code), message: String(close.reason ?? '') };
  }
  return { problems: ['socket error'], message: (error as Error)?.message ?? String(error) };
}

/** Subscribes over graphql-ws and judges the first thing the server says (or its silence). */
function subscribeOnce(live: LiveClient, request: { query: string; variables: Record<string, unknown> }): Promise<Verdict & { status: string }> {
  totals.requests++;
  return new Promise((resolve) => {
    let settled = false;
    let stop: () => void = () => undefined;
    const done = (status: string, verdict: Verdict) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stop();
      totals.ws[status] = (totals.ws[status] ?? 0) + 1;
      resolve({ ...verdict, status });
    };
    const timer = setTimeout(() => done('silent', { problems: [] }), WS_SILENCE_MS);
    stop = live.client.subscribe(request, {
      next: (value) => done('next', inspectPayload(value, needles)),
      error: (error) => done('error', inspectWsError(error)),
      complete: () => done('complete', { problems: [] }),
    });
  });
}

/** The generated document must itself be accepted, or the field was never really tested. */
const SUITE_FAULTS = new Set(['GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED', 'QUERY_LIMIT_EXCEEDED']);

type Failed = { failure: Failure; request: unknown };

/** The report file also shows what each baseline got, to see how deep the suite reaches. */
const trace = (line: unknown) => process.env.HOSTILE_INPUT_REPORT && appendFileSync(process.env.HOSTILE_INPUT_REPORT, `${JSON.stringify(line)}\n`);

/** One table for all of a test's failing requests (and each one, with its document, to the report file). */
function report(failed: Failed[]) {
  totals.failing += failed.length;
  for (const f of failed) trace({ ...f.failure, request: f.request });
  if (failed.length > 0) expect.fail(`\n${failureTable(failed.map((f) => f.failure))}`);
}

describe('every root field, every argument, every role', () => {
  const named = ROOTS.map((root) => [`${root.operation} ${root.field.name}`, root] as const);

  it.each(named)(
    '%s: hostile values answered as client errors, nothing internal shown',
    async (_name, root) => {
      const cases = casesFor(root, baselineFrom(await fixtures.get(root.field.name)!), realIds);
      const failed: Failed[] = [];
      const note = (c: HostileCase, role: Role, mode: string, status: number | string, verdict: Verdict) => {
        const problems = [...verdict.problems];
        if (c.slot === '(baseline)' && mode !== 'ws' && verdict.code && SUITE_FAULTS.has(verdict.code)) problems.push('suite: baseline refused');
        if (problems.length === 0) return;
        const failure: Failure = { ...verdict, problems, role, mode, field: c.field, slot: c.slot, kind: c.kind, status };
        failed.push({ failure, request: { query: c.query, variables: c.variables, role } });
      };
      const http = cases.flatMap((c, i) => (c.inline ? [{ c, role: ROLES[i % ROLES.length]! }] : ROLES.map((role) => ({ c, role }))));
      await inPool(http, CONCURRENCY, async ({ c, role }) => {
        const observed = await post(JSON.stringify({ query: c.query, variables: c.variables, operationName: 'Hostile' }), tokens[role]);
        if (c.slot === '(baseline)') trace({ baseline: c.field, role, status: observed.status, body: observed.text.slice(0, 400) });
        note(c, role, c.inline ? 'inline' : 'var', observed.status, inspectHttp(observed, needles));
      });
      if (root.operation === 'subscription') {
        const ws = cases.filter((c) => !c.inline).flatMap((c) => ROLES.map((role) => ({ c, role })));
        await inPool(ws, CONCURRENCY, async ({ c, role }) => {
          const verdict = await subscribeOnce(socketFor(role, tokens[role]), { query: c.query, variables: c.variables });
          note(c, role, 'ws', verdict.status, verdict);
        });
      }
      report(failed);
    },
    300_000,
  );
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const TYPENAME = '{ __typename }';
const json = (body: unknown) => JSON.stringify(body);

/** Mistakes in the request itself, each with the status it deserves when there is one. */
const REQUEST_MISTAKES: Array<[string, () => Promise<Observed>, number | undefined]> = [
  ['malformed JSON', () => post('{"query": "{ __typename }"'), 400],
  ['a JSON null body', () => post('null'), 400],
  ['a JSON string body', () => post(json(TYPENAME)), 400],
  ['a JSON array body', () => post(json([{ query: TYPENAME }])), undefined],
  ['a body over the limit (150 kB)', () => post(json({ query: `${TYPENAME} # ${'x'.repeat(150_000)}` })), 413],
  ['no query', () => post(json({})), 400],
  ['a query that is not a string', () => post(json({ query: 5 })), 400],
  ['variables that are not an object', () => post(json({ query: 'query ($f: Int) { products(first: $f) { totalCount } }', variables: 'x' })), 400],
  ['two operations without operationName', () => post(json({ query: 'query A { __typename } query B { __typename }' })), 400],
  ['an unknown operationName', () => post(json({ query: 'query A { __typename }', operationName: 'B' })), 400],
  ['an operationName that is not a string', () => post(json({ query: 'query A { __typename }', operationName: 5 })), 400],
  [
    'APQ with a wrong sha256Hash',
    () => post(json({ query: TYPENAME, extensions: { persistedQuery: { version: 1, sha256Hash: sha256('something else') } } })),
    400,
  ],
  ['APQ version 2', () => post(json({ query: TYPENAME, extensions: { persistedQuery: { version: 2, sha256Hash: sha256(TYPENAME) } } })), 400],
  ['APQ hash unknown, no query', () => post(json({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256(randomUUID()) } } })), undefined],
  ['APQ persistedQuery not an object', () => post(json({ query: TYPENAME, extensions: { persistedQuery: 'x' } })), 400],
  ['a text/plain body', () => post(json({ query: TYPENAME }), undefined, { 'content-type': 'text/plain' }), 400],
  ['a non-Bearer Authorization header', () => post(json({ query: TYPENAME }), undefined, { authorization: 'Basic YTpi' }), 401],
];

describe('request-level mistakes', () => {
  it.each(REQUEST_MISTAKES)('%s: a GraphQL JSON error with a client code', async (name, send, expected) => {
    const observed = await send();
    const verdict = inspectHttp(observed, needles);
    const problems = [...verdict.problems, ...(expected !== undefined && observed.status !== expected ? [`expected HTTP ${expected}`] : [])];
    const failure: Failure = {
      ...verdict,
      problems,
      role: 'guest',
      mode: 'http',
      field: '(request)',
      slot: '-',
      kind: name,
      status: observed.status,
    };
    report(problems.length ? [{ failure, request: name }] : []);
  });
});

/** JWT subjects the issuer should never mint, but a signature does not make them sane. */
const SUBJECTS: Array<[string, string]> = [
  ['200 characters', 'a'.repeat(200)],
  ['129 characters', 'b'.repeat(129)],
  ['a NUL', 'cust\u0000omer'],
  ['a lone surrogate', 'x\uD800'],
  ['RTL and emoji', '\u202E🛒'],
  ["' OR 1=1 --", "' OR 1=1 --"],
  ['../../etc/passwd', '../../etc/passwd'],
  ['only a space', ' '],
];
const SIGNED_IN_OPERATIONS = [
  '{ me { id cart { id version totalQuantity } orders(first: 5) { totalCount edges { node { id } } } } }',
  'mutation { cartCreate(input: {}) { cart { id version } userErrors { code message } } }',
  '{ orders(first: 5) { totalCount edges { node { id status } } } }',
  `{ order(id: "${DEMO_ORDER}") { id status payment { id status } } }`,
  '{ discountCodes { code } shippingCountries { countryCode } }',
];

describe('tokens with hostile subjects', () => {
  it.each(SUBJECTS)('a token whose sub is %s: reads, a cart write and a subscription stay client errors', async (kind, sub) => {
    const failed: Failed[] = [];
    for (const role of ['customer', 'admin'] as const) {
      const token = await devToken(sub, [role], '10m');
      for (const query of SIGNED_IN_OPERATIONS) {
        const observed = await post(json({ query }), token);
        const verdict = inspectHttp(observed, needles);
        const failure: Failure = { ...verdict, role, mode: 'var', field: query.slice(0, 40), slot: 'token.sub', kind, status: observed.status };
        if (verdict.problems.length) failed.push({ failure, request: { query, sub, role } });
      }
      const live = socketFor(`${kind}-${role}`, token);
      const verdict = await subscribeOnce(live, {
        query: 'subscription ($o: ID!) { orderUpdated(orderId: $o) { id status } }',
        variables: { o: DEMO_ORDER },
      });
      const failure: Failure = { ...verdict, role, mode: 'ws', field: 'orderUpdated', slot: 'token.sub', kind, status: verdict.status };
      if (verdict.problems.length) failed.push({ failure, request: { sub, role, ws: true } });
    }
    report(failed);
  });
});

describe('after all of it', () => {
  it('the gateway answers /health and every subgraph /health/ready with 200', async () => {
    const health = await fetch(stack.gatewayUrl.replace('/graphql', '/health'));
    expect(health.status).toBe(200);
    for (const [name, url] of Object.entries(stack.subgraphUrls)) {
      const ready = await fetch(url.replace('/graphql', '/health/ready'));
      expect({ name, status: ready.status }).toEqual({ name, status: 200 });
    }
  });
});
