import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EVENTS, eventIdFor, isSubject, orderStatusSubject, parseEvent, type Payload } from './catalog.ts';
import { deterministicEventId } from './outbox.ts';
import { STREAMS } from './streams.ts';

const orderId = randomUUID();
const payment: Payload<'order.payment.requested'> = { orderId, customerId: null, amount: 1250, currency: 'USD', paymentToken: 'tok_visa' };

describe('event catalog', () => {
  it('puts every subject in the stream that carries it', () => {
    for (const [subject, { stream }] of Object.entries(EVENTS)) {
      const prefix = STREAMS.find((s) => s.name === stream)!.subjects[0]!.replace('>', '');
      expect(subject.startsWith(prefix), subject).toBe(true);
    }
    expect(isSubject(orderStatusSubject('AWAITING_PAYMENT'))).toBe(true);
    expect(isSubject('order.status.lost')).toBe(false);
  });

  it('accepts what the producers send and rejects malformed payloads', () => {
    expect(parseEvent('order.payment.requested', payment)).toEqual({ ok: true, data: payment });
    expect(parseEvent('order.payment.requested', { ...payment, orderId: 'not-an-order' }).ok).toBe(false);
    expect(parseEvent('order.payment.requested', { ...payment, amount: -1 }).ok).toBe(false);
    expect(parseEvent('order.stock.reserve', { orderId }).ok).toBe(false); // lines missing
    expect(parseEvent('inventory.rejected', { orderId, shortProducts: [{ productId: 'p', requested: '2', available: 0 }] }).ok).toBe(false);
    expect(parseEvent(orderStatusSubject('CONFIRMED'), { orderId, cartId: 'c', status: 'LOST', reason: null }).ok).toBe(false);
    expect(parseEvent('product.changed', null).ok).toBe(false);
  });

  it('derives the same event id from the same dedupe key, and a random one where there is none', () => {
    expect(eventIdFor('order.payment.requested', payment)).toBe(eventIdFor('order.payment.requested', { ...payment, amount: 1 }));
    expect(eventIdFor('order.payment.requested', payment)).toBe(deterministicEventId('order.payment.requested', orderId));
    expect(eventIdFor('order.stock.commit', { orderId })).not.toBe(eventIdFor('inventory.committed', { orderId }));
    const refund = { orderId, paymentId: randomUUID(), refundId: randomUUID(), amount: 5, currency: 'USD' };
    expect(eventIdFor('payment.refunded', refund)).toBe(deterministicEventId('payment.refunded', refund.refundId));
    expect(eventIdFor('payment.refunded', refund)).not.toBe(eventIdFor('payment.refunded', { ...refund, refundId: randomUUID() }));
    // The checkout's id is the event's id (and the order's).
    const checkoutId = randomUUID();
    expect(eventIdFor('checkout.requested', { checkoutId } as Payload<'checkout.requested'>)).toBe(checkoutId);
    const changed: Payload<'product.changed'> = {
      productId: 'p',
      sku: 's',
      priceAmount: 1,
      currency: 'USD',
      availableQuantity: 1,
      available: true,
      change: 'STOCK',
    };
    expect(eventIdFor('product.changed', changed)).not.toBe(eventIdFor('product.changed', changed));
  });
});
