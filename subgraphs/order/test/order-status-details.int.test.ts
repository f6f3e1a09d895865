import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityManager } from '@mikro-orm/postgresql';
import { connectOrm, createLogger, parseEvent, runMigrations, type MikroORM, type OrderStatusChanged } from '@shop/platform';
import { createTestDatabase } from '../../../test/support/databases.ts';
import { orderOrmOptions } from '../src/data/orm.config.ts';
import { onPaymentCaptured, onStockReserved, startOrder } from '../src/domain/order-saga.ts';
import { OrderAdminService } from '../src/domain/order-admin.service.ts';

const log = createLogger('order-details-test', 'silent');
const timeouts = { reserveMs: 60_000, paymentMs: 60_000 };
let orm: MikroORM;

beforeAll(async () => {
  const url = await createTestDatabase('order_details');
  await runMigrations(orderOrmOptions(url), log);
  orm = await connectOrm(orderOrmOptions(url), log);
});
afterAll(async () => orm?.close());

const tx = <T>(work: (em: EntityManager) => Promise<T>) => orm.em.fork().transactional(work);

async function statusEvents(orderId: string): Promise<Array<{ subject: string; data: OrderStatusChanged }>> {
  const rows = await orm.em
    .fork()
    .execute<Array<{ subject: string; payload: { data: unknown } }>>(
      `select subject, payload from outbox_event where subject like 'order.status.%' and payload->'data'->>'orderId' = ? order by seq`,
      [orderId],
    );
  return rows.map((row) => {
    const parsed = parseEvent(row.subject as 'order.status.confirmed', row.payload.data);
    if (!parsed.ok) throw new Error(`${row.subject} fails its schema: ${JSON.stringify(parsed.issues)}`);
    return { subject: row.subject, data: parsed.data };
  });
}

describe('order status events carry the order details', () => {
  it('every status event has the lines, totals, address and number; the shipped one the tracking number', async () => {
    const id = randomUUID();
    await tx((em) =>
      startOrder(
        em,
        {
          checkoutId: id,
          cartId: 'cart-details',
          customerId: null,
          email: 'guest@example.com',
          shippingAddress: { name: 'Ada Lovelace', line1: '12 Analytical St', line2: null, city: 'London', postalCode: 'N1', countryCode: 'GB' },
          paymentToken: 'tok_visa',
          idempotencyKey: 'k-details-1',
          currency: 'USD',
          lines: [
            { productId: randomUUID(), name: 'Mug', variantTitle: 'Default Title', quantity: 2, unitPriceAmount: 1250 },
            { productId: randomUUID(), name: 'T-Shirt', variantTitle: 'M / Blue', quantity: 1, unitPriceAmount: 1999 },
          ],
          totals: { subtotal: 4499, discount: 500, shipping: 499, tax: 320, total: 4818 },
          discountCodes: [],
        },
        timeouts,
      ),
    );
    await tx((em) => onStockReserved(em, id, timeouts));
    await tx((em) => onPaymentCaptured(em, id));
    const shipped = await new OrderAdminService(orm.em, () => undefined).ship(id, ' 1Z999AA1 ');
    expect(shipped.userErrors).toEqual([]);

    const events = await statusEvents(id);
    expect(events.map((e) => e.subject)).toEqual([
      'order.status.pending',
      'order.status.awaiting_payment',
      'order.status.confirmed',
      'order.status.shipped',
    ]);
    const confirmed = events[2]!.data.details!;
    expect(confirmed).toMatchObject({
      email: 'guest@example.com',
      customerId: null,
      currency: 'USD',
      lines: [
        { title: 'Mug', variantTitle: null, quantity: 2, unitPriceAmount: 1250 },
        { title: 'T-Shirt', variantTitle: 'M / Blue', quantity: 1, unitPriceAmount: 1999 },
      ],
      totals: { subtotal: 4499, discount: 500, shipping: 499, tax: 320, total: 4818 },
      shippingAddress: { name: 'Ada Lovelace', line1: '12 Analytical St', line2: null, city: 'London', postalCode: 'N1', countryCode: 'GB' },
      trackingNumber: null,
    });
    expect(confirmed.number).toMatch(/^ORD-\d{6,}$/);
    expect(events.every((e) => e.data.details?.number === confirmed.number)).toBe(true);
    expect(events[3]!.data.details!.trackingNumber).toBe('1Z999AA1');
  });

  it('a refused shipment changes nothing: no tracking number, no event', async () => {
    const id = randomUUID();
    await tx((em) =>
      startOrder(
        em,
        {
          checkoutId: id,
          cartId: 'cart-details-2',
          customerId: 'c-1',
          email: 'c@example.com',
          shippingAddress: { name: 'C', line1: '1', line2: null, city: 'C', postalCode: '1', countryCode: 'US' },
          paymentToken: 'tok_visa',
          idempotencyKey: 'k-details-2',
          currency: 'USD',
          lines: [{ productId: randomUUID(), name: 'Mug', quantity: 1, unitPriceAmount: 1000 }],
          totals: { subtotal: 1000, discount: 0, shipping: 0, tax: 0, total: 1000 },
          discountCodes: [],
        },
        timeouts,
      ),
    );
    const shipped = await new OrderAdminService(orm.em, () => undefined).ship(id, 'T-1');
    expect(shipped.userErrors.map((e) => e.code)).toEqual(['INVALID_STATUS']);
    const [row] = await orm.em
      .fork()
      .execute<Array<{ tracking_number: string | null }>>('select tracking_number from customer_order where id = ?', [id]);
    expect(row!.tracking_number).toBeNull();
    expect((await statusEvents(id)).map((e) => e.subject)).toEqual(['order.status.pending']);
  });
});
