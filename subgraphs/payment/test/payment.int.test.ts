import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectOrm, createLogger, GUEST, runMigrations, type Identity, type MikroORM, guardedSubgraphSchema } from '@shop/platform';
import { createTestDatabase } from '../../../test/support/databases.ts';
import { graphqlRunner } from '../../../test/support/graphql.ts';
import { paymentOrmOptions } from '../src/data/orm.config.ts';
import { PaymentSchema } from '../src/data/payment.entity.ts';
import { DEMO_CUSTOMER_ID, DEMO_ORDER_ID, DEMO_PAYMENT_ID, seedPayments } from '../src/data/seed-data.ts';
import { resolvers } from '../src/resolvers/index.ts';
import { permissions } from '../src/resolvers/permissions.ts';
import { createContext } from '../src/context.ts';

const log = createLogger('payment-test', 'silent');
const OTHER_CUSTOMER_ID = 'c0ffee00-0000-4000-8000-000000000002';
const OWNER: Identity = { sub: DEMO_CUSTOMER_ID, roles: ['customer'], token: null };
const OTHER: Identity = { sub: OTHER_CUSTOMER_ID, roles: ['customer'], token: null };
const ADMIN: Identity = { sub: 'admin-1', roles: ['admin'], token: null };

/** A second order of the demo customer, an order of another customer, an order with no payment yet. */
const OWNER_SECOND_ORDER = '00000000-0000-4000-8000-00000000c001';
const OTHER_ORDER = '00000000-0000-4000-8000-00000000d001';
const UNPAID_ORDER = '00000000-0000-4000-8000-00000000f001';
const OWNER_SECOND_PAYMENT = '00000000-0000-4000-8000-00000000b002';
const OTHER_PAYMENT = '00000000-0000-4000-8000-00000000b003';

// The schema exactly as startSubgraph builds it: subgraph SDL + resolvers, guarded by graphql-shield.
const schema = guardedSubgraphSchema(new URL('../schema.graphql', import.meta.url), resolvers, permissions);

let orm: MikroORM;
/** Every SQL statement the ORM sends, to show a batch costs one query. */
const queries: string[] = [];

const run = graphqlRunner(
  schema,
  (identity) => createContext(orm.em.fork(), identity, log),
  () => (queries.length = 0),
);

beforeAll(async () => {
  const url = await createTestDatabase('payment');
  await runMigrations(paymentOrmOptions(url), log);
  orm = await connectOrm({ ...paymentOrmOptions(url), debug: ['query'], logger: (message: string) => void queries.push(message) }, log);
  expect(await seedPayments(orm.em.fork())).toBe(true);
  expect(await seedPayments(orm.em.fork())).toBe(false); // idempotent: the second run skips
  const payment = (id: string, orderId: string, customerId: string, amount: number) => ({
    id,
    orderId,
    customerId,
    status: 'AUTHORIZED' as const,
    amount,
    currency: 'EUR',
    providerReference: null,
    createdAt: new Date('2026-11-02T00:00:00Z'),
    updatedAt: new Date('2026-11-02T00:00:00Z'),
  });
  await orm.em
    .fork()
    .insertMany(PaymentSchema, [
      payment(OWNER_SECOND_PAYMENT, OWNER_SECOND_ORDER, DEMO_CUSTOMER_ID, 1234),
      payment(OTHER_PAYMENT, OTHER_ORDER, OTHER_CUSTOMER_ID, 500),
    ]);
});

afterAll(async () => {
  await orm?.close();
});

const ORDER_PAYMENTS = `query ($reps: [_Any!]!) {
  _entities(representations: $reps) { ... on Order { id payment { id status amount { amount currencyCode } createdAt } } }
}`;
const orders = (...ids: string[]) => ids.map((id) => ({ __typename: 'Order', id }));
const paymentIds = (data: { _entities: Array<{ payment: { id: string } | null }> }) => data._entities.map((o) => o.payment?.id ?? null);

describe('Order.payment', () => {
  it('shows the order’s owner the captured demo payment, amount as money', async () => {
    const { data, errors } = await run(ORDER_PAYMENTS, OWNER, { reps: orders(DEMO_ORDER_ID) });
    expect(errors).toBeUndefined();
    expect(data._entities).toEqual([
      {
        id: DEMO_ORDER_ID,
        payment: { id: DEMO_PAYMENT_ID, status: 'CAPTURED', amount: { amount: '87.49', currencyCode: 'USD' }, createdAt: '2026-11-01T10:00:02.000Z' },
      },
    ]);
  });

  it('gives another customer and a guest null', async () => {
    for (const identity of [OTHER, GUEST]) {
      const { data, errors } = await run(ORDER_PAYMENTS, identity, { reps: orders(DEMO_ORDER_ID) });
      expect(errors).toBeUndefined();
      expect(data._entities).toEqual([{ id: DEMO_ORDER_ID, payment: null }]);
    }
  });

  it('resolves a batch of orders in one query, per-row visibility applied', async () => {
    const reps = orders(DEMO_ORDER_ID, OTHER_ORDER, OWNER_SECOND_ORDER, UNPAID_ORDER, 'not-a-uuid');
    const asOwner = await run(ORDER_PAYMENTS, OWNER, { reps });
    expect(asOwner.errors).toBeUndefined();
    expect(queries).toHaveLength(1);
    expect(paymentIds(asOwner.data)).toEqual([DEMO_PAYMENT_ID, null, OWNER_SECOND_PAYMENT, null, null]);

    const asAdmin = await run(ORDER_PAYMENTS, ADMIN, { reps });
    expect(asAdmin.errors).toBeUndefined();
    expect(queries).toHaveLength(1);
    expect(asAdmin.data._entities[1].payment).toMatchObject({ status: 'AUTHORIZED', amount: { amount: '5.00', currencyCode: 'EUR' } });
    expect(paymentIds(asAdmin.data)).toEqual([DEMO_PAYMENT_ID, OTHER_PAYMENT, OWNER_SECOND_PAYMENT, null, null]);
  });
});

describe('Payment entity references', () => {
  const PAYMENTS = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Payment { id status } } }`;
  const payments = (...ids: string[]) => ids.map((id) => ({ __typename: 'Payment', id }));

  it('resolves a payment for its customer and admins only', async () => {
    const visible = [{ id: DEMO_PAYMENT_ID, status: 'CAPTURED' }];
    for (const [identity, expected] of [
      [OWNER, visible],
      [ADMIN, visible],
      [OTHER, [null]],
      [GUEST, [null]],
    ] as const) {
      const { data, errors } = await run(PAYMENTS, identity, { reps: payments(DEMO_PAYMENT_ID) });
      expect(errors).toBeUndefined();
      expect(data._entities).toEqual(expected);
    }
  });

  it('answers null for unknown and malformed ids instead of failing', async () => {
    const { data, errors } = await run(PAYMENTS, ADMIN, { reps: payments('00000000-0000-4000-8000-0000000000ff', 'nope') });
    expect(errors).toBeUndefined();
    expect(data._entities).toEqual([null, null]);
  });
});
