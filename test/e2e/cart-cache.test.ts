import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import pg from 'pg';
import { Redis } from 'ioredis';
import { gql, startTestSupergraph, type TestSupergraph } from '../support/stack.ts';
import { oneVariantProducts } from '../support/shop.ts';
import { waitFor } from '../support/wait.ts';

let stack: TestSupergraph;
let productId: string;

beforeAll(async () => {
  stack = await startTestSupergraph();
  productId = (await oneVariantProducts(stack.gatewayUrl, 1))[0]!.id;
});
afterAll(async () => stack?.stop());

/** A counter or gauge from the cart subgraph's /metrics (summed over labels). */
async function cartMetric(name: string): Promise<number> {
  const text = await (await fetch(stack.subgraphUrls.cart!.replace('/graphql', '/metrics'))).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(name) && !line.startsWith('#'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

async function newCart(): Promise<string> {
  const res = await gql<{ cartCreate: { cart: { id: string } } }>(
    stack.gatewayUrl,
    `mutation ($p: ID!) { cartCreate(input: { lines: [{ productId: $p }] }) { cart { id } } }`,
    {
      variables: { p: productId },
    },
  );
  return res.body.data!.cartCreate.cart.id;
}

const readCart = (id: string) =>
  gql<{ cart: { version: number; totalQuantity: number } }>(stack.gatewayUrl, `query ($id: ID!) { cart(id: $id) { version totalQuantity } }`, {
    variables: { id },
  });
const addOne = (id: string) =>
  gql<{ cartLinesAdd: { cart: { version: number }; userErrors: unknown[] } }>(
    stack.gatewayUrl,
    `mutation ($id: ID!, $p: ID!) { cartLinesAdd(cartId: $id, lines: [{ productId: $p }]) { cart { version } userErrors { code } } }`,
    { variables: { id, p: productId } },
  );

describe('cart cache on the real stack', () => {
  it('serves reads from Redis once filled, and never a stale copy after a write', async () => {
    const id = await newCart();
    const hits = await cartMetric('cart_cache_hits_total');
    await readCart(id);
    await readCart(id);
    expect(await cartMetric('cart_cache_hits_total')).toBeGreaterThan(hits);
    const added = await addOne(id);
    expect((await readCart(id)).body.data!.cart).toEqual({ version: added.body.data!.cartLinesAdd.cart.version, totalQuantity: 2 });
  });

  it('keeps working from Postgres while Redis is down, says so, and uses the cache again after', async () => {
    const id = await newCart();
    await stack.redis.pause();
    try {
      const added = await addOne(id);
      expect(added.body.data!.cartLinesAdd.userErrors).toEqual([]);
      expect((await readCart(id)).body.data!.cart.totalQuantity).toBe(2);
      expect(await cartMetric('cart_cache_up')).toBe(0);
      expect(await cartMetric('cart_cache_errors_total')).toBeGreaterThan(0);
    } finally {
      await stack.redis.restart();
    }
    await waitFor('cart_cache_up back to 1', async () => (await cartMetric('cart_cache_up')) === 1, { intervalMs: 100 });
    await readCart(id);
    const hits = await cartMetric('cart_cache_hits_total');
    expect((await readCart(id)).body.data!.cart.totalQuantity).toBe(2);
    expect(await cartMetric('cart_cache_hits_total')).toBeGreaterThan(hits);
  });

  it('publishes cart-changed only after the change is committed', async () => {
    const id = await newCart();
    const db = new pg.Client({
      connectionString: Object.assign(new URL(inject('postgresUrl')), { pathname: `/${stack.databases.cart}` }).toString(),
    });
    await db.connect();
    const subscriber = new Redis(stack.redis.url);
    const seen: Array<{ message: number; committed: number }> = [];
    await subscriber.subscribe(`cart.changed.${id}`);
    subscriber.on('message', (_channel, raw: string) => {
      const { version } = JSON.parse(raw) as { version: number };
      // Read what the database holds the moment the message arrives.
      void db.query('select version from cart where id = $1', [id]).then((r) => seen.push({ message: version, committed: r.rows[0].version }));
    });
    try {
      const first = (await addOne(id)).body.data!.cartLinesAdd.cart.version;
      await addOne(id);
      await waitFor('both messages', () => seen.length >= 2);
      expect(seen.map((s) => s.message)).toEqual([first, first + 1]);
      for (const s of seen) expect(s.committed).toBeGreaterThanOrEqual(s.message);
    } finally {
      await subscriber.quit();
      await db.end();
    }
  });
});
