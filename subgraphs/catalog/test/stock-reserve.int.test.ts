import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createStockReserveClient, type MikroORM, type NatsConnection, type ReserveStock, type StockLine } from '@shop/platform';
import { closeTestPlatform, connectTestPlatform } from '../../../test/support/platform.ts';
import { catalogOrmOptions } from '../src/data/orm.config.ts';
import { InventoryService } from '../src/domain/inventory.service.ts';
import { startStockReserveResponder } from '../src/events/stock-reserve.responder.ts';
import { insertProducts, stockOf } from './catalog-harness.ts';

const log = createLogger('stock-reserve-test', 'silent');
// This file's own subject: other test files share the NATS server.
const subject = `catalog.stock.reserve.test-${randomBytes(3).toString('hex')}`;
let orm: MikroORM;
let nc: NatsConnection;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ orm, nc } = await connectTestPlatform({ name: 'stock-reserve', log, orm: catalogOrmOptions }));
  stop = startStockReserveResponder({ orm, nc, log }, new InventoryService(), subject);
});
afterAll(async () => {
  await stop?.();
  await closeTestPlatform({ orm, nc });
});

const rows = <T>(sql: string, params: unknown[] = []) => orm.em.fork().execute<T[]>(sql, params);

async function product(onHand: number): Promise<string> {
  const id = randomUUID();
  const sku = `REQ-${id.slice(0, 8)}`;
  await insertProducts(orm, [{ id, sku, name: `Product ${sku}`, price: 1000, onHand }]);
  return id;
}

/** The subjects of the outbox rows this order's reservation wrote (answers carry the order id, stock events the variant's). */
const eventsOf = async (orderId: string, variantId: string) =>
  (
    await rows<{ subject: string }>(
      `select subject from outbox_event where payload -> 'data' ->> 'orderId' = ? or payload -> 'data' ->> 'productId' = ? order by seq`,
      [orderId, variantId],
    )
  ).map((r) => r.subject);

describe('stock reservation by request (the order asks within its checkout step)', () => {
  // Made per call: the connection exists once beforeAll has run.
  const reserve: ReserveStock = (request) => createStockReserveClient(nc, { subject })(request);

  it('reserves once and answers the same however often it is asked; the reply is the answer, no inventory event', async () => {
    const id = await product(5);
    const orderId = randomUUID();
    const lines: StockLine[] = [{ productId: id, quantity: 2 }];
    expect(await reserve({ orderId, lines })).toEqual({ status: 'RESERVED' });
    expect(await reserve({ orderId, lines })).toEqual({ status: 'RESERVED' });
    expect(await stockOf(orm, id)).toEqual({ onHand: 5, reserved: 2 });
    const [reservation] = await rows<{ status: string }>('select status from stock_reservation where order_id = ?', [orderId]);
    expect(reservation?.status).toBe('RESERVED');
    // Neither is an event: the answer is the reply, and a count that stays in stock is no event either.
    expect(await eventsOf(orderId, id)).toEqual([]);
    // Taking the last units is: carts show the variant out of stock.
    const last = randomUUID();
    expect(await reserve({ orderId: last, lines: [{ productId: id, quantity: 3 }] })).toEqual({ status: 'RESERVED' });
    expect(await eventsOf(last, id)).toEqual(['product.changed']);
  });

  it('answers REJECTED with every short product, reserving nothing', async () => {
    const [plenty, scarce] = [await product(5), await product(1)];
    const orderId = randomUUID();
    const answer = await reserve({
      orderId,
      lines: [
        { productId: plenty, quantity: 1 },
        { productId: scarce, quantity: 3 },
      ],
    });
    expect(answer).toEqual({ status: 'REJECTED', shortProducts: [{ productId: scarce, requested: 3, available: 1 }] });
    expect(await stockOf(orm, plenty)).toEqual({ onHand: 5, reserved: 0 });
    expect(await eventsOf(orderId, scarce)).toEqual([]);
  });

  it('sends the order down the event path when there is nothing to decide: a settled order, a malformed request, no responder', async () => {
    const id = await product(5);
    // A release that came first leaves a tombstone: the request does not reserve after it.
    const released = randomUUID();
    await orm.em.fork().transactional((em) => new InventoryService().release(em, released, 'TIMEOUT'));
    expect(await reserve({ orderId: released, lines: [{ productId: id, quantity: 1 }] })).toBeUndefined();
    expect(await stockOf(orm, id)).toEqual({ onHand: 5, reserved: 0 });

    const malformed = await nc.request(subject, JSON.stringify({ orderId: randomUUID() }), { timeout: 5000 });
    expect(malformed.json()).toMatchObject({ status: 'UNANSWERED' });

    const nobody = createStockReserveClient(nc, { subject: `${subject}.nobody` });
    expect(await nobody({ orderId: randomUUID(), lines: [{ productId: id, quantity: 1 }] })).toBeUndefined();
  });
});
