import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import pg from 'pg';
import { checkoutInput, devToken, gql, startTestSupergraph, type TestSupergraph } from '../support/stack.ts';
import { follow, liveClient } from '../support/live.ts';
import { waitFor } from '../support/wait.ts';

let stack: TestSupergraph;
let admin: string;
const tee = randomUUID();
const [mBlue, lBlue] = [randomUUID(), randomUUID()];

/** Runs SQL on one of the stack's databases (test setup only). */
async function sql<R extends pg.QueryResultRow>(database: string, text: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: Object.assign(new URL(inject('postgresUrl')), { pathname: `/${database}` }).toString() });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  stack = await startTestSupergraph();
  admin = await devToken('admin-variants', ['admin']);
  // A tee in Size × Color, written as the catalog stores it (variant admin has its own tests).
  const catalog = stack.databases.catalog!;
  await sql(
    catalog,
    `insert into product (id, sku, slug, name, description, price_amount, currency, images, options, created_at, updated_at)
     values ($1, 'E2E-TEE', 'e2e-tee', 'E2E Cotton Tee', 'Soft.', 1900, 'USD', '[]', $2::jsonb, now(), now())`,
    [
      tee,
      JSON.stringify([
        { name: 'Size', values: ['M', 'L'] },
        { name: 'Color', values: ['Blue'] },
      ]),
    ],
  );
  for (const [id, size, price, stock] of [
    [mBlue, 'M', 1900, 10],
    [lBlue, 'L', 2400, 20],
  ] as const) {
    const options = [
      { name: 'Size', value: size },
      { name: 'Color', value: 'Blue' },
    ];
    await sql(
      catalog,
      `insert into product_variant (id, product_id, sku, title, selected_options, option_values, price_amount, currency, on_hand, reserved, created_at, updated_at)
       values ($1, $2, $3, $4, $5::jsonb, $6::text[], $7, 'USD', $8, 0, now(), now())`,
      [id, tee, `E2E-TEE-${size}-BLU`, `${size} / Blue`, JSON.stringify(options), [`Color=Blue`, `Size=${size}`], price, stock],
    );
  }
});
afterAll(async () => stack?.stop());

const ADD = `mutation ($id: ID!, $lines: [CartLineInput!]!) { cartLinesAdd(cartId: $id, lines: $lines) { userErrors { field code } } }`;
const CHECKOUT = `mutation ($id: ID!, $input: CheckoutInput!) { cartCheckout(cartId: $id, input: $input) { checkout { id } userErrors { code } } }`;
const VARIANT_STOCK = `query ($id: ID!) { product(id: $id) { variants { edges { node { id availableQuantity } } } } }`;

async function guestCartWith(variantId: string): Promise<string> {
  const res = await gql<{ cartCreate: { cart: { id: string }; userErrors: unknown[] } }>(
    stack.gatewayUrl,
    `mutation ($v: ID!) { cartCreate(input: { lines: [{ merchandiseId: $v, quantity: 1 }] }) { cart { id } userErrors { code } } }`,
    { variables: { v: variantId } },
  );
  expect(res.body.data!.cartCreate.userErrors).toEqual([]);
  return res.body.data!.cartCreate.cart.id;
}

async function variantStock(): Promise<Map<string, number>> {
  const res = await gql<{ product: { variants: { edges: Array<{ node: { id: string; availableQuantity: number } }> } } }>(
    stack.gatewayUrl,
    VARIANT_STOCK,
    { variables: { id: tee } },
  );
  return new Map(res.body.data!.product.variants.edges.map((e) => [e.node.id, e.node.availableQuantity]));
}

async function finalStatus(orderId: string): Promise<string> {
  return waitFor(
    `order ${orderId} settled`,
    async () => {
      const res = await gql<{ order: { status: string } | null }>(stack.gatewayUrl, `query ($id: ID!) { order(id: $id) { status } }`, {
        token: admin,
        variables: { id: orderId },
      });
      const status = res.body.data?.order?.status;
      return status && !['PENDING', 'AWAITING_PAYMENT'].includes(status) ? status : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
}

describe('buying a variant end to end', () => {
  it('buys size M of a tee: the cart subscriber sees the variant, M\'s stock goes down, the order shows "M / Blue"', async () => {
    const created = await gql<{ cartCreate: { cart: { id: string } } }>(stack.gatewayUrl, 'mutation { cartCreate { cart { id } } }');
    const cartId = created.body.data!.cartCreate.cart.id;
    const { client } = liveClient(stack.gatewayUrl);
    const live = follow<{ cartUpdated: { lines: { edges: Array<{ node: { merchandise: { title: string; sku: string } } }> } } }>(
      client,
      `subscription ($id: ID!) { cartUpdated(cartId: $id) { lines { edges { node { merchandise { title sku } } } } } }`,
      { id: cartId },
    );
    try {
      const before = await variantStock();
      // By its product id, a product sold in several variants cannot be bought.
      const refused = await gql<{ cartLinesAdd: { userErrors: unknown[] } }>(stack.gatewayUrl, ADD, {
        variables: { id: cartId, lines: [{ productId: tee, quantity: 1 }] },
      });
      expect(refused.body.data!.cartLinesAdd.userErrors).toEqual([{ field: ['lines', '0', 'productId'], code: 'VARIANT_REQUIRED' }]);
      const added = await gql<{ cartLinesAdd: { userErrors: unknown[] } }>(stack.gatewayUrl, ADD, {
        variables: { id: cartId, lines: [{ merchandiseId: mBlue, quantity: 1 }] },
      });
      expect(added.body.data!.cartLinesAdd.userErrors).toEqual([]);
      await live.waitFor((r) => r.cartUpdated.lines.edges[0]?.node.merchandise.title === 'M / Blue');

      const res = await gql<{ cartCheckout: { checkout: { id: string }; userErrors: unknown[] } }>(stack.gatewayUrl, CHECKOUT, {
        variables: { id: cartId, input: checkoutInput('variant', cartId) },
      });
      expect(res.body.data!.cartCheckout.userErrors).toEqual([]);
      const orderId = res.body.data!.cartCheckout.checkout.id;
      expect(await finalStatus(orderId)).toBe('CONFIRMED');
      const after = await variantStock();
      expect(after.get(mBlue)).toBe(before.get(mBlue)! - 1);
      expect(after.get(lBlue)).toBe(before.get(lBlue));

      const order = await gql<{ order: { lines: Array<Record<string, unknown>> } }>(
        stack.gatewayUrl,
        `query ($id: ID!) { order(id: $id) { lines { sku title variantTitle selectedOptions { name value } quantity merchandise { id title } product { id } } } }`,
        { token: admin, variables: { id: orderId } },
      );
      expect(order.body.data!.order.lines).toEqual([
        {
          sku: 'E2E-TEE-M-BLU',
          title: 'E2E Cotton Tee',
          variantTitle: 'M / Blue',
          selectedOptions: [
            { name: 'Size', value: 'M' },
            { name: 'Color', value: 'Blue' },
          ],
          quantity: 1,
          merchandise: { id: mBlue, title: 'M / Blue' },
          product: { id: tee },
        },
      ]);
    } finally {
      live.stop();
      await client.dispose();
    }
  });

  it('never oversells a variant: 100 concurrent checkouts of size M (10 left) confirm exactly 10, while size L sells exactly', async () => {
    const stock = await variantStock();
    const adjust = async (id: string, to: number) => {
      if (stock.get(id) === to) return;
      const res = await gql<{ inventoryAdjust: { userErrors: unknown[] } }>(
        stack.gatewayUrl,
        `mutation ($id: ID!, $d: Int!) { inventoryAdjust(variantId: $id, delta: $d, reason: "test setup") { userErrors { code } } }`,
        { token: admin, variables: { id, d: to - stock.get(id)! } },
      );
      expect(res.body.data!.inventoryAdjust.userErrors).toEqual([]);
    };
    await adjust(mBlue, 10);
    await adjust(lBlue, 20);
    const mediums: string[] = [];
    for (let i = 0; i < 100; i += 20) mediums.push(...(await Promise.all(Array.from({ length: 20 }, () => guestCartWith(mBlue)))));
    const larges = await Promise.all(Array.from({ length: 5 }, () => guestCartWith(lBlue)));
    const checkoutOf = (cartId: string, i: number) =>
      gql<{ cartCheckout: { checkout: { id: string } | null; userErrors: Array<{ code: string }> } }>(stack.gatewayUrl, CHECKOUT, {
        variables: { id: cartId, input: checkoutInput(`m-${i}`, cartId) },
      });
    const [mediumResults, largeResults] = await Promise.all([
      Promise.all(mediums.map((cartId, i) => checkoutOf(cartId, i))),
      Promise.all(larges.map((cartId, i) => checkoutOf(cartId, 1000 + i))),
    ]);
    const ordersOf = (results: typeof mediumResults) =>
      results.flatMap((r) => (r.body.data!.cartCheckout.checkout ? [r.body.data!.cartCheckout.checkout.id] : []));
    const refused = mediumResults.filter((r) => !r.body.data!.cartCheckout.checkout);
    expect(refused.every((r) => r.body.data!.cartCheckout.userErrors.every((e) => e.code === 'OUT_OF_STOCK'))).toBe(true);
    const mediumStatuses = await Promise.all(ordersOf(mediumResults).map(finalStatus));
    const largeStatuses = await Promise.all(ordersOf(largeResults).map(finalStatus));
    expect(mediumStatuses.filter((s) => s === 'CONFIRMED')).toHaveLength(10);
    expect(largeStatuses).toEqual(['CONFIRMED', 'CONFIRMED', 'CONFIRMED', 'CONFIRMED', 'CONFIRMED']);
    const after = await variantStock();
    expect(after.get(mBlue)).toBe(0);
    expect(after.get(lBlue)).toBe(15);
    const [row] = await sql<{ on_hand: number; reserved: number }>(
      stack.databases.catalog!,
      'select on_hand, reserved from product_variant where id = $1',
      [lBlue],
    );
    expect(row).toEqual({ on_hand: 15, reserved: 0 });
  });
});
