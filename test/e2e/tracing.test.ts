import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutInput, devToken, gql, startTestSupergraph, type TestSupergraph } from '../support/stack.ts';
import { oneVariantProducts } from '../support/shop.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.ts';
import { waitFor } from '../support/wait.ts';
import { follow, liveClient } from '../support/live.ts';

let receiver: OtlpReceiver;
let stack: TestSupergraph;
let token: string;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  stack = await startTestSupergraph({
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    // Batches leave every 200 ms instead of 5 s: the test polls for them.
    OTEL_BSP_SCHEDULE_DELAY: '200',
  });
  token = await devToken(`traced-${Date.now()}`, ['customer']);
});
afterAll(async () => {
  await stack?.stop();
  await receiver?.stop();
});

/**
 * The saga's hops of a paid checkout: each message handled in a consumer span of the trace, by the
 * subgraph that takes it. The stock is reserved and the payment captured by requests within the
 * first hop (below).
 */
const SAGA_STEPS: Array<[subject: string, service: string]> = [
  ['checkout.requested', 'order'],
  ['order.status.confirmed', 'cart'],
];
/** The requests the order makes within its checkout step: subject and the subgraph that replies. */
const STEP_REQUESTS: Array<[subject: string, service: string]> = [
  ['catalog.stock.reserve', 'catalog'],
  ['payments.capture', 'payment'],
];
const SERVER = 2;
const CLIENT = 3;
const CONSUMER = 5;
const PRODUCER = 4;

/** What the trace still lacks; empty once it is whole. */
function missingFrom(trace: ReceivedSpan[]): string[] {
  const ids = new Set(trace.map((s) => s.spanId));
  const missing: string[] = [];
  for (const service of ['gateway', 'catalog', 'cart', 'order', 'payment']) {
    if (!trace.some((s) => s.service === service)) missing.push(`a span of ${service}`);
  }
  for (const [subject, service] of SAGA_STEPS) {
    if (!trace.some((s) => s.name === `process ${subject}` && s.kind === CONSUMER && s.service === service))
      missing.push(`${service} handling ${subject}`);
  }
  for (const [subject, service] of STEP_REQUESTS) {
    if (!trace.some((s) => s.name === `reply ${subject}` && s.kind === SERVER && s.service === service))
      missing.push(`${service} answering ${subject}`);
  }
  const orphans = trace.filter((s) => s.parentSpanId && !ids.has(s.parentSpanId));
  if (orphans.length) missing.push(`the parents of ${orphans.map((s) => `${s.service}: ${s.name}`).join(', ')}`);
  return missing;
}

describe('tracing (OTLP endpoint set)', () => {
  it('one checkout is one trace: the gateway, the four subgraphs and every saga step, linked across the messages', async () => {
    const [product] = await oneVariantProducts(stack.gatewayUrl, 1);
    const me = await gql<{ me: { cart: { id: string } } }>(stack.gatewayUrl, '{ me { cart { id } } }', { token });
    const cartId = me.body.data!.me.cart.id;
    await gql(
      stack.gatewayUrl,
      `mutation ($id: ID!, $p: ID!) { cartLinesAdd(cartId: $id, lines: [{ productId: $p, quantity: 1 }]) { userErrors { code } } }`,
      {
        token,
        variables: { id: cartId, p: product!.id },
      },
    );
    // A shopper's other tab follows the cart: its live update ends the checkout's trace.
    const live = liveClient(stack.gatewayUrl, token);
    const followed = follow<{ cartUpdated: { status: string } }>(
      live.client,
      'subscription ($id: ID!) { cartUpdated(cartId: $id) { id status version } }',
      { id: cartId },
    );
    await followed.waitFor((r) => r.cartUpdated.status === 'ACTIVE');
    const res = await gql<{ cartCheckout: { checkout: { id: string } | null; userErrors: unknown[] } }>(
      stack.gatewayUrl,
      `mutation TracedCheckout($id: ID!, $input: CheckoutInput!) { cartCheckout(cartId: $id, input: $input) { checkout { id } userErrors { code } } }`,
      { token, variables: { id: cartId, input: checkoutInput('traced', cartId) } },
    );
    expect(res.body.data!.cartCheckout.userErrors).toEqual([]);
    const orderId = res.body.data!.cartCheckout.checkout!.id;
    await waitFor(
      'the order confirmed',
      async () => {
        const order = await gql<{ order: { status: string } | null }>(stack.gatewayUrl, 'query ($id: ID!) { order(id: $id) { status } }', {
          token,
          variables: { id: orderId },
        });
        return order.body.data?.order?.status === 'CONFIRMED';
      },
      { timeoutMs: 30_000 },
    );

    // The gateway's request span names the operation; its trace is the checkout's.
    const request = await waitFor('the checkout request span', () =>
      receiver.spans.find(
        (s) => s.service === 'gateway' && s.name === 'gateway.request' && s.attributes['graphql.operation.name'] === 'TracedCheckout',
      ),
    );
    let missing: string[] = [];
    const trace = await waitFor(
      'the whole checkout trace',
      () => {
        const spans = receiver.spans.filter((s) => s.traceId === request.traceId);
        missing = missingFrom(spans);
        return missing.length === 0 ? spans : undefined;
      },
      { timeoutMs: 30_000 },
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; missing: ${missing.join('; ')}`);
    });

    // One root: the gateway's HTTP server span; every other span's parent is in the trace.
    const roots = trace.filter((s) => !s.parentSpanId);
    expect(roots.map((s) => [s.service, s.kind])).toEqual([['gateway', 2]]);
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    // Each message hop: the consumer span's parent is the producer span of the process that wrote the event.
    for (const [subject] of SAGA_STEPS) {
      const consumer = trace.find((s) => s.name === `process ${subject}`)!;
      const parent = byId.get(consumer.parentSpanId)!;
      expect([parent.name, parent.kind]).toEqual([`publish ${subject}`, PRODUCER]);
    }
    // The reservation and the capture: each reply span is the child of the order's request span,
    // itself inside the order's handling of checkout.requested.
    for (const [subject] of STEP_REQUESTS) {
      const reply = trace.find((s) => s.name === `reply ${subject}`)!;
      const asked = byId.get(reply.parentSpanId)!;
      expect([asked.service, asked.name, asked.kind]).toEqual(['order', `request ${subject}`, CLIENT]);
      expect(byId.get(asked.parentSpanId)!.name).toBe('process checkout.requested');
    }
    // The query plan, the subgraph fetches, the subgraphs' statements and Redis commands.
    const names = new Set(trace.map((s) => `${s.service}: ${s.name}`));
    expect(names).toContain('gateway: gateway.plan');
    expect(names).toContain('gateway: gateway.fetch');
    expect(trace.some((s) => s.service === 'gateway' && s.kind === 3 && s.name === 'POST')).toBe(true);
    const system = (s: ReceivedSpan) => s.attributes['db.system.name'] ?? s.attributes['db.system'];
    for (const service of ['catalog', 'cart', 'order', 'payment']) {
      expect(trace.some((s) => s.service === service && system(s) === 'postgresql')).toBe(true);
    }
    expect(names).toContain('cart: graphql.resolve cartCheckout');
    // The live update for the order's subscribers: a Redis PUBLISH by the order subgraph inside the trace.
    expect(trace.some((s) => s.service === 'order' && system(s) === 'redis' && s.name === 'publish')).toBe(true);

    // The subscriber's push: the gateway's read of the checked-out cart runs in a span that
    // continues the trace of the change that caused it (the traceparent in the Redis message).
    await followed.waitFor((r) => r.cartUpdated.status === 'CHECKED_OUT');
    const pushed = await waitFor('the live update in the trace', () =>
      receiver.spans.find((s) => s.traceId === request.traceId && s.service === 'gateway' && s.name === 'live update cart'),
    );
    const traced = new Set(receiver.spans.filter((s) => s.traceId === request.traceId).map((s) => s.spanId));
    expect(traced.has(pushed.parentSpanId)).toBe(true);
    followed.stop();
    await live.client.dispose();

    // Log correlation: the cart's access-log line of the checkout names the request and the trace.
    const cartLines = () =>
      readFileSync(join(stack.logDir, 'cart.log'), 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    const line = await waitFor('the checkout in the cart log', () => cartLines().find((l) => l.traceId === request.traceId && l.msg === 'request'));
    expect(line.requestId).toEqual(expect.any(String));
    expect(line.spanId).toMatch(/^[0-9a-f]{16}$/);
  });
});
