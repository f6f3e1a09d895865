import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { checkoutInput, devToken, gql, startTestSupergraph, type TestSupergraph } from '../support/stack.ts';
import { follow, liveClient, type LiveClient } from '../support/live.ts';
import { waitFor } from '../support/wait.ts';

/**
 * Details shoppers expect, through the gateway: a gift note and attributes that go into the order,
 * emptying the cart in one step, live views following both, and messages that quote money with its
 * currency (a price change at checkout).
 */
let stack: TestSupergraph;
let admin: string;
let mug: string;
const sockets: LiveClient[] = [];

beforeAll(async () => {
  stack = await startTestSupergraph();
  admin = await devToken('admin-details', ['admin'], '1h');
  const created = await gql<{ productCreate: { product: { id: string } | null; userErrors: unknown[] } }>(
    stack.gatewayUrl,
    'mutation ($input: ProductCreateInput!) { productCreate(input: $input) { product { id } userErrors { code message } } }',
    { token: admin, variables: { input: { sku: `details-${randomUUID().slice(0, 8)}`, name: 'Details Mug', price: '20.00', stock: 100 } } },
  );
  expect(created.body.data!.productCreate.userErrors).toEqual([]);
  mug = created.body.data!.productCreate.product!.id;
});
afterAll(async () => {
  await Promise.all(sockets.map((s) => s.client.dispose()));
  await stack?.stop();
});

const PAYLOAD = `cart { id version note attributes { key value } totalQuantity } userErrors { field code message } warnings { code message }`;
type Payload = {
  cart: { id: string; version: number; note: string | null; attributes: Array<{ key: string; value: string | null }>; totalQuantity: number };
  userErrors: Array<{ field: string[]; code: string; message: string }>;
};
const mutate = async <K extends string>(field: K, query: string, variables: Record<string, unknown>): Promise<Payload> => {
  const res = await gql<Record<K, Payload>>(stack.gatewayUrl, query, { variables });
  expect(res.body.errors).toBeUndefined();
  return res.body.data![field];
};

describe('cart details through the gateway', () => {
  it('sets a note and attributes, empties the cart, and live views follow every change', async () => {
    const created = await mutate('cartCreate', `mutation ($input: CartCreateInput) { cartCreate(input: $input) { ${PAYLOAD} } }`, {
      input: { note: '  For Ada  ', lines: [{ merchandiseId: mug, quantity: 2 }] },
    });
    expect(created).toMatchObject({ userErrors: [], cart: { note: 'For Ada', totalQuantity: 2 } });
    const id = created.cart.id;
    const live = liveClient(stack.gatewayUrl);
    sockets.push(live);
    const followed = follow<{ cartUpdated: { version: number; note: string | null; attributes: unknown[]; totalQuantity: number } }>(
      live.client,
      'subscription ($id: ID!) { cartUpdated(cartId: $id) { version note attributes { key value } totalQuantity } }',
      { id },
    );
    await followed.waitFor((r) => r.cartUpdated.version === created.cart.version);

    const noted = await mutate(
      'cartNoteUpdate',
      `mutation ($id: ID!, $note: String!, $v: Int) { cartNoteUpdate(cartId: $id, note: $note, expectedVersion: $v) { ${PAYLOAD} } }`,
      { id, note: 'Happy birthday, Ada!', v: created.cart.version },
    );
    expect(noted).toMatchObject({ userErrors: [], cart: { note: 'Happy birthday, Ada!', version: created.cart.version + 1 } });
    await followed.waitFor((r) => r.cartUpdated.note === 'Happy birthday, Ada!');

    const ATTRIBUTES = `mutation ($id: ID!, $a: [AttributeInput!]!, $v: Int) { cartAttributesUpdate(cartId: $id, attributes: $a, expectedVersion: $v) { ${PAYLOAD} } }`;
    const refused = await mutate('cartAttributesUpdate', ATTRIBUTES, { id, a: [{ key: 'Gift wrap' }, { key: 'Gift wrap', value: 'x'.repeat(501) }] });
    expect(refused.userErrors.map((e) => [e.code, e.field.join('.')])).toEqual([
      ['INVALID', 'attributes.1.key'],
      ['TOO_LONG', 'attributes.1.value'],
    ]);
    const withAttributes = await mutate('cartAttributesUpdate', ATTRIBUTES, {
      id,
      a: [
        { key: 'Gift wrap', value: 'yes' },
        { key: 'Delivery window', value: 'evening' },
      ],
      v: noted.cart.version,
    });
    expect(withAttributes).toMatchObject({
      userErrors: [],
      cart: {
        version: noted.cart.version + 1,
        attributes: [
          { key: 'Gift wrap', value: 'yes' },
          { key: 'Delivery window', value: 'evening' },
        ],
      },
    });
    await followed.waitFor((r) => r.cartUpdated.attributes.length === 2);

    const REMOVE_ALL = `mutation ($id: ID!, $v: Int) { cartLinesRemoveAll(cartId: $id, expectedVersion: $v) { ${PAYLOAD} } }`;
    const stale = await mutate('cartLinesRemoveAll', REMOVE_ALL, { id, v: noted.cart.version });
    expect(stale.userErrors.map((e) => e.code)).toEqual(['CONFLICT']);
    expect(stale.cart.totalQuantity).toBe(2);
    const emptied = await mutate('cartLinesRemoveAll', REMOVE_ALL, { id, v: withAttributes.cart.version });
    expect(emptied).toMatchObject({
      userErrors: [],
      cart: { totalQuantity: 0, version: withAttributes.cart.version + 1, note: 'Happy birthday, Ada!' },
    });
    await followed.waitFor((r) => r.cartUpdated.totalQuantity === 0 && r.cartUpdated.version === emptied.cart.version);
    followed.stop();
  });

  it('refuses a deleted product at checkout as NO_LONGER_SOLD naming it, after showing the line unavailable', async () => {
    const made = await gql<{ productCreate: { product: { id: string } | null } }>(
      stack.gatewayUrl,
      'mutation ($input: ProductCreateInput!) { productCreate(input: $input) { product { id } userErrors { code } } }',
      { token: admin, variables: { input: { sku: `gone-${randomUUID().slice(0, 8)}`, name: 'Retired Lamp', price: '15.00', stock: 10 } } },
    );
    const lamp = made.body.data!.productCreate.product!.id;
    const created = await mutate('cartCreate', `mutation ($input: CartCreateInput) { cartCreate(input: $input) { ${PAYLOAD} } }`, {
      input: { lines: [{ merchandiseId: lamp, quantity: 1 }] },
    });
    const id = created.cart.id;
    const deleted = await gql<{ productDelete: { userErrors: unknown[] } }>(
      stack.gatewayUrl,
      'mutation ($id: ID!) { productDelete(id: $id) { userErrors { code } } }',
      { token: admin, variables: { id: lamp } },
    );
    expect(deleted.body.data!.productDelete.userErrors).toEqual([]);
    const lineId = await waitFor(
      'the line shown unavailable',
      async () => {
        const res = await gql<{ cart: { lines: { edges: Array<{ node: { id: string; available: boolean } }> } } }>(
          stack.gatewayUrl,
          'query ($id: ID!) { cart(id: $id) { lines { edges { node { id available } } } } }',
          { variables: { id } },
        );
        const line = res.body.data?.cart.lines.edges[0]?.node;
        return line && !line.available ? line.id : undefined;
      },
      { intervalMs: 100 },
    );
    const refused = await gql<{ cartCheckout: { checkout: unknown; userErrors: Array<{ code: string; field: string[]; message: string }> } }>(
      stack.gatewayUrl,
      'mutation ($id: ID!, $input: CheckoutInput!) { cartCheckout(cartId: $id, input: $input) { checkout { id } userErrors { code field message } } }',
      { variables: { id, input: checkoutInput('details-gone', id) } },
    );
    expect(refused.body.data!.cartCheckout).toEqual({
      checkout: null,
      userErrors: [
        { code: 'NO_LONGER_SOLD', field: ['lines', lineId], message: 'Retired Lamp is no longer sold; remove it from your cart to check out' },
      ],
    });
  });

  it('quotes a changed price as money with its currency, and carries the note and attributes into the order', async () => {
    const created = await mutate('cartCreate', `mutation ($input: CartCreateInput) { cartCreate(input: $input) { ${PAYLOAD} } }`, {
      input: { note: 'A gift', lines: [{ merchandiseId: mug, quantity: 1 }] },
    });
    const id = created.cart.id;
    await mutate(
      'cartAttributesUpdate',
      `mutation ($id: ID!, $a: [AttributeInput!]!) { cartAttributesUpdate(cartId: $id, attributes: $a) { ${PAYLOAD} } }`,
      { id, a: [{ key: 'Gift wrap', value: 'yes' }] },
    );
    const repriced = await gql<{ productUpdate: { userErrors: unknown[] } }>(
      stack.gatewayUrl,
      'mutation ($id: ID!) { productUpdate(id: $id, input: { price: "25.00" }) { userErrors { code message } } }',
      { token: admin, variables: { id: mug } },
    );
    expect(repriced.body.data!.productUpdate.userErrors).toEqual([]);
    const CHECKOUT = `mutation ($id: ID!, $input: CheckoutInput!) { cartCheckout(cartId: $id, input: $input) {
      checkout { id } orderAccessToken userErrors { code message } } }`;
    type Checkout = {
      cartCheckout: { checkout: { id: string } | null; orderAccessToken: string | null; userErrors: Array<{ code: string; message: string }> };
    };
    const first = await gql<Checkout>(stack.gatewayUrl, CHECKOUT, { variables: { id, input: checkoutInput('details-1', id) } });
    expect(first.body.data!.cartCheckout.userErrors).toEqual([{ code: 'PRICE_CHANGED', message: 'Details Mug now costs 25.00 USD, was 20.00 USD' }]);
    for (const e of first.body.data!.cartCheckout.userErrors) expect(e.message).not.toMatch(/minor units|\b2500\b/);

    const second = await gql<Checkout>(stack.gatewayUrl, CHECKOUT, { variables: { id, input: checkoutInput('details-2', id) } });
    expect(second.body.data!.cartCheckout.userErrors).toEqual([]);
    const { checkout, orderAccessToken } = second.body.data!.cartCheckout;
    const order = await waitFor(
      'the order with the note',
      async () => {
        const res = await gql<{ order: { note: string | null; attributes: Array<{ key: string; value: string | null }> } | null }>(
          stack.gatewayUrl,
          'query ($id: ID!) { order(id: $id) { note attributes { key value } } }',
          { variables: { id: checkout!.id }, headers: { 'Order-Access-Token': orderAccessToken! } },
        );
        return res.body.data?.order ?? undefined;
      },
      { intervalMs: 100 },
    );
    expect(order).toEqual({ note: 'A gift', attributes: [{ key: 'Gift wrap', value: 'yes' }] });
  });
});
