import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execute, parse } from 'graphql';
import { GUEST, guardedSubgraphSchema, orderTokenCheck, signOrderAccessToken, type Identity } from '@shop/platform';
import { resolvers } from '../src/resolvers/index.ts';
import { permissions } from '../src/resolvers/permissions.ts';
import { createContext } from '../src/context.ts';
import { PaymentService } from '../src/domain/payment.service.ts';
import { resilientProvider } from '../src/domain/resilient-provider.ts';
import { SimulatorProvider } from '../src/domain/simulator.ts';
import type { PaymentProvider } from '../src/domain/provider.ts';
import { log, request, startHarness, type Harness } from './payment-harness.ts';

/**
 * A guest with the order access token of an order (header Order-Access-Token, checked against
 * ORDER_ACCESS_TOKEN_SECRET) sees that order's payment and refunds, as the order subgraph shows
 * them the order; nobody else's.
 */
const SECRET = 'payment-access-test-secret-0123456789abcdef';
const ADMIN: Identity = { sub: 'admin-1', roles: ['admin'], token: null };
const OWNER: Identity = { sub: 'c0ffee00-0000-4000-8000-0000000000cc', roles: ['customer'], token: null };

const schema = guardedSubgraphSchema(new URL('../schema.graphql', import.meta.url), resolvers, permissions);

let h: Harness;
let provider: PaymentProvider;
/** X and Y: guest orders, paid; Z: the owner's. */
const ids: Record<'X' | 'Y' | 'Z', { orderId: string; paymentId: string }> = {} as never;

/** One request as the payment subgraph gets it: the caller's identity and, if any, the header's token. */
// GraphQL results are checked field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const run = async (query: string, identity: Identity, variables: Record<string, unknown>, token?: string): Promise<any> =>
  execute({
    schema,
    document: parse(query),
    variableValues: variables,
    contextValue: createContext(h.orm.em.fork(), identity, log, { provider, holdsToken: orderTokenCheck(SECRET, token) }),
  });
const tokenFor = (orderId: string) => signOrderAccessToken(SECRET, orderId);

const REFUND = `mutation ($paymentId: ID!, $key: String!) {
  paymentRefund(paymentId: $paymentId, amount: "1.00", idempotencyKey: $key) { refund { status } userErrors { code } }
}`;
const ORDER_PAYMENT = `query ($reps: [_Any!]!) {
  _entities(representations: $reps) { ... on Order { id payment { id status } refunds { amount { amount } status } } }
}`;
const PAYMENT = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Payment { id status } } }`;
const orderRep = (name: keyof typeof ids) => [{ __typename: 'Order', id: ids[name].orderId }];

beforeAll(async () => {
  h = await startHarness('payaccess');
  provider = resilientProvider(new SimulatorProvider(h.orm.em));
  const payments = new PaymentService(h.orm.em, { provider, log });
  for (const [name, customerId] of [
    ['X', null],
    ['Y', null],
    ['Z', OWNER.sub],
  ] as const) {
    const req = request('tok_visa', 5_000, customerId);
    expect(await payments.captureNow(req)).toBe('CAPTURED');
    const [row] = await h.rows<{ id: string }>('select id from payment where order_id = ?', [req.orderId]);
    ids[name] = { orderId: req.orderId, paymentId: row!.id };
  }
  // X has a refund: the token shows it too.
  const refunded = await run(REFUND, ADMIN, { paymentId: ids.X.paymentId, key: 'access-test' });
  expect(refunded.data.paymentRefund).toEqual({ refund: { status: 'SUCCEEDED' }, userErrors: [] });
});
afterAll(async () => h?.close());

describe('an order access token', () => {
  it('shows a guest the payment and refunds of the order it was signed for', async () => {
    const { data, errors } = await run(ORDER_PAYMENT, GUEST, { reps: orderRep('X') }, tokenFor(ids.X.orderId));
    expect(errors).toBeUndefined();
    expect(data._entities).toEqual([
      {
        id: ids.X.orderId,
        payment: { id: ids.X.paymentId, status: 'PARTIALLY_REFUNDED' },
        refunds: [{ amount: { amount: '1.00' }, status: 'SUCCEEDED' }],
      },
    ]);
    const byId = await run(PAYMENT, GUEST, { reps: [{ __typename: 'Payment', id: ids.X.paymentId }] }, tokenFor(ids.X.orderId));
    expect(byId.data._entities).toEqual([{ id: ids.X.paymentId, status: 'PARTIALLY_REFUNDED' }]);
  });

  it("opens no other order's payment: another guest's, a customer's, or with a token of another secret", async () => {
    const token = tokenFor(ids.X.orderId);
    for (const name of ['Y', 'Z'] as const) {
      const { data, errors } = await run(ORDER_PAYMENT, GUEST, { reps: orderRep(name) }, token);
      expect(errors).toBeUndefined();
      expect(data._entities).toEqual([{ id: ids[name].orderId, payment: null, refunds: [] }]);
    }
    const forged = signOrderAccessToken(`${SECRET}-other`, ids.X.orderId);
    for (const presented of [undefined, forged, `${token}x`, '']) {
      const { data } = await run(ORDER_PAYMENT, GUEST, { reps: orderRep('X') }, presented);
      expect(data._entities).toEqual([{ id: ids.X.orderId, payment: null, refunds: [] }]);
    }
    const byId = await run(PAYMENT, GUEST, { reps: [{ __typename: 'Payment', id: ids.Y.paymentId }] }, token);
    expect(byId.data._entities).toEqual([null]);
  });

  it('leaves owners and admins as they were, and opens reading only (no refund)', async () => {
    const owner = await run(ORDER_PAYMENT, OWNER, { reps: [...orderRep('Z'), ...orderRep('X')] });
    expect(owner.data._entities.map((o: { payment: { id: string } | null }) => o.payment?.id ?? null)).toEqual([ids.Z.paymentId, null]);
    const admin = await run(ORDER_PAYMENT, ADMIN, { reps: orderRep('Y') });
    expect(admin.data._entities[0].payment).toEqual({ id: ids.Y.paymentId, status: 'CAPTURED' });

    const refund = await run(REFUND, GUEST, { paymentId: ids.X.paymentId, key: 'guest-try' }, tokenFor(ids.X.orderId));
    expect(refund.errors?.[0]?.extensions?.code).toMatch(/UNAUTHENTICATED|FORBIDDEN/);
    const [row] = await h.rows<{ refunded_amount: number }>('select refunded_amount from payment where id = ?', [ids.X.paymentId]);
    expect(row!.refunded_amount).toBe(100);
  });
});
