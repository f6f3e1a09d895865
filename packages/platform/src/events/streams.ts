/**
 * The JetStream topology, declared once. Subjects are `<stream-prefix>.<event>`, e.g.
 * `checkout.requested`, `inventory.reserved`, `payment.captured`, `order.confirmed`.
 */
export const STREAMS: ReadonlyArray<{ name: string; subjects: string[] }> = [
  { name: 'CHECKOUT', subjects: ['checkout.>'] },
  { name: 'ORDER', subjects: ['order.>'] },
  { name: 'INVENTORY', subjects: ['inventory.>'] },
  { name: 'PAYMENT', subjects: ['payment.>'] },
  { name: 'PRODUCT', subjects: ['product.>'] },
  { name: 'ACCOUNT', subjects: ['account.>'] },
];

/** The envelope every event travels in; `data` is the event-specific payload. */
export interface EventEnvelope<T = unknown> {
  id: string;
  subject: string;
  occurredAt: string;
  requestId?: string;
  data: T;
}
