import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * What the notifications worker knows of an order, from the `details` of its status events: a
 * refund event names only the order, its email needs the buyer's address, number and currency.
 */
export const NotificationOrderSchema = defineEntity({
  name: 'NotificationOrder',
  tableName: 'notification_order',
  properties: {
    orderId: p.uuid().primary(),
    /** ORD-000123 */
    number: p.string().length(32),
    email: p.string().length(320),
    currency: p.string().length(3),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type NotificationOrder = InferEntity<typeof NotificationOrderSchema>;

export const EMAIL_KINDS = ['EMAIL_VERIFICATION', 'PASSWORD_RESET', 'ORDER_CONFIRMED', 'ORDER_SHIPPED', 'REFUND_ISSUED'] as const;
export type EmailKind = (typeof EMAIL_KINDS)[number];

/**
 * One row per email the SMTP server accepted, written in the transaction that records its event in
 * the inbox (committed only after the send): what support looks at to answer "was it sent?".
 */
export const SentEmailSchema = defineEntity({
  name: 'SentEmail',
  tableName: 'sent_email',
  properties: {
    /** The event's id: one email per event. */
    eventId: p.string().length(128).primary(),
    kind: p.enum(EMAIL_KINDS),
    recipient: p.string().length(320),
    /** The Message-ID header (derived from the event id, so a resend after a crash carries the same one). */
    messageId: p.string().length(255),
    sentAt: p.datetime().onCreate(() => new Date()),
  },
});
export type SentEmail = InferEntity<typeof SentEmailSchema>;
