import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Identity, guardedSubgraphSchema } from '@shop/platform';
import { resolvers } from '../src/resolvers/index.ts';
import { permissions } from '../src/resolvers/permissions.ts';
import { createContext } from '../src/context.ts';
import { PaymentService } from '../src/domain/payment.service.ts';
import { resilientProvider } from '../src/domain/resilient-provider.ts';
import { SimulatorProvider } from '../src/domain/simulator.ts';
import type { PaymentProvider } from '../src/domain/provider.ts';
import { graphqlRunner } from '../../../test/support/graphql.ts';
import { log, request, startHarness, type Harness } from './payment-harness.ts';

const CUSTOMER_ID = 'c0ffee00-0000-4000-8000-0000000000aa';
const OWNER: Identity = { sub: CUSTOMER_ID, roles: ['customer'], token: null };
const OTHER: Identity = { sub: 'c0ffee00-0000-4000-8000-0000000000bb', roles: ['customer'], token: null };
const ADMIN: Identity = { sub: 'admin-1', roles: ['admin'], token: null };

const schema = guardedSubgraphSchema(new URL('../schema.graphql', import.meta.url), resolvers, permissions);

let h: Harness;
let provider: PaymentProvider;
let orderId: string;
let paymentId: string;
beforeAll(async () => {
  h = await startHarness('payrefund');
  provider = resilientProvider(new SimulatorProvider(h.orm.em));
  const req = request('tok_visa', 8_749, CUSTOMER_ID);
  orderId = req.orderId;
  await new PaymentService(h.orm.em, { provider, log }).captureNow(req);
  paymentId = (await h.rows<{ id: string }>('select id from payment where order_id = ?', [orderId]))[0]!.id;
});
afterAll(async () => h?.close());

const run = graphqlRunner(schema, (identity) => createContext(h.orm.em.fork(), identity, log, { provider }));

const REFUND = `mutation ($paymentId: ID!, $amount: Decimal, $key: String!) {
  paymentRefund(paymentId: $paymentId, amount: $amount, idempotencyKey: $key) {
    refund { id amount { amount currencyCode } status }
    payment { id status refundedAmount { amount } }
    userErrors { field code message }
  }
}`;
const ORDER_REFUNDS = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Order { refunds { amount { amount } status } } } }`;

describe('Mutation.paymentRefund', () => {
  it('is FORBIDDEN for a customer, even the payer', async () => {
    const { data, errors } = await run(REFUND, OWNER, { paymentId, amount: '1.00', key: 'c1' });
    expect(data?.paymentRefund ?? null).toBeNull();
    expect(errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('refunds part of the payment for an admin, once per key', async () => {
    const first = await run(REFUND, ADMIN, { paymentId, amount: '10.00', key: 'k1' });
    expect(first.errors).toBeUndefined();
    expect(first.data.paymentRefund).toMatchObject({
      refund: { amount: { amount: '10.00', currencyCode: 'USD' }, status: 'SUCCEEDED' },
      payment: { id: paymentId, status: 'PARTIALLY_REFUNDED', refundedAmount: { amount: '10.00' } },
      userErrors: [],
    });
    const again = await run(REFUND, ADMIN, { paymentId, amount: '10.00', key: 'k1' });
    expect(again.data.paymentRefund.refund.id).toBe(first.data.paymentRefund.refund.id);
    expect(again.data.paymentRefund.payment.refundedAmount.amount).toBe('10.00');
  });

  it('answers userErrors for bad amounts and unknown payments', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ paymentId, amount: '1.001', key: 'p' }, 'PRECISION'],
      [{ paymentId, amount: '1000.00', key: 'big' }, 'INVALID'],
      [{ paymentId, amount: '21474836.48', key: 'huge' }, 'TOO_LARGE'],
      [{ paymentId, amount: '0', key: 'zero' }, 'INVALID'],
      [{ paymentId: '00000000-0000-4000-8000-0000000000ff', key: 'x' }, 'NOT_FOUND'],
      [{ paymentId, key: '' }, 'REQUIRED'],
    ];
    for (const [variables, code] of cases) {
      const { data, errors } = await run(REFUND, ADMIN, variables);
      expect(errors).toBeUndefined();
      expect(data.paymentRefund.refund).toBeNull();
      expect(data.paymentRefund.userErrors[0].code).toBe(code);
    }
    // Money in the message as a decimal with its currency, never minor units.
    const big = await run(REFUND, ADMIN, { paymentId, amount: '1000.00', key: 'big-message' });
    expect(big.data.paymentRefund.userErrors[0].message).toBe('At most 77.49 USD can still be refunded.');
  });

  it('refunds the rest without an amount; Order.refunds shows them to the owner only', async () => {
    const rest = await run(REFUND, ADMIN, { paymentId, key: 'rest' });
    expect(rest.data.paymentRefund).toMatchObject({ refund: { amount: { amount: '77.49' } }, payment: { status: 'REFUNDED' } });
    const reps = [{ __typename: 'Order', id: orderId }];
    const asOwner = await run(ORDER_REFUNDS, OWNER, { reps });
    expect(asOwner.data._entities[0].refunds).toEqual([
      { amount: { amount: '10.00' }, status: 'SUCCEEDED' },
      { amount: { amount: '77.49' }, status: 'SUCCEEDED' },
    ]);
    expect((await run(ORDER_REFUNDS, OTHER, { reps })).data._entities[0].refunds).toEqual([]);
  });
});
