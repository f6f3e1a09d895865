import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityManager } from '@mikro-orm/postgresql';
import { connectOrm, createLogger, GUEST, runMigrations, type Identity, type MikroORM, guardedSubgraphSchema } from '@shop/platform';
import { createTestDatabase } from '../../../test/support/databases.ts';
import { graphqlRunner } from '../../../test/support/graphql.ts';
import { orderOrmOptions } from '../src/data/orm.config.ts';
import { onPaymentCaptured, onStockReserved, startOrder } from '../src/domain/order-saga.ts';
import { resolvers } from '../src/resolvers/index.ts';
import { permissions } from '../src/resolvers/permissions.ts';
import { createContext } from '../src/context.ts';

const log = createLogger('order-mutations-test', 'silent');
const schema = guardedSubgraphSchema(new URL('../schema.graphql', import.meta.url), resolvers, permissions);
const OWNER: Identity = { sub: `owner-${randomUUID()}`, roles: ['customer'], token: null };
const ADMIN: Identity = { sub: 'admin', roles: ['admin'], token: null };
const timeouts = { reserveMs: 60_000, paymentMs: 60_000 };
let orm: MikroORM;
const changed: string[] = [];

beforeAll(async () => {
  const url = await createTestDatabase('order_mut');
  await runMigrations(orderOrmOptions(url), log);
  orm = await connectOrm(orderOrmOptions(url), log);
});
afterAll(async () => orm?.close());

const run = graphqlRunner(schema, (identity) => createContext(orm.em.fork(), identity, log, (id) => void changed.push(id)));
const tx = <T>(work: (em: EntityManager) => Promise<T>) => orm.em.fork().transactional(work);

/** An order of OWNER driven to `stage` through the saga's own steps. */
async function order(stage: 'PENDING' | 'CONFIRMED'): Promise<string> {
  const id = randomUUID();
  await tx((em) =>
    startOrder(
      em,
      {
        checkoutId: id,
        cartId: 'cart-1',
        customerId: OWNER.sub,
        email: 'o@example.com',
        shippingAddress: { name: 'O', line1: '1', line2: null, city: 'C', postalCode: '1', countryCode: 'US' },
        paymentToken: 'tok_visa',
        idempotencyKey: 'k-1234567',
        currency: 'USD',
        lines: [{ productId: randomUUID(), name: 'Mug', quantity: 1, unitPriceAmount: 1000 }],
        totals: { subtotal: 1000, discount: 0, shipping: 499, tax: 73, total: 1572 },
        discountCodes: [],
      },
      timeouts,
    ),
  );
  if (stage === 'CONFIRMED') {
    await tx((em) => onStockReserved(em, id, timeouts));
    await tx((em) => onPaymentCaptured(em, id));
  }
  return id;
}

const CANCEL = `mutation ($id: ID!) { orderCancel(id: $id, reason: "changed my mind") { order { status statusHistory { status reason } } userErrors { code message } } }`;
const outbox = async (id: string) =>
  (
    await orm.em
      .fork()
      .execute<Array<{ subject: string }>>(`select subject from outbox_event where payload->'data'->>'orderId' = ? order by seq`, [id])
  ).map((r) => r.subject);

describe('order mutations', () => {
  it('lets the owner cancel an unpaid order, releasing its stock', async () => {
    const id = await order('PENDING');
    const res = await run(CANCEL, OWNER, { id });
    expect(res.data.orderCancel.userErrors).toEqual([]);
    expect(res.data.orderCancel.order.status).toBe('CANCELLED');
    expect((await outbox(id)).slice(-2)).toEqual(['order.status.cancelled', 'order.stock.release']);
    expect(changed).toContain(id);
    // Cancelled before the payment was requested: the token goes too.
    const [row] = await orm.em.fork().execute<Array<{ payment_token: string | null }>>('select payment_token from customer_order where id = ?', [id]);
    expect(row!.payment_token).toBeNull();
  });

  it('refunds and returns the stock when a paid order is cancelled', async () => {
    const id = await order('CONFIRMED');
    const res = await run(CANCEL, OWNER, { id });
    expect(res.data.orderCancel.order.status).toBe('CANCELLED');
    expect((await outbox(id)).slice(-3)).toEqual(['order.status.cancelled', 'order.payment.refund', 'order.stock.return']);
  });

  it('ships and delivers for admins, refusing illegal transitions with the current status', async () => {
    const id = await order('CONFIRMED');
    const customerTry = await run(`mutation ($id: ID!) { orderShip(id: $id, trackingNumber: "T1") { userErrors { code } } }`, OWNER, { id });
    expect(customerTry.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const early = await run(`mutation ($id: ID!) { orderDeliver(id: $id) { userErrors { code message } } }`, ADMIN, { id });
    expect(early.data.orderDeliver.userErrors).toEqual([
      { code: 'INVALID_STATUS', message: 'This order is confirmed; only a shipped order can be delivered' },
    ]);
    const shipped = await run(
      `mutation ($id: ID!) { orderShip(id: $id, trackingNumber: "1Z999") { order { status trackingNumber } userErrors { code } } }`,
      ADMIN,
      { id },
    );
    expect(shipped.data.orderShip).toEqual({ order: { status: 'SHIPPED', trackingNumber: '1Z999' }, userErrors: [] });
    const late = await run(CANCEL, OWNER, { id });
    expect(late.data.orderCancel.userErrors).toEqual([{ code: 'INVALID_STATUS', message: 'This order has shipped and can no longer be cancelled' }]);
    const delivered = await run(`mutation ($id: ID!) { orderDeliver(id: $id) { order { status } } }`, ADMIN, { id });
    expect(delivered.data.orderDeliver.order.status).toBe('DELIVERED');
  });

  it("hides someone else's order: FORBIDDEN to cancel, as for an order that does not exist", async () => {
    const id = await order('PENDING');
    const other = await run(CANCEL, { sub: 'someone', roles: ['customer'], token: null }, { id });
    const missing = await run(CANCEL, { sub: 'someone', roles: ['customer'], token: null }, { id: randomUUID() });
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(other.errors?.[0]?.message).toBe(missing.errors?.[0]?.message);
  });

  it('answers ids that are not UUIDs like unknown orders (FORBIDDEN / NOT_FOUND), never with a database error', async () => {
    for (const id of ['-'.repeat(36), 'abc', `${randomUUID()}0`]) {
      const cancel = await run(CANCEL, OWNER, { id });
      expect(cancel.errors?.[0]?.extensions?.code, id).toBe('FORBIDDEN');
      const ship = await run(`mutation ($id: ID!) { orderShip(id: $id, trackingNumber: "T1") { order { id } userErrors { code field } } }`, ADMIN, {
        id,
      });
      expect(ship.errors, id).toBeUndefined();
      expect(ship.data.orderShip).toEqual({ order: null, userErrors: [{ code: 'NOT_FOUND', field: ['id'] }] });
      const deliver = await run(`mutation ($id: ID!) { orderDeliver(id: $id) { order { id } userErrors { code field } } }`, ADMIN, { id });
      expect(deliver.errors, id).toBeUndefined();
      expect(deliver.data.orderDeliver).toEqual({ order: null, userErrors: [{ code: 'NOT_FOUND', field: ['id'] }] });
    }
  });

  it('lists orders: admins all (by status), customers their own, guests none', async () => {
    const mine = await run(`{ orders(first: 50) { totalCount edges { node { id } } } }`, OWNER);
    expect(mine.data.orders.totalCount).toBe(4);
    const confirmed = await run(`{ orders(first: 50, status: DELIVERED) { totalCount } }`, ADMIN);
    expect(confirmed.data.orders.totalCount).toBe(1);
    const guest = await run(`{ orders { totalCount } }`, GUEST);
    expect(guest.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
