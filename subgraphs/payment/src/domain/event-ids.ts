import { createHash } from 'node:crypto';

/**
 * A UUID (v5 layout) derived from a name, e.g. `${orderId}:payment.captured`. Answers to a
 * redelivered request reuse the first answer's id, so the outbox (`on conflict (id)`) and
 * JetStream (`Nats-Msg-Id`) drop the repeat instead of publishing a second event.
 */
export function eventId(name: string): string {
  const hex = createHash('sha1').update(`shop.payment:${name}`).digest('hex');
  const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}
