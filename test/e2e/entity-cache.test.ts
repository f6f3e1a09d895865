import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { checkoutInput, DEMO_CUSTOMER, devToken, gql, startTestSupergraph, type TestSupergraph } from '../support/stack.ts';
import { addLine, guestCart, oneVariantProducts } from '../support/shop.ts';
import { waitFor } from '../support/wait.ts';

let stack: TestSupergraph;
let products: Array<{ id: string; name: string }>;
let cartId: string;

beforeAll(async () => {
  stack = await startTestSupergraph();
  products = await oneVariantProducts(stack.gatewayUrl, 3);
  cartId = await guestCart(stack.gatewayUrl);
  for (const product of products) await addLine(stack.gatewayUrl, cartId, product.id);
});
afterAll(async () => stack?.stop());

/** The cart page's shape: the cart's own fields, and each line's product from the catalog (one `_entities` fetch). */
const CART_PAGE = `query CartPage($id: ID!) {
  cart(id: $id) { id totalQuantity lines(first: 100) { edges { node { id quantity product { id slug name price { amount currencyCode } images { url altText } inStock } } } } }
}`;
type CartPage = {
  cart: { totalQuantity: number; lines: { edges: Array<{ node: { quantity: number; product: { id: string; price: { amount: string } } } }> } };
};
const readCart = async () => {
  const res = await gql<CartPage>(stack.gatewayUrl, CART_PAGE, { variables: { id: cartId } });
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.cart;
};

/** A counter from the gateway's /metrics, summed over its labels (0 when absent). */
async function gatewayMetric(name: string): Promise<number> {
  const text = await (await fetch(stack.gatewayUrl.replace('/graphql', '/metrics'))).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}
const hits = () => gatewayMetric('gateway_entity_cache_hits_total');

/** Reads until a read is answered from the cache (the gateway's product.changed listener connects after it starts). */
async function untilCached<T>(read: () => Promise<T>): Promise<T> {
  return waitFor('a read with catalog entity cache hits', async () => {
    const before = await hits();
    const answer = await read();
    return (await hits()) > before ? answer : undefined;
  });
}
const readUntilCached = () => untilCached(() => readCart());

describe('entity cache on the real stack', () => {
  it('answers a second cart page read with catalog entities from the cache', async () => {
    await readUntilCached();
    const before = await hits();
    const cart = await readCart();
    expect(await hits()).toBe(before + 3);
    expect(cart.lines.edges.map((e) => e.node.product.id).sort()).toEqual(products.map((p) => p.id).sort());
  });

  it('shows a price changed by an admin in the next reads (product.changed removes the entries)', async () => {
    await readUntilCached();
    const product = products[0]!;
    const invalidations = await gatewayMetric('gateway_entity_cache_invalidations_total');
    const updated = await gql<{ productUpdate: { userErrors: unknown[] } }>(
      stack.gatewayUrl,
      'mutation ($id: ID!) { productUpdate(id: $id, input: { price: "777.00" }) { userErrors { code } } }',
      { variables: { id: product.id }, token: await devToken('admin-e2e', ['admin']) },
    );
    expect(updated.body.data!.productUpdate.userErrors).toEqual([]);
    // The event travels through the outbox and NATS: poll until the gateway has applied it.
    await waitFor('the new price in the cart page', async () => {
      const cart = await readCart();
      return cart.lines.edges.find((e) => e.node.product.id === product.id)?.node.product.price.amount === '777.00';
    });
    expect(await gatewayMetric('gateway_entity_cache_invalidations_total')).toBeGreaterThan(invalidations);
    // Cached again with the new price.
    const cached = await readUntilCached();
    expect(cached.lines.edges.find((e) => e.node.product.id === product.id)!.node.product.price.amount).toBe('777.00');
  });

  it('shows a stock count a checkout moved in the next reads (catalog.stock.changed removes the entries)', async () => {
    const STOCK = `query ($id: ID!) { cart(id: $id) { lines(first: 100) { edges { node { product { id availableQuantity } } } } } }`;
    type Stock = { cart: { lines: { edges: Array<{ node: { product: { id: string; availableQuantity: number } } }> } } };
    const counts = async () =>
      new Map(
        (await gql<Stock>(stack.gatewayUrl, STOCK, { variables: { id: cartId } })).body.data!.cart.lines.edges.map(
          (e) => [e.node.product.id, e.node.product.availableQuantity] as const,
        ),
      );
    const before = await untilCached(counts);
    // In stock before and after one unit is reserved: the count moves, nothing a cart shows does.
    const product = products.find((p) => before.get(p.id)! >= 2);
    if (!product) throw new Error('no product with two units in stock');
    const invalidations = await gatewayMetric('gateway_entity_cache_invalidations_total');
    const shopper = await guestCart(stack.gatewayUrl);
    await addLine(stack.gatewayUrl, shopper, product.id);
    const checkout = await gql<{ cartCheckout: { userErrors: unknown[] } }>(
      stack.gatewayUrl,
      'mutation ($id: ID!, $input: CheckoutInput!) { cartCheckout(cartId: $id, input: $input) { userErrors { code } } }',
      { variables: { id: shopper, input: checkoutInput('stock-count', shopper) } },
    );
    expect(checkout.body.data!.cartCheckout.userErrors).toEqual([]);
    // Cached for 60 s otherwise: within the wait, only the catalog's message can have removed it.
    await waitFor('the new count in the cart page', async () => (await counts()).get(product.id) === before.get(product.id)! - 1);
    expect(await gatewayMetric('gateway_entity_cache_invalidations_total')).toBeGreaterThan(invalidations);
  });

  it('shows a category renamed by an admin in the next reads (product.category.changed removes the entries naming it)', async () => {
    const READ = `query ($id: ID!) { cart(id: $id) { lines(first: 100) { edges { node { product { id category { id name } } } } } } }`;
    type Read = { cart: { lines: { edges: Array<{ node: { product: { id: string; category: { id: string; name: string } | null } } }> } } };
    const read = async () =>
      (await gql<Read>(stack.gatewayUrl, READ, { variables: { id: cartId } })).body.data!.cart.lines.edges.map((e) => e.node.product);
    const lines = await untilCached(read);
    const category = lines.find((p) => p.category)!.category!;
    const name = `Renamed ${Date.now()}`;
    const updated = await gql<{ categoryUpdate: { userErrors: unknown[] } }>(
      stack.gatewayUrl,
      'mutation ($id: ID!, $n: String!) { categoryUpdate(id: $id, input: { name: $n }) { userErrors { code } } }',
      { variables: { id: category.id, n: name }, token: await devToken('admin-e2e', ['admin']) },
    );
    expect(updated.body.data!.categoryUpdate.userErrors).toEqual([]);
    await waitFor('the new category name in the cart page', async () => (await read()).some((p) => p.category?.name === name));
    const cached = await untilCached(read);
    expect(cached.filter((p) => p.category?.id === category.id).map((p) => p.category!.name)).toEqual(
      lines.filter((p) => p.category?.id === category.id).map(() => name),
    );
  });

  it("never caches a signed-in customer's own data: their cart and profile are fetched on every read", async () => {
    const token = await devToken(DEMO_CUSTOMER, ['customer']);
    const ME = `{ me { id firstName cart { id totalQuantity lines(first: 10) { edges { node { quantity product { id name price { amount } } } } } } } }`;
    type Me = { me: { firstName: string | null; cart: { id: string; totalQuantity: number } } };
    const readMe = async () => (await gql<Me>(stack.gatewayUrl, ME, { token })).body.data!.me;
    const mine = (await readMe()).cart.id;
    await addLine(stack.gatewayUrl, mine, products[1]!.id, token);
    await untilCached(readMe);
    const name = `Ada${Date.now()}`;
    await gql(stack.gatewayUrl, 'mutation ($n: String!) { customerUpdate(input: { firstName: $n }) { userErrors { code } } }', {
      variables: { n: name },
      token,
    });
    await addLine(stack.gatewayUrl, mine, products[1]!.id, token);
    // The next read: the product from the cache, the profile and the cart as they are now.
    const before = await hits();
    const me = await readMe();
    expect(me.firstName).toBe(name);
    expect(me.cart.totalQuantity).toBe(2);
    expect(await hits()).toBe(before + 1);
    // Everything the cache holds is a catalog entity (or its bookkeeping), nothing of a customer's.
    const redis = new Redis(stack.redis.url);
    try {
      const keys = await redis.keys('gw:entity:*');
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) expect(key).toMatch(/^gw:entity:(catalog:(Product|ProductVariant|Category):|set:|inv:)/);
      const values = (await redis.mget(keys.filter((k) => k.startsWith('gw:entity:catalog:')))).join('\n');
      expect(values).not.toContain(name);
      expect(values).not.toContain(mine);
    } finally {
      redis.disconnect();
    }
  });

  it('answers as before while Redis is down, and counts the failures', async () => {
    await readUntilCached();
    const errors = await gatewayMetric('gateway_entity_cache_errors_total');
    await stack.redis.pause();
    try {
      const cart = await readCart();
      expect(cart.lines.edges).toHaveLength(3);
      expect(await gatewayMetric('gateway_entity_cache_errors_total')).toBeGreaterThan(errors);
    } finally {
      await stack.redis.restart();
    }
    await readUntilCached();
  });
});
