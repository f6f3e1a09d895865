import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import {
  guardedSubgraphSchema,
  ORDER_CUSTOMER_ASSIGNED,
  transaction,
  type EventConsumer,
  type EventEnvelope,
  type Identity,
  type OrderCustomerAssigned,
} from '@shop/platform';
import { graphqlRunner } from '../../../test/support/graphql.ts';
import { waitFor } from '../../../test/support/wait.ts';
import { resolvers } from '../src/resolvers/index.ts';
import { permissions } from '../src/resolvers/permissions.ts';
import { createContext } from '../src/context.ts';
import { PaymentService } from '../src/domain/payment.service.ts';
import { resilientProvider } from '../src/domain/resilient-provider.ts';
import { SimulatorProvider } from '../src/domain/simulator.ts';
import { PaymentRepository } from '../src/data/payment.repository.ts';
import { startPaymentOwners } from '../src/events/payment-workers.ts';
import { log, request, startHarness, tag, type Harness } from './payment-harness.ts';

/**
 * order.customer.assigned (a guest order claimed by the customer who verified its email): the
 * order's payment takes the owner, so the owner sees it; once, whatever the order of arrival.
 */
const schema = guardedSubgraphSchema(new URL('../schema.graphql', import.meta.url), resolvers, permissions);

let h: Harness;
let consumer: EventConsumer;
let payments: PaymentService;
beforeAll(async () => {
  // The shared NATS server: the durable is this file's own, and the order ids are new.
  h = await startHarness('payowners');
  payments = new PaymentService(h.orm.em, { provider: resilientProvider(new SimulatorProvider(h.orm.em)), log });
  consumer = await startPaymentOwners({ orm: h.orm, nc: h.nc, log, outbox: h.relay }, `payment-owners-${tag}`);
});
afterAll(async () => {
  await consumer?.stop();
  await h?.close();
});

const run = graphqlRunner(schema, (identity) => createContext(h.orm.em.fork(), identity, log));
const customer = (): Identity => ({ sub: `customer-${randomUUID()}`, roles: ['customer'], token: null });
const ownerOf = async (orderId: string) =>
  (await h.rows<{ customer_id: string | null }>('select customer_id from payment where order_id = ?', [orderId]))[0]?.customer_id;

/** As the order subgraph sends it: through an outbox, under the id the catalog derives from the order. */
const assign = (data: OrderCustomerAssigned) => transaction(h.orm.em, (uow) => uow.emit(ORDER_CUSTOMER_ASSIGNED, data), { outbox: h.relay });

/** A raw message on the ORDER stream (an event id of our choosing, a new JetStream message id). */
async function publish(data: OrderCustomerAssigned, id: string = randomUUID()): Promise<void> {
  const envelope: EventEnvelope<OrderCustomerAssigned> = { id, subject: ORDER_CUSTOMER_ASSIGNED, occurredAt: new Date().toISOString(), data };
  await jetstream(h.nc).publish(ORDER_CUSTOMER_ASSIGNED, JSON.stringify(envelope), { msgID: randomUUID() });
}

/** A captured guest payment; returns its order id. */
async function guestPayment(): Promise<string> {
  const req = request('tok_visa', 2_500, null);
  expect(await payments.captureNow(req)).toBe('CAPTURED');
  return req.orderId;
}

const ORDER_PAYMENT = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Order { payment { status } } } }`;

describe('order.customer.assigned', () => {
  it("gives a guest payment its order's new owner, who then sees it", async () => {
    const orderId = await guestPayment();
    const owner = customer();
    const before = await run(ORDER_PAYMENT, owner, { reps: [{ __typename: 'Order', id: orderId }] });
    expect(before.data!._entities).toEqual([{ payment: null }]);

    await assign({ orderId, customerId: owner.sub! });
    await waitFor('the payment belongs to the owner', async () => (await ownerOf(orderId)) === owner.sub);
    const after = await run(ORDER_PAYMENT, owner, { reps: [{ __typename: 'Order', id: orderId }] });
    expect(after.errors).toBeUndefined();
    expect(after.data!._entities).toEqual([{ payment: { status: 'CAPTURED' } }]);
  });

  it('changes nothing on a redelivery, and never replaces an owner', async () => {
    const orderId = await guestPayment();
    const first = customer().sub!;
    const eventId = randomUUID();
    await publish({ orderId, customerId: first }, eventId);
    await waitFor('the first assignment applied', async () => (await ownerOf(orderId)) === first);

    // The same event again (a redelivery), then another owner for the same order under a new id.
    await publish({ orderId, customerId: `intruder-${randomUUID()}` }, eventId);
    await publish({ orderId, customerId: `intruder-${randomUUID()}` });
    // A marker published last: the consumer takes messages in order, so once it applied, so did the two before.
    const marker = await guestPayment();
    await publish({ orderId: marker, customerId: 'marker-customer' });
    await waitFor('the marker applied', async () => (await ownerOf(marker)) === 'marker-customer');
    expect(await ownerOf(orderId)).toBe(first);
  });

  it('reaches a payment recorded after the event (the owner is remembered)', async () => {
    const req = request('tok_visa', 1_500, null);
    const owner = customer().sub!;
    await assign({ orderId: req.orderId, customerId: owner });
    await waitFor(
      'the owner remembered',
      async () => (await h.rows('select 1 from payment_order_owner where order_id = ?', [req.orderId])).length === 1,
    );
    expect(await payments.captureNow(req)).toBe('CAPTURED');
    expect(await ownerOf(req.orderId)).toBe(owner);
  });

  it('never loses the owner when the payment is recorded at the same moment', async () => {
    // Both writers at once, per order: the per-order lock makes the second see the first.
    const repository = new PaymentRepository(h.orm.em);
    const cases = Array.from({ length: 12 }, () => ({ req: request('tok_visa', 1_000, null), owner: customer().sub! }));
    await Promise.all(
      cases.flatMap(({ req, owner }) => [
        h.tx((tx) => repository.insertPendingIfAbsent(tx, req)),
        h.tx((tx) => repository.assignOwner(tx, req.orderId, owner)),
      ]),
    );
    for (const { req, owner } of cases) expect(await ownerOf(req.orderId)).toBe(owner);
  });
});
