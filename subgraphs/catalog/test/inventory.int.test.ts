import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  CATALOG_STOCK_CHANGED,
  createLogger,
  startConsumer,
  startOutboxRelay,
  transaction,
  type ProductChanged,
  type EventEnvelope,
  type MikroORM,
  type NatsConnection,
  type StockLine,
} from '@shop/platform';
import { closeTestPlatform, connectTestPlatform } from '../../../test/support/platform.ts';
import { waitFor } from '../../../test/support/wait.ts';
import { catalogOrmOptions } from '../src/data/orm.config.ts';
import { InventoryService } from '../src/domain/inventory.service.ts';
import { startInventoryWorkers } from '../src/events/inventory-workers.ts';
import { insertProducts, stockOf } from './catalog-harness.ts';

const log = createLogger('inventory-test', 'silent');
const tag = randomBytes(3).toString('hex');
let orm: MikroORM;
let nc: NatsConnection;

beforeAll(async () => {
  ({ orm, nc } = await connectTestPlatform({ name: 'inventory', log, orm: catalogOrmOptions }));
});
afterAll(() => closeTestPlatform({ orm, nc }));

const tx = <T>(work: (em: EntityManager) => Promise<T>) => orm.em.fork().transactional(work);
const rows = <T>(sql: string, params: unknown[] = []) => orm.em.fork().execute<T[]>(sql, params);

/** A one-variant product with `onHand` units; returns its (variant's) id. */
async function product(onHand: number, options: { deleted?: boolean } = {}): Promise<string> {
  const id = randomUUID();
  const sku = `INV-${id.slice(0, 8)}`;
  await insertProducts(orm, [{ id, sku, name: `Product ${sku}`, price: 1000, onHand, deleted: options.deleted }]);
  return id;
}
const stock = (id: string) => stockOf(orm, id);
/** The answers (and their ids) the outbox holds for one order. */
const answers = (orderId: string, subject: string) =>
  rows<{ id: string; data: Record<string, unknown> }>(
    `select id, payload -> 'data' as data from outbox_event where subject = ? and payload -> 'data' ->> 'orderId' = ?`,
    [subject, orderId],
  );
const status = async (orderId: string) =>
  (await rows<{ status: string }>('select status from stock_reservation where order_id = ?', [orderId]))[0]?.status;

describe('InventoryService', () => {
  const service = new InventoryService();

  it('lets exactly 10 of 200 concurrent one-unit orders reserve 10 units', async () => {
    const id = await product(10);
    const counts: ProductChanged[] = [];
    const announcing = new InventoryService({ announceCount: (change) => counts.push(change) });
    const results = await Promise.all(
      Array.from({ length: 200 }, () =>
        transaction(orm.em, ({ em }) => announcing.reserve(em, randomUUID(), [{ productId: id, quantity: 1 }]), { log }),
      ),
    );
    const reserved = results.filter((r) => r.outcome?.status === 'RESERVED');
    expect(reserved).toHaveLength(10);
    expect(results.filter((r) => r.outcome?.status === 'REJECTED')).toHaveLength(190);
    expect(results.find((r) => r.outcome?.status === 'REJECTED')!.outcome).toMatchObject({
      shortProducts: [{ productId: id, requested: 1, available: 0 }],
    });
    expect(await stock(id)).toEqual({ onHand: 10, reserved: 10 });
    const [held] = await rows<{ n: number }>('select coalesce(sum(quantity), 0)::int as n from stock_reservation_line where variant_id = ?', [id]);
    expect(held!.n).toBe(10);
    // Going out of stock is a product.changed event (carts show it); each count within stock is told
    // to caches only, after its commit: one per successful reservation in all.
    const changes = await rows<{ q: number }>(
      `select (payload -> 'data' ->> 'availableQuantity')::int as q from outbox_event where subject = 'product.changed' and payload -> 'data' ->> 'productId' = ?`,
      [id],
    );
    expect(changes.map((c) => c.q)).toEqual([0]);
    expect(counts.map((c) => c.availableQuantity).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(counts.every((c) => c.productId === id && c.variantId === id && c.change === 'STOCK')).toBe(true);
  });

  it('reserves all lines or none, naming every short product with requested and available', async () => {
    const [plenty, scarce, gone] = [await product(5), await product(1), await product(9, { deleted: true })];
    const orderId = randomUUID();
    const result = await tx((em) =>
      service.reserve(em, orderId, [
        { productId: scarce, quantity: 1 },
        { productId: plenty, quantity: 2 },
        { productId: scarce, quantity: 2 }, // merged with the first line: 3 asked
        { productId: gone, quantity: 1 },
      ]),
    );
    expect(result.effect).toBe('applied');
    expect(result.outcome).toEqual({
      status: 'REJECTED',
      orderId,
      shortProducts: expect.arrayContaining([
        { productId: scarce, requested: 3, available: 1 },
        { productId: gone, requested: 1, available: 0 },
      ]),
    });
    expect((result.outcome as { shortProducts: unknown[] }).shortProducts).toHaveLength(2);
    expect(await stock(plenty)).toEqual({ onHand: 5, reserved: 0 });
    expect(await stock(scarce)).toEqual({ onHand: 1, reserved: 0 });
    expect(await rows('select 1 from stock_reservation_line where order_id = ?', [orderId])).toHaveLength(0);
    expect(await answers(orderId, 'inventory.rejected')).toHaveLength(1);

    // Malformed commands: bad lines are rejected (and named); without an order id nothing happens.
    const bad = randomUUID();
    expect((await tx((em) => service.reserve(em, bad, [{ productId: plenty, quantity: 0 }]))).outcome).toEqual({
      status: 'REJECTED',
      orderId: bad,
      shortProducts: [{ productId: plenty, requested: 0, available: 0 }],
    });
    expect(await tx((em) => service.reserve(em, 'not-an-order', [{ productId: plenty, quantity: 1 }]))).toEqual({ effect: 'invalid', outcome: null });
    expect(await stock(plenty)).toEqual({ onHand: 5, reserved: 0 });
  });

  it('is idempotent per order: reserve, commit and release twice take effect once', async () => {
    const id = await product(10);
    const [a, b] = [randomUUID(), randomUUID()];
    const lines: StockLine[] = [{ productId: id, quantity: 3 }];
    expect((await tx((em) => service.reserve(em, a, lines))).effect).toBe('applied');
    const again = await tx((em) => service.reserve(em, a, lines));
    expect(again).toMatchObject({ effect: 'repeated', outcome: { status: 'RESERVED', lines } });
    expect(await stock(id)).toEqual({ onHand: 10, reserved: 3 });
    expect(await answers(a, 'inventory.reserved')).toHaveLength(1); // same event id: no second answer

    expect((await tx((em) => service.commit(em, a))).effect).toBe('applied');
    expect((await tx((em) => service.commit(em, a))).effect).toBe('repeated');
    expect(await stock(id)).toEqual({ onHand: 7, reserved: 0 });
    expect(await answers(a, 'inventory.committed')).toHaveLength(0); // a commit that took effect is not answered

    await tx((em) => service.reserve(em, b, [{ productId: id, quantity: 2 }]));
    expect(await stock(id)).toEqual({ onHand: 7, reserved: 2 });
    const releases = await Promise.all([1, 2].map(() => tx((em) => service.release(em, b, 'PAYMENT_FAILED'))));
    expect(releases.map((r) => r.effect).sort()).toEqual(['applied', 'repeated']);
    expect(await stock(id)).toEqual({ onHand: 7, reserved: 0 });
    expect(await answers(b, 'inventory.released')).toEqual([expect.objectContaining({ data: { orderId: b, reason: 'PAYMENT_FAILED' } })]);
  });

  it('counts units sold for bestsellers once per paid order, and takes them back once on a return', async () => {
    const id = await product(20);
    const unitsSold = async () => (await rows<{ n: number }>('select units_sold as n from product where id = ?', [id]))[0]!.n;
    const [paid, unpaid] = [randomUUID(), randomUUID()];
    await tx((em) => service.reserve(em, paid, [{ productId: id, quantity: 3 }]));
    await tx((em) => service.reserve(em, unpaid, [{ productId: id, quantity: 5 }]));
    expect(await unitsSold()).toBe(0); // reserved is not sold
    await Promise.all([1, 2].map(() => tx((em) => service.commit(em, paid))));
    await tx((em) => service.release(em, unpaid, 'PAYMENT_FAILED'));
    expect(await unitsSold()).toBe(3);
    expect(await tx((em) => service.returnStock(em, paid))).toBe(true);
    expect(await tx((em) => service.returnStock(em, paid))).toBe(false);
    expect(await unitsSold()).toBe(0);
  });

  it('never sells released stock, never un-sells committed stock, and never reserves after a release', async () => {
    const id = await product(4);
    const [released, committed, early] = [randomUUID(), randomUUID(), randomUUID()];
    await tx((em) => service.reserve(em, released, [{ productId: id, quantity: 1 }]));
    await tx((em) => service.release(em, released, 'CANCELLED'));
    const late = await tx((em) => service.commit(em, released));
    expect(late).toMatchObject({ effect: 'repeated', outcome: { status: 'RELEASED', reason: 'CANCELLED' } });
    expect(await stock(id)).toEqual({ onHand: 4, reserved: 0 });
    expect(await status(released)).toBe('RELEASED');

    await tx((em) => service.reserve(em, committed, [{ productId: id, quantity: 2 }]));
    await tx((em) => service.commit(em, committed));
    expect(await tx((em) => service.release(em, committed, 'CANCELLED'))).toMatchObject({ effect: 'repeated', outcome: { status: 'COMMITTED' } });
    expect(await stock(id)).toEqual({ onHand: 2, reserved: 0 });

    // The saga gave up before the reserve arrived: the late reserve must not hold stock.
    expect((await tx((em) => service.release(em, early, 'TIMEOUT'))).outcome).toMatchObject({ status: 'RELEASED', reason: 'TIMEOUT' });
    expect(await tx((em) => service.reserve(em, early, [{ productId: id, quantity: 1 }]))).toMatchObject({
      effect: 'repeated',
      outcome: { status: 'RELEASED' },
    });
    expect(await stock(id)).toEqual({ onHand: 2, reserved: 0 });
  });

  it('releases expired reservations once, even with several sweepers at the same time', async () => {
    let now = new Date();
    const clocked = new InventoryService({ reservationTtlSeconds: 60, clock: () => now });
    const id = await product(100);
    const orders = Array.from({ length: 30 }, () => randomUUID());
    for (const orderId of orders) await tx((em) => clocked.reserve(em, orderId, [{ productId: id, quantity: 2 }]));
    expect(await tx((em) => clocked.releaseExpired(em, new Date(now.getTime() + 59_000), 100))).toEqual([]);

    now = new Date(now.getTime() + 61_000);
    const swept = await Promise.all([1, 2, 3].map(() => tx((em) => clocked.releaseExpired(em, now, 10))));
    const rest = await tx((em) => clocked.releaseExpired(em, now, 100));
    const releasedIds = [...swept.flat(), ...rest].map((o) => o.orderId);
    expect(releasedIds.sort()).toEqual([...orders].sort());
    expect(await stock(id)).toEqual({ onHand: 100, reserved: 0 });
    expect(await answers(orders[0]!, 'inventory.released')).toEqual([expect.objectContaining({ data: { orderId: orders[0], reason: 'EXPIRED' } })]);
    // Payment arrived too late: nothing is sold, the saga hears that the stock was released.
    expect((await tx((em) => clocked.commit(em, orders[0]!))).outcome).toMatchObject({ status: 'RELEASED', reason: 'EXPIRED' });
    expect(await stock(id)).toEqual({ onHand: 100, reserved: 0 });
  });

  it('keeps reserved + sold within stock on hand under concurrent reserves, commits, releases and sweeps', async () => {
    const products = [await product(20), await product(20), await product(20)];
    let seed = 42;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const orders = Array.from({ length: 80 }, () => ({
      id: randomUUID(),
      lines: Array.from({ length: 1 + random(3) }, () => ({ productId: products[random(3)]!, quantity: 1 + random(4) })),
    }));
    await Promise.all(orders.map((o) => tx((em) => service.reserve(em, o.id, o.lines))));
    const later = new Date(Date.now() + 3_600_000);
    await Promise.all([
      ...orders.flatMap((o, i) => [0, 1].map(() => tx((em) => (i % 3 === 0 ? service.release(em, o.id, 'CANCELLED') : service.commit(em, o.id))))),
      ...[1, 2].map(() => tx((em) => new InventoryService({ reservationTtlSeconds: 1 }).releaseExpired(em, later, 20))),
    ]);
    for (const id of products) {
      const [sold] = await rows<{ n: number }>(
        `select coalesce(sum(l.quantity), 0)::int as n from stock_reservation_line l join stock_reservation r using (order_id)
         where l.variant_id = ? and r.status = 'COMMITTED'`,
        [id],
      );
      const level = await stock(id);
      expect(level.reserved).toBe(0);
      expect(level.onHand).toBe(20 - sold!.n);
      expect(level.onHand).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('inventory workers over JetStream', () => {
  it('answers a reserve once however often it is delivered, commits on payment, and expires the unpaid', async () => {
    const relay = startOutboxRelay({ em: orm.em, nc, log, idleDelayMs: 50 });
    const paid: string = randomUUID();
    const unpaid: string = randomUUID();
    const seen: Array<EventEnvelope<{ orderId: string; reason?: string }>> = [];
    const observer = await startConsumer<{ orderId: string; reason?: string }>({
      em: orm.em,
      nc,
      log,
      stream: 'INVENTORY',
      durable: `inventory-observer-${tag}`,
      filterSubject: 'inventory.>',
      handle: async (_tx, event) => void ([paid, unpaid].includes(event.data.orderId) && seen.push(event)),
    });
    const stoppers = await startInventoryWorkers(
      { orm, nc, log, outbox: relay },
      // Long enough that a busy 2-core machine checks the reservation before the sweeper may expire it.
      { durable: `catalog-inventory-${tag}`, reservationTtlSeconds: 12, sweepIntervalMs: 100 },
    );
    const [shirt, mug] = [await product(10), await product(3)];
    // Counts that stay in stock reach caches on core NATS; going out of stock is an event instead.
    const counted: ProductChanged[] = [];
    const counts = nc.subscribe(CATALOG_STOCK_CHANGED, { callback: (_error, message) => void counted.push(message.json<ProductChanged>()) });
    await nc.flush();
    const command = (subject: string, data: unknown, id = randomUUID()) => ({ id, subject, occurredAt: new Date().toISOString(), data });
    // A raw JetStream publish (request → PubAck) with no Nats-Msg-Id: the stream keeps every copy.
    const publish = async (envelope: ReturnType<typeof command>) => {
      const ack = (await nc.request(envelope.subject, JSON.stringify(envelope), { timeout: 5000 })).json<{ stream: string; seq: number }>();
      expect(ack.stream).toBe('ORDER');
    };
    try {
      const reserve = command('order.stock.reserve', { orderId: paid, lines: [{ productId: shirt, quantity: 2 }] });
      await publish(reserve);
      await publish(reserve); // redelivered: same envelope id
      await publish(command('order.stock.reserve', { orderId: paid, lines: [{ productId: shirt, quantity: 2 }] })); // a second command, new id
      await publish(command('order.stock.reserve', { orderId: unpaid, lines: [{ productId: mug, quantity: 3 }] }));

      // The two orders are handled side by side (one lane per order), so either answer may come first.
      await waitFor('inventory.reserved of both orders', () =>
        [paid, unpaid].every((orderId) => seen.some((e) => e.subject === 'inventory.reserved' && e.data.orderId === orderId)),
      );
      // Three inbox rows: the redelivered envelope was recognised and skipped. The paid order's lane
      // takes its three messages in order, so with its second command's row there, all were handled.
      const handled = async () =>
        (await rows<{ n: number }>('select count(*)::int as n from inbox_message where consumer = ?', [`catalog-inventory-${tag}`]))[0]!.n;
      await waitFor('every command handled', async () => (await handled()) === 3);
      expect(seen.filter((e) => e.subject === 'inventory.reserved' && e.data.orderId === paid)).toHaveLength(1);
      expect(await stock(shirt)).toEqual({ onHand: 10, reserved: 2 });
      expect(await stock(mug)).toEqual({ onHand: 3, reserved: 3 });
      expect(await handled()).toBe(3);
      await waitFor('the shirt’s new count announced', () => counted.some((c) => c.variantId === shirt && c.availableQuantity === 8));
      expect(counted.filter((c) => c.variantId === mug)).toEqual([]);

      await publish(command('order.stock.commit', { orderId: paid }));
      await waitFor('the paid order committed', async () => (await stock(shirt)).onHand === 8);
      expect(await stock(shirt)).toEqual({ onHand: 8, reserved: 0 });

      await waitFor('the expired reservation released', () => seen.some((e) => e.subject === 'inventory.released' && e.data.orderId === unpaid), {
        timeoutMs: 40_000,
      });
      expect(seen.find((e) => e.subject === 'inventory.released')!.data).toEqual({ orderId: unpaid, reason: 'EXPIRED' });
      expect(await stock(mug)).toEqual({ onHand: 3, reserved: 0 });
      expect(seen.filter((e) => e.data.orderId === paid).map((e) => e.subject)).toEqual(['inventory.reserved']); // the commit is not answered
    } finally {
      counts.unsubscribe();
      for (const stop of stoppers) await stop();
      await observer.stop();
      await relay.stop();
    }
  });
});
