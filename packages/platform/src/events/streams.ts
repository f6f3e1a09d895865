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

/**
 * How long a stream keeps a message (`max_age`): a consumer that falls behind, or is added later,
 * still finds a week of events; the inboxes keep their rows a day longer (events/retention.ts).
 */
export const STREAM_MAX_AGE_MS = 7 * 24 * 3_600_000;

/**
 * The streams as a subgraph declares them: each kept on `replicas` servers (NATS_STREAM_REPLICAS;
 * a cluster of 3 keeps every event when one server is lost). JetStream allows 1 to 5.
 */
export function streamDeclarations(replicas = 1): Array<{ name: string; subjects: string[]; num_replicas: number }> {
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5)
    throw new RangeError(`stream replicas must be a whole number from 1 to 5, got ${replicas}`);
  return STREAMS.map((stream) => ({ name: stream.name, subjects: [...stream.subjects], num_replicas: replicas }));
}

/** The envelope every event travels in; `data` is the event-specific payload. */
export interface EventEnvelope<T = unknown> {
  id: string;
  subject: string;
  occurredAt: string;
  requestId?: string;
  data: T;
}
