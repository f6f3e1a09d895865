import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execute, parse } from 'graphql';
import {
  connectOrm,
  createLogger,
  GUEST,
  guardedSubgraphSchema,
  runMigrations,
  signOrderAccessToken,
  type Identity,
  type MikroORM,
} from '@shop/platform';
import { createTestDatabase } from '../../../test/support/databases.ts';
import { orderOrmOptions } from '../src/data/orm.config.ts';
import { OrderSchema } from '../src/data/order.entity.ts';
import { resolvers } from '../src/resolvers/index.ts';
import { permissions } from '../src/resolvers/permissions.ts';
import { createContext } from '../src/context.ts';
import { orderTokenCheck } from '../src/domain/order-access.ts';
import { displayNumber } from '../src/domain/order.service.ts';

const log = createLogger('order-access-test', 'silent');
const SECRET = 'order-access-test-secret-0123456789abcdef';
const schema = guardedSubgraphSchema(new URL('../schema.graphql', import.meta.url), resolvers, permissions);

const OWNER_ID = `owner-${randomUUID()}`;
const OWNER: Identity = { sub: OWNER_ID, roles: ['customer'], token: null };
const OTHER: Identity = { sub: `other-${randomUUID()}`, roles: ['customer'], token: null };
const ADMIN: Identity = { sub: 'admin-1', roles: ['admin'], token: null };

/** X and Y: guest orders; Z: the owner's. */
const [X, Y, Z] = [randomUUID(), randomUUID(), randomUUID()];
const EMAIL = { [X]: 'Guest.X@Example.com', [Y]: 'guest.y@example.com', [Z]: 'owner@example.com' };
const numbers: Record<string, string> = {};

let orm: MikroORM;

/** One request: the caller's identity and, if given, the Order-Access-Token header's value. */
// GraphQL results are checked field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const run = async (query: string, identity: Identity, variables: Record<string, unknown>, token?: string): Promise<any> =>
  execute({
    schema,
    document: parse(query),
    variableValues: variables,
    contextValue: createContext(orm.em.fork(), identity, log, undefined, {}, orderTokenCheck(SECRET, token)),
  });

const tokenFor = (orderId: string) => signOrderAccessToken(SECRET, orderId);

beforeAll(async () => {
  const url = await createTestDatabase('order_access');
  await runMigrations(orderOrmOptions(url), log);
  orm = await connectOrm(orderOrmOptions(url), log);
  const order = (id: string, customerId: string | null) => ({
    id,
    customerId,
    email: EMAIL[id]!,
    status: 'PENDING' as const,
    currency: 'USD',
    subtotalAmount: 100,
    totalAmount: 100,
    shippingAddress: { name: 'X', line1: '1 Street', city: 'Town', postalCode: '1', countryCode: 'US' },
    createdAt: new Date(),
    updatedAt: new Date(),
  });
  await orm.em.fork().insertMany(OrderSchema, [order(X, null), order(Y, null), order(Z, OWNER_ID)]);
  const rows = await orm.em.fork().execute<Array<{ id: string; number: string }>>('select id, number from customer_order');
  for (const row of rows) numbers[row.id] = displayNumber(row.number);
});
afterAll(async () => orm?.close());

const ORDER = `query ($id: ID!) { order(id: $id) { id status email } }`;
const CHECKOUT_ORDER = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Checkout { id order { id status } } } }`;
const BY_NUMBER = `query ($number: String!, $email: String!) { orderByNumber(number: $number, email: $email) { id number } }`;

describe('an order access token', () => {
  it('lets a guest read the order it was signed for: order(id), Checkout.order and the Order entity', async () => {
    const token = tokenFor(X);
    const order = await run(ORDER, GUEST, { id: X }, token);
    expect(order.errors).toBeUndefined();
    expect(order.data.order).toEqual({ id: X, status: 'PENDING', email: EMAIL[X] });

    const checkout = await run(CHECKOUT_ORDER, GUEST, { reps: [{ __typename: 'Checkout', id: X }] }, token);
    expect(checkout.errors).toBeUndefined();
    expect(checkout.data._entities).toEqual([{ id: X, order: { id: X, status: 'PENDING' } }]);

    const entity = await run(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Order { id } } }`,
      GUEST,
      {
        reps: [
          { __typename: 'Order', id: X },
          { __typename: 'Order', id: Y },
        ],
      },
      token,
    );
    expect(entity.data._entities).toEqual([{ id: X }, null]);
  });

  it('gives nothing for any other order, and nothing without a valid token', async () => {
    expect((await run(ORDER, GUEST, { id: Y }, tokenFor(X))).data.order).toBeNull();
    expect((await run(ORDER, GUEST, { id: Z }, tokenFor(X))).data.order).toBeNull();
    expect((await run(ORDER, OTHER, { id: Y }, tokenFor(X))).data.order).toBeNull();
    const forged = signOrderAccessToken('another-secret-0123456789abcdef-0123456789', X);
    for (const token of [undefined, '', forged, tokenFor(X).slice(1), 'not-a-token']) {
      const { data, errors } = await run(ORDER, GUEST, { id: X }, token);
      expect(errors).toBeUndefined();
      expect(data.order).toBeNull();
    }
  });

  it("opens a customer's order for its buyer without signing in (the token is for any buyer), next to the owner's own access", async () => {
    expect((await run(ORDER, GUEST, { id: Z }, tokenFor(Z))).data.order.id).toBe(Z);
    expect((await run(ORDER, OWNER, { id: Z })).data.order.id).toBe(Z);
    expect((await run(ORDER, OTHER, { id: Z })).data.order).toBeNull();
  });

  it('opens reads only: cancelling still needs the owner or an admin', async () => {
    const CANCEL = `mutation ($id: ID!) { orderCancel(id: $id) { order { id } userErrors { code } } }`;
    expect((await run(CANCEL, GUEST, { id: X }, tokenFor(X))).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await run(CANCEL, OTHER, { id: Z }, tokenFor(Z))).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await run(ORDER, ADMIN, { id: X })).data.order.status).toBe('PENDING');
  });
});

describe('Query.orderByNumber', () => {
  it('answers the holder of the token when the email matches, in any case and however the number is written', async () => {
    const number = numbers[X]!;
    for (const [asked, email] of [
      [number, EMAIL[X]!],
      [number.toLowerCase(), 'guest.x@example.com'],
      [number.replace(/^ORD-0*/, ''), ' GUEST.X@EXAMPLE.COM '],
    ] as const) {
      const { data, errors } = await run(BY_NUMBER, GUEST, { number: asked, email }, tokenFor(X));
      expect(errors).toBeUndefined();
      expect(data.orderByNumber).toEqual({ id: X, number });
    }
  });

  it('answers the owner and an admin with the right email', async () => {
    expect((await run(BY_NUMBER, OWNER, { number: numbers[Z], email: 'OWNER@example.com' })).data.orderByNumber.id).toBe(Z);
    expect((await run(BY_NUMBER, ADMIN, { number: numbers[X], email: EMAIL[X] })).data.orderByNumber.id).toBe(X);
  });

  it('gives the same null for a wrong email, no token, another order’s token, someone else’s order and no such order', async () => {
    const cases: Array<[Identity, string, string, string | undefined]> = [
      [GUEST, numbers[X]!, 'someone@example.com', tokenFor(X)], // wrong email, right token
      [GUEST, numbers[X]!, EMAIL[X]!, undefined], // right email, no token
      [GUEST, numbers[X]!, EMAIL[X]!, tokenFor(Y)], // another order's token
      [OTHER, numbers[Z]!, EMAIL[Z]!, undefined], // someone else's order
      [OWNER, numbers[Z]!, 'wrong@example.com', undefined], // the owner, wrong email
      [ADMIN, numbers[Y]!, EMAIL[X]!, undefined], // an admin, wrong email
      [ADMIN, 'ORD-999999999', EMAIL[X]!, undefined], // no such order
      [ADMIN, 'not a number', EMAIL[X]!, undefined],
    ];
    for (const [identity, number, email, token] of cases) {
      const { data, errors } = await run(BY_NUMBER, identity, { number, email }, token);
      expect(errors).toBeUndefined();
      expect(data.orderByNumber).toBeNull();
    }
  });
});
