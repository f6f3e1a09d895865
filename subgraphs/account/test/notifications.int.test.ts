import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import {
  connectNats,
  connectOrm,
  createLogger,
  CreateOutboxAndInbox,
  OutboxTraceparent,
  ensureStreams,
  ormOptions,
  runMigrations,
  STREAMS,
  type MikroORM,
  type NatsConnection,
  type OrderDetails,
  type Payload,
  type Subject,
} from '@shop/platform';
import { getFreePort, startNats, type RunningNats } from '@shop/platform/stack';
import { createTestDatabase } from '../../../test/support/databases.ts';
import { linkParam, linksIn, mailTo, startTestSmtpServer, type TestSmtpServer } from '../../../test/support/smtp.ts';
import { waitFor } from '../../../test/support/wait.ts';
import { NotificationOrderSchema, SentEmailSchema } from '../src/data/notification.entity.ts';
import { Notifications } from '../src/data/migrations/20261202000003-notifications.ts';
import { startNotifications } from '../src/notifications/notifications.ts';

const log = createLogger('notifications-test', 'silent');
const tag = randomBytes(3).toString('hex');
const durablePrefix = `notifications-${tag}`;
const STOREFRONT = 'http://127.0.0.1:3999/shop';

const notificationOrm = (url: string) =>
  ormOptions({
    clientUrl: url,
    entities: [NotificationOrderSchema, SentEmailSchema],
    migrations: {
      migrationsList: [
        { name: 'outbox-inbox', class: CreateOutboxAndInbox },
        { name: 'outbox-traceparent', class: OutboxTraceparent },
        { name: '20261202000003-notifications', class: Notifications },
      ],
    },
  });

let natsDir: string;
let nats: RunningNats;
let nc: NatsConnection;
let orm: MikroORM;
let smtp: TestSmtpServer;
let smtpPort: number;
let stoppers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  const url = await createTestDatabase('notifications');
  await runMigrations(notificationOrm(url), log);
  orm = await connectOrm(notificationOrm(url), log);
  // A NATS of its own: the worker's durables start at the beginning of the streams, which on the
  // shared server hold other files' orders.
  natsDir = mkdtempSync(join(tmpdir(), 'notifications-nats-'));
  nats = await startNats({ dataDir: join(natsDir, 'data'), port: await getFreePort(), logFile: join(natsDir, 'nats.log') });
  nc = await connectNats(nats.url, 'notifications-test', log);
  await ensureStreams(
    nc,
    STREAMS.map((s) => ({ ...s })),
  );
  smtpPort = await getFreePort();
  smtp = await startTestSmtpServer({ port: smtpPort });
  stoppers = await startNotifications(
    { orm, nc, log },
    { smtpUrl: `smtp://127.0.0.1:${smtpPort}`, storefrontUrl: STOREFRONT, from: 'Test Shop <shop@example.test>', durablePrefix },
  );
});

afterAll(async () => {
  for (const stop of stoppers) await stop();
  await nc?.drain();
  await orm?.close();
  await smtp?.stop();
  await nats?.stop();
  if (natsDir) rmSync(natsDir, { recursive: true, force: true });
});

/** Publishes an event as the outbox relay would; a fresh JetStream msgID, so a repeated event id is delivered again (a redelivery). */
async function publish<S extends Subject>(subject: S, data: Payload<S>, id: string = randomUUID(), occurredAt = new Date()) {
  await jetstream(nc).publish(subject, JSON.stringify({ id, subject, occurredAt: occurredAt.toISOString(), data }), { msgID: randomUUID() });
  return id;
}

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
const address = (name: string) => `${name}-${randomBytes(3).toString('hex')}@example.com`;

function details(email: string, overrides: Partial<OrderDetails> = {}): OrderDetails {
  return {
    number: `ORD-${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`,
    email,
    customerId: null,
    currency: 'USD',
    lines: [
      { title: 'Mug', variantTitle: null, quantity: 2, unitPriceAmount: 1250 },
      { title: 'Hoodie', variantTitle: 'L / Grey', quantity: 1, unitPriceAmount: 4500 },
    ],
    totals: { subtotal: 7000, discount: 0, shipping: 499, tax: 560, total: 8059 },
    shippingAddress: { name: 'Grace Hopper', line1: '1 Navy Way', line2: 'Apt 2', city: 'Arlington', postalCode: '22201', countryCode: 'US' },
    trackingNumber: null,
    ...overrides,
  };
}

const statusEvent = (orderId: string, status: 'CONFIRMED' | 'SHIPPED' | 'CANCELLED', d: OrderDetails) => ({
  orderId,
  cartId: 'cart-1',
  status,
  reason: null,
  details: d,
});

/** Every message of the consumer handled (none pending, none waiting for an ack). */
async function drained(stream: string, durable: string): Promise<boolean> {
  const info = await (await jetstreamManager(nc)).consumers.info(stream, durable);
  return info.num_pending === 0 && info.num_ack_pending === 0;
}

const sentRows = async (eventId: string) => (await orm.em.fork().find(SentEmailSchema, { eventId })).length;

describe('notifications worker', () => {
  it('emails a verification link with the token, to the customer, once per event even when redelivered', async () => {
    const to = address('ada');
    const data = { customerId: randomUUID(), email: to, firstName: 'Ada', token: `tok-${randomUUID()}`, expiresAt: inAnHour() };
    const id = await publish('account.email.verification_requested', data);
    const mail = await smtp.waitForMail(mailTo(to));
    expect(mail.subject).toBe('Confirm your email address for Test Shop');
    expect(mail.text).toContain('Hi Ada,');
    expect(linksIn(mail)).toContain(`${STOREFRONT}/account/verify?token=${data.token}`);
    expect(linkParam(mail, '/account/verify', 'token')).toBe(data.token);
    expect(mail.messageId).toBe(`<${id}@example.test>`);
    // Sent from the shop: the envelope's sender is MAIL_FROM's address, the From header names the shop.
    expect(mail.from).toBe('shop@example.test');
    expect(mail.raw.toString()).toMatch(/^From: Test Shop <shop@example\.test>\r?$/m);

    // The same event again (a redelivery): handled as a duplicate, no second email.
    await publish('account.email.verification_requested', data, id);
    await waitFor('the redelivery handled', () => drained('ACCOUNT', `${durablePrefix}-account`));
    expect(smtp.mailsTo(to)).toHaveLength(1);
    expect(await sentRows(id)).toBe(1);
  });

  it('emails a password reset link; a link already expired is not sent', async () => {
    const to = address('reset');
    const expired = {
      customerId: randomUUID(),
      email: to,
      firstName: null,
      token: 'old-token',
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    };
    await publish('account.password.reset_requested', expired);
    const data = { ...expired, token: `reset-${randomUUID()}`, expiresAt: inAnHour() };
    await publish('account.password.reset_requested', data);
    const mail = await smtp.waitForMail(mailTo(to));
    expect(mail.subject).toBe('Reset your Test Shop password');
    expect(linkParam(mail, '/account/reset', 'token')).toBe(data.token);
    // Events are handled in order: the expired one came first and sent nothing.
    expect(smtp.mailsTo(to)).toHaveLength(1);
  });

  it('confirms an order with its lines, totals and address; ships it with the tracking number', async () => {
    const to = address('buyer');
    const orderId = randomUUID();
    const order = details(to);
    await publish('order.status.confirmed', statusEvent(orderId, 'CONFIRMED', order));
    const confirmed = await smtp.waitForMail(mailTo(to, /confirmed/));
    expect(confirmed.subject).toBe(`Your order ${order.number} is confirmed`);
    for (const part of [confirmed.text, confirmed.html]) {
      for (const expected of [
        'Mug',
        'Hoodie (L / Grey)',
        '25.00 USD',
        '45.00 USD',
        '70.00 USD',
        '4.99 USD',
        '5.60 USD',
        '80.59 USD',
        '1 Navy Way',
        '22201 Arlington',
      ])
        expect(part).toContain(expected);
    }

    await publish('order.status.shipped', statusEvent(orderId, 'SHIPPED', { ...order, trackingNumber: '1Z-TRACK-42' }));
    const shipped = await smtp.waitForMail(mailTo(to, /shipped/));
    expect(shipped.subject).toBe(`Your order ${order.number} has shipped`);
    expect(shipped.text).toContain('Tracking number: 1Z-TRACK-42');
    expect(shipped.html).toContain('1Z-TRACK-42');
  });

  it('sends no email for an event older than a day (a stream replayed from its start), yet remembers the order', async () => {
    const to = address('old');
    const orderId = randomUUID();
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    await publish('order.status.confirmed', statusEvent(orderId, 'CONFIRMED', details(to)), randomUUID(), twoDaysAgo);
    await publish('order.status.shipped', statusEvent(orderId, 'SHIPPED', { ...details(to), trackingNumber: 'T-1' }));
    await smtp.waitForMail(mailTo(to, /shipped/));
    // Handled in order: the old confirmation before the shipment, and it sent nothing.
    expect(smtp.mailsTo(to).map((m) => m.subject)).toEqual([expect.stringMatching(/has shipped$/)]);
    expect(await orm.em.fork().count(NotificationOrderSchema, { orderId })).toBe(1);
  });

  it('emails a refund to the order’s buyer, from what the order status events told', async () => {
    const to = address('refund');
    const orderId = randomUUID();
    const order = details(to, { currency: 'EUR' });
    await publish('order.status.cancelled', statusEvent(orderId, 'CANCELLED', order));
    await publish('payment.refunded', { orderId, paymentId: randomUUID(), refundId: randomUUID(), amount: 8059, currency: 'EUR' });
    const mail = await smtp.waitForMail(mailTo(to, /Refund/));
    expect(mail.subject).toBe(`Refund for your order ${order.number}`);
    expect(mail.text).toContain(`We have refunded 80.59 EUR for your order ${order.number}.`);
    // A cancellation sends nothing by itself.
    expect(smtp.mailsTo(to)).toHaveLength(1);
  });

  it('holds a refund whose order is not known yet until its status event arrives', async () => {
    const to = address('late');
    const orderId = randomUUID();
    await publish('payment.refunded', { orderId, paymentId: randomUUID(), refundId: randomUUID(), amount: 1500, currency: 'USD' });
    // The refund was tried and put back for later: the order is unknown.
    await waitFor(
      'the refund redelivered',
      async () => (await (await jetstreamManager(nc)).consumers.info('PAYMENT', `${durablePrefix}-payment`)).num_redelivered > 0,
    );
    await publish('order.status.confirmed', statusEvent(orderId, 'CONFIRMED', details(to)));
    const mail = await smtp.waitForMail(mailTo(to, /Refund/), 30_000);
    expect(mail.text).toContain('15.00 USD');
    expect(
      smtp
        .mailsTo(to)
        .map((m) => m.subject.split(' ')[0])
        .sort(),
    ).toEqual(['Refund', 'Your']);
  });

  it('keeps an email while the SMTP server is down and sends it once when it is back', async () => {
    await smtp.stop();
    const to = address('outage');
    const data = { customerId: randomUUID(), email: to, firstName: 'Grace', token: `t-${randomUUID()}`, expiresAt: inAnHour() };
    const id = await publish('account.email.verification_requested', data);
    // At least one send failed and the event was put back for a later attempt.
    await waitFor(
      'a failed send redelivered',
      async () => (await (await jetstreamManager(nc)).consumers.info('ACCOUNT', `${durablePrefix}-account`)).num_redelivered > 0,
    );
    expect(await sentRows(id)).toBe(0);

    smtp = await startTestSmtpServer({ port: smtpPort });
    const mail = await smtp.waitForMail(mailTo(to), 30_000);
    expect(linkParam(mail, '/account/verify', 'token')).toBe(data.token);
    await waitFor('the event acknowledged', () => drained('ACCOUNT', `${durablePrefix}-account`));
    expect(smtp.mailsTo(to)).toHaveLength(1);
    expect(await sentRows(id)).toBe(1);
  });
});
