import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectOrm, createLogger, guardedSubgraphSchema, runMigrations, type CheckoutRequested, type Identity, type MikroORM } from '@shop/platform';
import { createTestDatabase } from '../../../test/support/databases.ts';
import { graphqlRunner } from '../../../test/support/graphql.ts';
import { orderOrmOptions } from '../src/data/orm.config.ts';
import { startOrder } from '../src/domain/order-saga.ts';
import { resolvers } from '../src/resolvers/index.ts';
import { permissions } from '../src/resolvers/permissions.ts';
import { createContext } from '../src/context.ts';

/** The cart's note and attributes travel with checkout.requested into the order. */
const log = createLogger('order-note-test', 'silent');
const BUYER: Identity = { sub: 'note-buyer', roles: ['customer'], token: null };
const schema = guardedSubgraphSchema(new URL('../schema.graphql', import.meta.url), resolvers, permissions);
let orm: MikroORM;
const run = graphqlRunner(schema, (identity) => createContext(orm.em.fork(), identity, log));

beforeAll(async () => {
  const url = await createTestDatabase('order_note');
  await runMigrations(orderOrmOptions(url), log);
  orm = await connectOrm(orderOrmOptions(url), log);
});
afterAll(async () => orm?.close());

function checkout(extra: Partial<CheckoutRequested> = {}): CheckoutRequested {
  const id = randomUUID();
  return {
    checkoutId: id,
    cartId: `cart-${id.slice(0, 8)}`,
    customerId: BUYER.sub,
    email: 'ada@example.com',
    shippingAddress: { name: 'Ada', line1: '1 St', line2: null, city: 'London', postalCode: 'N1', countryCode: 'GB' },
    paymentToken: 'tok_visa',
    idempotencyKey: 'key-12345',
    currency: 'USD',
    lines: [{ productId: randomUUID(), name: 'Mug', quantity: 1, unitPriceAmount: 1250 }],
    totals: { subtotal: 1250, discount: 0, shipping: 0, tax: 0, total: 1250 },
    discountCodes: [],
    ...extra,
  };
}

const READ = `query ($id: ID!) { order(id: $id) { note attributes { key value } } }`;
const timeouts = { reserveMs: 60_000, paymentMs: 60_000 };

describe('order note and attributes', () => {
  it('keeps the note and attributes the checkout carried, in order', async () => {
    const c = checkout({
      note: 'Happy birthday, Ada!',
      attributes: [
        { key: 'Gift wrap', value: 'yes' },
        { key: 'Ref', value: null },
      ],
    });
    expect(await orm.em.fork().transactional((em) => startOrder(em, c, timeouts))).toMatchObject({ status: 'PENDING' });
    const res = await run(READ, BUYER, { id: c.checkoutId });
    expect(res.errors).toBeUndefined();
    expect(res.data.order).toEqual({
      note: 'Happy birthday, Ada!',
      attributes: [
        { key: 'Gift wrap', value: 'yes' },
        { key: 'Ref', value: null },
      ],
    });
  });

  it('has none for a checkout without them (events from before carry neither)', async () => {
    const c = checkout();
    expect(await orm.em.fork().transactional((em) => startOrder(em, c, timeouts))).toMatchObject({ status: 'PENDING' });
    expect((await run(READ, BUYER, { id: c.checkoutId })).data.order).toEqual({ note: null, attributes: [] });
  });
});
