import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityManager } from '@mikro-orm/postgresql';
import { connectOrm, createLogger, GUEST, runMigrations, type Identity, type MikroORM, guardedSubgraphSchema } from '@shop/platform';
import { createTestDatabase } from '../../../test/support/databases.ts';
import { graphqlRunner } from '../../../test/support/graphql.ts';
import { orderOrmOptions } from '../src/data/orm.config.ts';
import { OrderSchema } from '../src/data/order.entity.ts';
import { DEMO_CUSTOMER_ID, DEMO_ORDER_ID, DEMO_ORDER_TOTAL, seedOrders } from '../src/data/seed-data.ts';
import { resolvers } from '../src/resolvers/index.ts';
import { permissions } from '../src/resolvers/permissions.ts';
import { createContext } from '../src/context.ts';

const log = createLogger('order-test', 'silent');
const OTHER_CUSTOMER_ID = 'c0ffee00-0000-4000-8000-000000000002';
const OWNER: Identity = { sub: DEMO_CUSTOMER_ID, roles: ['customer'], token: null };
const OTHER: Identity = { sub: OTHER_CUSTOMER_ID, roles: ['customer'], token: null };
const ADMIN: Identity = { sub: 'admin-1', roles: ['admin'], token: null };

// The schema exactly as startSubgraph builds it: subgraph SDL + resolvers, guarded by graphql-shield.
const schema = guardedSubgraphSchema(new URL('../schema.graphql', import.meta.url), resolvers, permissions);

let orm: MikroORM;
/** Every SQL statement the ORM sends, to show batches cost a fixed number of queries. */
const queries: string[] = [];

const run = graphqlRunner(
  schema,
  (identity) => createContext(orm.em.fork(), identity, log),
  () => (queries.length = 0),
);

/** Extra orders: newest first they are c005, c004, then c003/c002 (same instant, id desc), c001, then the demo order. */
async function addOrders(em: EntityManager): Promise<void> {
  const order = (id: string, customerId: string | null, createdAt: string) => ({
    id,
    customerId,
    email: 'x@example.com',
    status: 'CONFIRMED' as const,
    currency: 'USD',
    subtotalAmount: 100,
    totalAmount: 100,
    shippingAddress: { name: 'X', line1: '1 Street', city: 'Town', postalCode: '1', countryCode: 'US' },
    createdAt: new Date(createdAt),
    updatedAt: new Date(createdAt),
  });
  await em.insertMany(OrderSchema, [
    order('00000000-0000-4000-8000-00000000c001', DEMO_CUSTOMER_ID, '2026-11-02T09:00:00.000Z'),
    order('00000000-0000-4000-8000-00000000c002', DEMO_CUSTOMER_ID, '2026-11-03T12:00:00.000Z'),
    order('00000000-0000-4000-8000-00000000c003', DEMO_CUSTOMER_ID, '2026-11-03T12:00:00.000Z'),
    order('00000000-0000-4000-8000-00000000c004', DEMO_CUSTOMER_ID, '2026-11-04T08:30:00.123Z'),
    order('00000000-0000-4000-8000-00000000c005', DEMO_CUSTOMER_ID, '2026-11-05T17:45:00.999Z'),
    order('00000000-0000-4000-8000-00000000d001', OTHER_CUSTOMER_ID, '2026-11-06T00:00:00.000Z'),
    order('00000000-0000-4000-8000-00000000e001', null, '2026-11-06T00:00:00.000Z'), // a guest checkout
  ]);
}

beforeAll(async () => {
  const url = await createTestDatabase('order');
  await runMigrations(orderOrmOptions(url), log);
  orm = await connectOrm({ ...orderOrmOptions(url), debug: ['query'], logger: (message: string) => void queries.push(message) }, log);
  expect(await seedOrders(orm.em.fork())).toBe(true);
  expect(await seedOrders(orm.em.fork())).toBe(false); // idempotent: the second run skips
  await addOrders(orm.em.fork());
});

afterAll(async () => {
  await orm?.close();
});

const ORDER_QUERY = `query ($id: ID!) {
  order(id: $id) {
    id number status email createdAt
    lines { name quantity unitPrice { amount currencyCode } product { __typename id } }
    statusHistory { status reason }
  }
}`;

describe('Query.order', () => {
  it('shows the owner the whole order', async () => {
    const { data, errors } = await run(ORDER_QUERY, OWNER, { id: DEMO_ORDER_ID });
    expect(errors).toBeUndefined();
    expect(data.order).toMatchObject({ id: DEMO_ORDER_ID, status: 'CONFIRMED', email: 'demo@example.com', createdAt: '2026-11-01T10:00:00.000Z' });
    expect(data.order.number).toMatch(/^ORD-\d{6,}$/);
    expect(data.order.lines).toEqual([
      {
        name: 'Greenhaven Indoor Watering Can',
        quantity: 1,
        unitPrice: { amount: '19.49', currencyCode: 'USD' },
        product: { __typename: 'Product', id: '53e7375a-9289-4098-8294-9dd41411b998' },
      },
      {
        name: 'Tumble & Co 500-Piece Jigsaw Puzzle',
        quantity: 2,
        unitPrice: { amount: '34.00', currencyCode: 'USD' },
        product: { __typename: 'Product', id: 'f8e191da-0473-44ff-b2c3-5b37a4b3a6b8' },
      },
    ]);
    expect(DEMO_ORDER_TOTAL).toBe(1949 + 2 * 3400);
    expect(data.order.statusHistory.map((c: { status: string }) => c.status)).toEqual(['PENDING', 'AWAITING_PAYMENT', 'CONFIRMED']);
  });

  it('gives another customer and a guest null, with no error that would hint the order exists', async () => {
    for (const identity of [OTHER, GUEST]) {
      const { data, errors } = await run(ORDER_QUERY, identity, { id: DEMO_ORDER_ID });
      expect(errors).toBeUndefined();
      expect(data.order).toBeNull();
    }
  });

  it('shows an admin any order, guest checkouts included', async () => {
    for (const id of [DEMO_ORDER_ID, '00000000-0000-4000-8000-00000000e001']) {
      const { data, errors } = await run('query ($id: ID!) { order(id: $id) { id } }', ADMIN, { id });
      expect(errors).toBeUndefined();
      expect(data.order).toEqual({ id });
    }
  });

  it('answers null for unknown and malformed ids instead of failing', async () => {
    for (const id of ['00000000-0000-4000-8000-0000000000ff', 'not-a-uuid', '-'.repeat(36), '']) {
      const { data, errors } = await run(ORDER_QUERY, ADMIN, { id });
      expect(errors).toBeUndefined();
      expect(data.order).toBeNull();
    }
  });
});

describe('Order entity references', () => {
  const ENTITIES = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Order { id number lines { name } statusHistory { status } } } }`;
  const reps = (...ids: string[]) => ids.map((id) => ({ __typename: 'Order', id }));

  it('resolves a batch with a fixed number of queries and hides what the caller may not see', async () => {
    const one = await run(ENTITIES, OWNER, { reps: reps(DEMO_ORDER_ID) });
    expect(one.errors).toBeUndefined();
    const perSingle = queries.length;

    const batch = await run(ENTITIES, OWNER, {
      reps: reps(
        DEMO_ORDER_ID,
        '00000000-0000-4000-8000-00000000d001',
        '00000000-0000-4000-8000-00000000c004',
        'bad-id',
        '00000000-0000-4000-8000-0000000000ff',
      ),
    });
    expect(batch.errors).toBeUndefined();
    expect(queries.length).toBe(perSingle); // orders, lines, history: one query each, not one per order
    expect(perSingle).toBe(3);
    const ids = batch.data._entities.map((o: { id: string } | null) => o?.id ?? null);
    expect(ids).toEqual([DEMO_ORDER_ID, null, '00000000-0000-4000-8000-00000000c004', null, null]);
    expect(batch.data._entities[0].lines).toHaveLength(2);
  });

  it('shows nothing to a guest', async () => {
    const { data, errors } = await run(ENTITIES, GUEST, { reps: reps(DEMO_ORDER_ID) });
    expect(errors).toBeUndefined();
    expect(data._entities).toEqual([null]);
  });
});

describe('Customer.orders', () => {
  const ORDERS = `query ($reps: [_Any!]!, $first: Int, $after: String) {
    _entities(representations: $reps) {
      ... on Customer { orders(first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage endCursor }
        edges { cursor node { id number lines { name } } }
      } }
    }
  }`;
  const customer = (id: string) => [{ __typename: 'Customer', id }];

  it('pages through the customer’s own orders, newest first', async () => {
    const seen: string[] = [];
    const hasNext: boolean[] = [];
    let after: string | null = null;
    do {
      const { data, errors } = await run(ORDERS, OWNER, { reps: customer(DEMO_CUSTOMER_ID), first: 2, after });
      expect(errors).toBeUndefined();
      const page = data._entities[0].orders;
      expect(page.totalCount).toBe(6);
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      seen.push(...page.edges.map((e: { node: { id: string } }) => e.node.id));
      hasNext.push(page.pageInfo.hasNextPage);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toEqual([
      '00000000-0000-4000-8000-00000000c005',
      '00000000-0000-4000-8000-00000000c004',
      '00000000-0000-4000-8000-00000000c003',
      '00000000-0000-4000-8000-00000000c002',
      '00000000-0000-4000-8000-00000000c001',
      DEMO_ORDER_ID,
    ]);
    expect(hasNext).toEqual([true, true, false]);
  });

  it('defaults to 10 per page and lets an admin list any customer', async () => {
    const { data, errors } = await run(ORDERS, ADMIN, { reps: customer(DEMO_CUSTOMER_ID) });
    expect(errors).toBeUndefined();
    expect(data._entities[0].orders.edges).toHaveLength(6);
    expect(data._entities[0].orders.pageInfo.hasNextPage).toBe(false);
  });

  it('refuses another customer and a guest', async () => {
    for (const identity of [OTHER, GUEST]) {
      const { errors } = await run(ORDERS, identity, { reps: customer(DEMO_CUSTOMER_ID) });
      expect(errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });

  it('rejects a tampered cursor as bad input', async () => {
    for (const after of ['garbage', Buffer.from(JSON.stringify(['x', 'y'])).toString('base64url')]) {
      const { errors } = await run(ORDERS, OWNER, { reps: customer(DEMO_CUSTOMER_ID), after });
      expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('rejects a cursor whose date JavaScript reads but Postgres would refuse, as bad input with a path', async () => {
    const id = '00000000-0000-0000-0000-000000000000';
    for (const createdAt of [-8_640_000_000_000_000, 8_640_000_000_000_000, '+275760-09-13T00:00:00.000Z', '-000001-01-01T00:00:00.000Z']) {
      const after = Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
      for (const query of [ORDERS, `query ($after: String) { orders(after: $after) { totalCount } }`]) {
        const { errors } = await run(query, ADMIN, { reps: customer(DEMO_CUSTOMER_ID), after });
        expect(errors).toHaveLength(1);
        expect(errors![0]).toMatchObject({ message: 'Invalid cursor', extensions: { code: 'BAD_USER_INPUT', field: ['after'] } });
        expect(errors![0]!.path).toEqual(query === ORDERS ? ['_entities', 0, 'orders'] : ['orders']);
      }
    }
  });
});
