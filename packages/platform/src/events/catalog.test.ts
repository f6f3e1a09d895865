import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EVENTS, eventIdFor, isSubject, orderingKeyOf, orderStatusSubject, parseEvent, type Payload } from './catalog.ts';
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

  it("orders a saga's messages by their order, a cart's statuses by the cart, others by what they change", () => {
    const saga = [
      orderingKeyOf('order.stock.reserve', { orderId, lines: [] }),
      orderingKeyOf('inventory.reserved', { orderId, lines: [], expiresAt: '' }),
      orderingKeyOf('order.payment.requested', payment),
      orderingKeyOf('payment.captured', { orderId, paymentId: 'p', amount: 1, currency: 'USD' }),
      orderingKeyOf('payment.refunded', { orderId, paymentId: 'p', refundId: randomUUID(), amount: 1, currency: 'USD' }),
      orderingKeyOf('checkout.requested', { checkoutId: orderId } as Payload<'checkout.requested'>),
    ];
    expect(new Set(saga)).toEqual(new Set([orderId]));
    expect(orderingKeyOf('order.stock.reserve', { orderId: randomUUID(), lines: [] })).not.toBe(orderId);
    const status = (cartId: string, id = orderId) =>
      orderingKeyOf(orderStatusSubject('CONFIRMED'), { orderId: id, cartId, status: 'CONFIRMED', reason: null });
    // Two orders of one cart (the first rejected, the cart checked out again) keep their order at the cart.
    expect(status('cart-1', randomUUID())).toBe(status('cart-1'));
    expect(status('')).not.toBe(status('', randomUUID()));
    expect(orderingKeyOf('account.orders.claim_requested', { customerId: 'c1', email: 'a@example.com' })).toBe('c1');
    const changed = {
      productId: 'p',
      variantId: 'v',
      sku: 's',
      priceAmount: 1,
      currency: 'USD',
      availableQuantity: 1,
      available: true,
      change: 'PRICE' as const,
    };
    expect(orderingKeyOf('product.changed', changed)).toBe('v');
  });
});
