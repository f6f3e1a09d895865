import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import {
  ACCOUNT_ORDERS_CLAIM_REQUESTED,
  connectNats,
  connectOrm,
  createLogger,
  ensureStreams,
  runMigrations,
  ORDER_CUSTOMER_ASSIGNED,
  STREAMS,
  transaction,
  type EventConsumer,
  type EventEnvelope,
  type MikroORM,
  type NatsConnection,
  type OrdersClaimRequested,
} from '@shop/platform';
import { createTestDatabase } from '../../../test/support/databases.ts';
import { waitFor } from '../../../test/support/wait.ts';
import { orderOrmOptions } from '../src/data/orm.config.ts';
import { OrderSchema } from '../src/data/order.entity.ts';
import { startOrderClaims } from '../src/events/order-workers.ts';
import { claimGuestOrders } from '../src/domain/order-claims.ts';

const log = createLogger('order-claims-test', 'silent');
const tag = randomBytes(4).toString('hex');
let orm: MikroORM;
let nc: NatsConnection;
let consumer: EventConsumer;

beforeAll(async () => {
  const url = await createTestDatabase('order_claims');
  await runMigrations(orderOrmOptions(url), log);
  orm = await connectOrm(orderOrmOptions(url), log);
  nc = await connectNats(inject('natsUrl'), 'order-claims-test', log);
  await ensureStreams(
    nc,
    STREAMS.map((s) => ({ ...s })),
  );
  // Its own durable: the ACCOUNT stream is shared by the test files of this run.
  consumer = await startOrderClaims({ em: orm.em, nc, log }, `test-order-claims-${tag}`);
});
afterAll(async () => {
  await consumer?.stop();
  await nc?.drain();
  await orm?.close();
});

async function addOrder(email: string, customerId: string | null = null): Promise<string> {
  const id = randomUUID();
  await orm.em.fork().insert(OrderSchema, {
    id,
    customerId,
    email,
    status: 'CONFIRMED',
    currency: 'USD',
    subtotalAmount: 100,
    totalAmount: 100,
    shippingAddress: { name: 'X', line1: '1 Street', city: 'Town', postalCode: '1', countryCode: 'US' },
    createdAt: new Date(),
    updatedAt: new Date(),
  });
  return id;
}

const ownersOf = async (ids: string[]) =>
  Object.fromEntries(
    (
      await orm.em
        .fork()
        .execute<Array<{ id: string; customer_id: string | null }>>('select id, customer_id from customer_order where id in (?)', [ids])
    ).map((r) => [r.id, r.customer_id]),
  );

/** The order.customer.assigned events waiting in the outbox for these orders. */
const assignedEvents = async (ids: string[]) =>
  (
    await orm.em
      .fork()
      .execute<Array<{ payload: EventEnvelope<{ orderId: string; customerId: string }> }>>(
        "select payload from outbox_event where subject = ? and payload->'data'->>'orderId' in (?)",
        [ORDER_CUSTOMER_ASSIGNED, ids],
      )
  ).map((row) => row.payload.data);

/** What the account subgraph's outbox sends: the envelope on the ACCOUNT stream. */
async function publishClaim(data: OrdersClaimRequested, id: string = randomUUID()): Promise<EventEnvelope<OrdersClaimRequested>> {
  const envelope = { id, subject: ACCOUNT_ORDERS_CLAIM_REQUESTED, occurredAt: new Date().toISOString(), data };
  // A new message id each time: JetStream's own dedupe must not hide a redelivery from the inbox.
  await jetstream(nc).publish(ACCOUNT_ORDERS_CLAIM_REQUESTED, JSON.stringify(envelope), { msgID: randomUUID() });
  return envelope;
}

describe('account.orders.claim_requested', () => {
  it("gives the customer the guest orders placed with the email (any case) and touches nobody else's", async () => {
    const email = `buyer-${tag}@example.com`;
    const customerId = `customer-${randomUUID()}`;
    const guestOrders = [await addOrder(email), await addOrder(email.toUpperCase()), await addOrder(` Buyer-${tag}@Example.com`.trim())];
    const otherEmail = await addOrder(`someone-else-${tag}@example.com`);
    const alreadyOwned = await addOrder(email, 'earlier-owner');

    await publishClaim({ customerId, email });
    await waitFor('the guest orders belong to the customer', async () =>
      Object.values(await ownersOf(guestOrders)).every((owner) => owner === customerId),
    );
    expect(await ownersOf([otherEmail, alreadyOwned])).toEqual({ [otherEmail]: null, [alreadyOwned]: 'earlier-owner' });
    // One order.customer.assigned per claimed order, committed with the claim (so the payments follow).
    const events = await assignedEvents([...guestOrders, otherEmail, alreadyOwned]);
    expect(events.sort((a, b) => a.orderId.localeCompare(b.orderId))).toEqual(
      guestOrders.map((orderId) => ({ orderId, customerId })).sort((a, b) => a.orderId.localeCompare(b.orderId)),
    );
  });

  it('changes nothing on a redelivery or a later claim of the same email', async () => {
    const email = `again-${tag}@example.com`;
    const first = `customer-${randomUUID()}`;
    const orders = [await addOrder(email), await addOrder(email)];
    const claim = await publishClaim({ customerId: first, email });
    await waitFor('the first claim applied', async () => Object.values(await ownersOf(orders)).every((owner) => owner === first));

    // The same event again (a redelivery: same event id), then another customer claiming the same email.
    await publishClaim(claim.data, claim.id);
    await publishClaim({ customerId: `intruder-${randomUUID()}`, email });
    // A marker claim published last: the consumer takes messages in order, so once the marker's
    // order is claimed the two before it have been processed.
    const markerEmail = `marker-${tag}@example.com`;
    const marker = await addOrder(markerEmail);
    await publishClaim({ customerId: 'marker-customer', email: markerEmail });
    await waitFor('the marker claimed', async () => (await ownersOf([marker]))[marker] === 'marker-customer');

    expect(await ownersOf(orders)).toEqual({ [orders[0]!]: first, [orders[1]!]: first });
    // One event per order: neither the redelivery nor the intruder's claim emitted another.
    expect(await assignedEvents(orders)).toHaveLength(2);
    // And the domain function on its own: nothing left to claim, nothing emitted.
    expect(await transaction(orm.em, (uow) => claimGuestOrders(uow, { customerId: first, email }))).toEqual([]);
    expect(await assignedEvents(orders)).toHaveLength(2);
  });
});
