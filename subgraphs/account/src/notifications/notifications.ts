import type { EntityManager } from '@mikro-orm/postgresql';
import {
  EVENTS,
  ORDER_STATUS_SUBJECTS,
  sql,
  startConsumer,
  type CatalogEnvelope,
  type Logger,
  type OrderDetails,
  type OrderStatusSubject,
  type Subject,
  type SubgraphDeps,
  type UnitOfWork,
} from '@shop/platform';
import { NotificationOrderSchema, type EmailKind } from '../data/notification.entity.ts';
import type { NotificationSettings } from './config.ts';
import type { Email } from './format.ts';
import { createMailer, isPermanentRejection, type Mailer } from './mailer.ts';
import {
  orderConfirmedEmail,
  orderShippedEmail,
  passwordResetEmail,
  refundIssuedEmail,
  verificationEmail,
  type TemplateContext,
} from './templates.ts';

export interface NotificationOptions extends NotificationSettings {
  /** Durable consumer names start with this (tests on a shared server use their own). */
  durablePrefix?: string;
  /**
   * Deliveries of one event before it is given up (and logged). High: while the SMTP server is down
   * every email is retried at most every 10 s (the consumer's backoff cap) for about a day.
   */
  maxDeliver?: number;
  /**
   * A refund of an order no status event has told about yet is retried until the refund event is
   * this old, then dropped with a warning (an order from before the details were sent).
   */
  unknownOrderGraceMs?: number;
  /**
   * An email whose event is older than this is not sent (logged instead): news of a day-old order
   * is stale, and a consumer created on a stream with history must not mail its past.
   */
  maxEmailDelayMs?: number;
}

export const NOTIFICATION_DEFAULTS = {
  durablePrefix: 'notifications',
  maxDeliver: 8_640,
  unknownOrderGraceMs: 10 * 60_000,
  maxEmailDelayMs: 24 * 3_600_000,
};

type Deps = Pick<SubgraphDeps, 'orm' | 'nc' | 'log'>;
type Handler<S extends Subject> = (event: CatalogEnvelope<S>, uow: UnitOfWork) => Promise<void>;
type TokenSubject = 'account.email.verification_requested' | 'account.password.reset_requested';

/**
 * Sends one event's email inside the consumer's inbox transaction, so the order is: inbox row
 * (a concurrent redelivery waits on it), send, sent_email row, commit. A failed send rolls the
 * inbox row back and the event is redelivered after a delay; a redelivery after the commit is a
 * duplicate and sends nothing. Only a crash between the SMTP server's acceptance and the commit can
 * send twice — with the same Message-ID (derived from the event id), which mail clients collapse.
 */
function sender(mailer: Mailer, log: Logger, maxDelayMs: number) {
  return async (em: EntityManager, event: { id: string; subject: string; occurredAt: string }, kind: EmailKind, to: string, render: () => Email) => {
    if (Date.now() - Date.parse(event.occurredAt) > maxDelayMs) {
      return void log.warn({ eventId: event.id, kind, occurredAt: event.occurredAt }, 'event too old for its email; not sent');
    }
    let email: Email;
    try {
      email = render();
    } catch (error) {
      // The same event renders the same way every time: retrying cannot help.
      return void log.error({ err: error, eventId: event.id, kind }, 'email could not be rendered; not sent');
    }
    let messageId: string;
    try {
      ({ messageId } = await mailer.send({ ...email, to, key: event.id }));
    } catch (error) {
      if (!isPermanentRejection(error)) throw error;
      return void log.error({ err: error, eventId: event.id, kind }, 'the SMTP server refused the email for good; not retried');
    }
    // Prepared statements (sql) here and in rememberOrder: every confirmed order writes both.
    await sql(em, 'insert into sent_email (event_id, kind, recipient, message_id, sent_at) values ($1, $2, $3, $4, now())', [
      event.id,
      kind,
      to,
      messageId,
    ]);
    log.info({ eventId: event.id, subject: event.subject, kind, messageId }, 'email sent');
  };
}

function accountHandlers(send: ReturnType<typeof sender>, ctx: TemplateContext, log: Logger) {
  const tokenHandler =
    <S extends TokenSubject>(kind: EmailKind, template: typeof verificationEmail): Handler<S> =>
    async (event, { em }) => {
      // Mail that was held up past the link's expiry would only bring a dead link.
      if (Date.parse(event.data.expiresAt) <= Date.now())
        return void log.info({ eventId: event.id, kind }, 'link expired before it could be sent; skipped');
      await send(em, event, kind, event.data.email, () => template(ctx, event.data));
    };
  return {
    'account.email.verification_requested': tokenHandler<'account.email.verification_requested'>('EMAIL_VERIFICATION', verificationEmail),
    'account.password.reset_requested': tokenHandler<'account.password.reset_requested'>('PASSWORD_RESET', passwordResetEmail),
  };
}

/** Remembers the order's contact for later refund emails (never changes once known). */
async function rememberOrder(em: EntityManager, orderId: string, details: OrderDetails): Promise<void> {
  await sql(
    em,
    'insert into notification_order (order_id, number, email, currency, updated_at) values ($1, $2, $3, $4, now()) on conflict (order_id) do nothing',
    [orderId, details.number, details.email, details.currency],
  );
}

/**
 * Statuses that send no email and need not be remembered: money is only refunded once the order
 * reached a later status (confirmed or after, or failed/cancelled/rejected after a late capture),
 * whose event remembers the order. Acknowledged without a transaction (no inbox row: no effect).
 */
const SILENT_ORDER_STATUSES = ['order.status.pending', 'order.status.awaiting_payment'] as const satisfies readonly OrderStatusSubject[];
type SpokenOrderStatus = Exclude<OrderStatusSubject, (typeof SILENT_ORDER_STATUSES)[number]>;

function orderHandlers(send: ReturnType<typeof sender>, ctx: TemplateContext) {
  const handle: Handler<SpokenOrderStatus> = async (event, { em }) => {
    const { details } = event.data;
    if (!details) return; // an event from before orders carried their details: nothing to say
    await rememberOrder(em, event.data.orderId, details);
    if (event.subject === 'order.status.confirmed') await send(em, event, 'ORDER_CONFIRMED', details.email, () => orderConfirmedEmail(ctx, details));
    if (event.subject === 'order.status.shipped') await send(em, event, 'ORDER_SHIPPED', details.email, () => orderShippedEmail(ctx, details));
  };
  const spoken = ORDER_STATUS_SUBJECTS.filter((s): s is SpokenOrderStatus => !(SILENT_ORDER_STATUSES as readonly string[]).includes(s));
  return Object.fromEntries(spoken.map((subject) => [subject, handle])) as { [K in SpokenOrderStatus]: Handler<K> };
}

function paymentHandlers(send: ReturnType<typeof sender>, ctx: TemplateContext, log: Logger, graceMs: number) {
  return {
    'payment.refunded': (async (event, { em }) => {
      const { orderId, amount, currency } = event.data;
      const order = await em.findOne(NotificationOrderSchema, { orderId });
      if (!order) {
        // Its status events travel on another stream and may still be on their way.
        if (Date.now() - Date.parse(event.occurredAt) < graceMs) throw new Error(`order ${orderId} not known yet; the refund email waits for it`);
        return void log.warn({ eventId: event.id, orderId }, 'refund of an order never heard of; no email');
      }
      await send(em, event, 'REFUND_ISSUED', order.email, () => refundIssuedEmail(ctx, { number: order.number, amount, currency }));
    }) as Handler<'payment.refunded'>,
  };
}

/**
 * The notifications worker: durable JetStream consumers (account tokens, order statuses, refunds)
 * that send the buyer's emails through SMTP, each event at most once per consumer (inbox). Safe in
 * several processes: they share the durables, JetStream hands each event to one of them.
 */
export async function startNotifications(deps: Deps, options: NotificationOptions): Promise<Array<() => Promise<void>>> {
  const { durablePrefix, maxDeliver, unknownOrderGraceMs, maxEmailDelayMs } = { ...NOTIFICATION_DEFAULTS, ...options };
  const log = deps.log.child({ component: 'notifications' });
  const mailer = createMailer({ smtpUrl: options.smtpUrl, from: options.from });
  const ctx: TemplateContext = { shopName: mailer.shopName, storefrontUrl: options.storefrontUrl };
  const send = sender(mailer, log, maxEmailDelayMs);
  const common = { em: deps.orm.em, nc: deps.nc, log, maxDeliver };
  const account = accountHandlers(send, ctx, log);
  const stoppers: Array<() => Promise<void>> = [];
  try {
    // One after the other: a failure leaves no consumer starting behind the cleanup.
    for (const start of [
      () =>
        startConsumer({
          ...common,
          stream: 'ACCOUNT',
          durable: `${durablePrefix}-account`,
          filterSubject: 'account.>',
          handlers: account,
          // The other account events (cart merge, orders claim) are for the cart and order subgraphs.
          ignore: (Object.keys(EVENTS) as Subject[]).filter((s) => s.startsWith('account.') && !Object.hasOwn(account, s)),
        }),
      () =>
        startConsumer({
          ...common,
          stream: 'ORDER',
          durable: `${durablePrefix}-order`,
          filterSubject: 'order.status.>',
          handlers: orderHandlers(send, ctx),
          ignore: SILENT_ORDER_STATUSES,
        }),
      () =>
        startConsumer({
          ...common,
          stream: 'PAYMENT',
          durable: `${durablePrefix}-payment`,
          filterSubject: 'payment.refunded',
          handlers: paymentHandlers(send, ctx, log, unknownOrderGraceMs),
        }),
    ]) {
      const started = await start();
      stoppers.push(() => started.stop());
    }
  } catch (error) {
    await Promise.all(stoppers.map((stop) => stop()));
    mailer.close();
    throw error;
  }
  stoppers.push(async () => mailer.close());
  return stoppers;
}
