import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutInput, devToken, gql, startTestSupergraph, type TestSupergraph } from '../support/stack.ts';
import { cheapestProduct } from '../support/shop.ts';
import { waitFor } from '../support/wait.ts';

let stack: TestSupergraph;
let token: string;

beforeAll(async () => {
  stack = await startTestSupergraph();
  token = await devToken(`metrics-${Date.now()}`, ['customer']);
});
afterAll(async () => stack?.stop());

type Process = 'gateway' | 'cart' | 'order' | 'payment';
const metricsUrl = (process: Process) => (process === 'gateway' ? stack.gatewayUrl : stack.subgraphUrls[process]!).replace(/\/graphql$/, '/metrics');

/** The value of one series on a process's /metrics (0 when it is not there yet): name and the labels it must carry. */
async function scrape(process: Process, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(metricsUrl(process))).text();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const has = Object.entries(labels).every(([key, value]) => match[2]?.includes(`${key}="${value}"`));
    if (has) return Number(match[3]);
  }
  return 0;
}

/** The series the test follows, read before and after one checkout. */
const followed: Array<[Process, string, Record<string, string>]> = [
  ['cart', 'shop_carts_created_total', { kind: 'customer' }],
  ['cart', 'shop_carts_checked_out_total', {}],
  ['order', 'shop_order_status_changes_total', { status: 'PENDING' }],
  ['order', 'shop_order_status_changes_total', { status: 'CONFIRMED' }],
  ['order', 'shop_checkout_to_confirmed_seconds_count', {}],
  ['cart', 'shop_checkout_completion_seconds_count', { outcome: 'completed' }],
  ['order', 'shop_saga_step_duration_seconds_count', { step: 'reserve_stock', outcome: 'completed' }],
  ['order', 'shop_saga_step_duration_seconds_count', { step: 'capture_payment', outcome: 'completed' }],
  // Both asked by request within the checkout step, and answered there.
  ['order', 'shop_saga_step_requests_total', { step: 'reserve_stock', outcome: 'answered' }],
  ['order', 'shop_saga_step_requests_total', { step: 'capture_payment', outcome: 'answered' }],
  ['payment', 'shop_payment_outcomes_total', { outcome: 'captured', code: 'none' }],
];
const readAll = () => Promise.all(followed.map(([process, name, labels]) => scrape(process, name, labels)));

async function checkOutOnce(): Promise<string> {
  const me = await gql<{ me: { cart: { id: string } } }>(stack.gatewayUrl, '{ me { cart { id } } }', { token });
  const cartId = me.body.data!.me.cart.id;
  const product = await cheapestProduct(stack.gatewayUrl);
  const added = await gql<{ cartLinesAdd: { userErrors: unknown[] } }>(
    stack.gatewayUrl,
    'mutation ($id: ID!, $p: ID!) { cartLinesAdd(cartId: $id, lines: [{ productId: $p, quantity: 1 }]) { userErrors { code } } }',
    { token, variables: { id: cartId, p: product.id } },
  );
  expect(added.body.data!.cartLinesAdd.userErrors).toEqual([]);
  const res = await gql<{ cartCheckout: { checkout: { id: string } | null; userErrors: unknown[] } }>(
    stack.gatewayUrl,
    'mutation ($id: ID!, $input: CheckoutInput!) { cartCheckout(cartId: $id, input: $input) { checkout { id } userErrors { code message } } }',
    { token, variables: { id: cartId, input: checkoutInput('metrics', cartId) } },
  );
  expect(res.body.data!.cartCheckout.userErrors).toEqual([]);
  return res.body.data!.cartCheckout.checkout!.id;
}

describe('business metrics on /metrics', () => {
  it('one checkout to CONFIRMED moves the funnel, order, saga and payment counters by one', async () => {
    const before = await readAll();
    const orderId = await checkOutOnce();
    await waitFor(
      `order ${orderId} CONFIRMED`,
      async () =>
        (
          await gql<{ order: { status: string } | null }>(stack.gatewayUrl, 'query ($id: ID!) { order(id: $id) { status } }', {
            token,
            variables: { id: orderId },
          })
        ).body.data?.order?.status === 'CONFIRMED',
      { timeoutMs: 30_000 },
    );
    // Recorded after each step's commit: poll until every series moved, then compare exactly.
    const expected = before.map((value) => value + 1);
    let after: number[] = [];
    await waitFor('every followed series moved', async () => {
      after = await readAll();
      return after.every((value, i) => value >= expected[i]!);
    });
    expect(Object.fromEntries(followed.map(([p, name, labels], i) => [`${p} ${name} ${JSON.stringify(labels)}`, after[i]! - before[i]!]))).toEqual(
      Object.fromEntries(followed.map(([p, name, labels]) => [`${p} ${name} ${JSON.stringify(labels)}`, 1])),
    );
  });

  it('every subgraph reports its outbox lag and the payment provider breaker is closed', async () => {
    for (const process of ['cart', 'order', 'payment'] as const) {
      const text = await (await fetch(metricsUrl(process))).text();
      expect(text).toMatch(/^shop_outbox_oldest_unpublished_seconds\{service="\w+"\} [\d.e+-]+$/m);
      expect(text).toMatch(/^shop_outbox_unpublished_events\{service="\w+"\} \d+$/m);
    }
    expect(await scrape('payment', 'shop_circuit_breaker_state', { breaker: 'payment_provider', state: 'closed' })).toBe(1);
    expect(await scrape('payment', 'shop_circuit_breaker_state', { breaker: 'payment_provider', state: 'open' })).toBe(0);
    const gateway = await (await fetch(metricsUrl('gateway'))).text();
    expect(gateway).toMatch(/^gateway_subscriptions_active\{service="gateway"\} \d+$/m);
  });
});
