import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import {
  createLogger,
  eventIdFor,
  startConsumer,
  transaction,
  type MikroORM,
  type NatsConnection,
  type OutboxRow,
  type Payload,
} from '../src/index.ts';
import { closeTestPlatform, connectTestPlatform, outboxOnlyOrmOptions } from '../../../test/support/platform.ts';
import { waitFor } from '../../../test/support/wait.ts';

const lines: Array<{ level: number; msg: string; subject?: string; eventId?: string }> = [];
const log = createLogger('uow-test', 'info', { write: (line: string) => void lines.push(JSON.parse(line)) });
const tag = randomBytes(3).toString('hex');

let orm: MikroORM;
let nc: NatsConnection;

const outboxRow = async (id: string) => (await orm.em.fork().execute<unknown[]>('select 1 from outbox_event where id = ?', [id])).length === 1;

beforeAll(async () => {
  ({ orm, nc } = await connectTestPlatform({ name: 'unit_of_work', log, orm: outboxOnlyOrmOptions }));
});
afterAll(() => closeTestPlatform({ orm, nc }));

describe('unit of work', () => {
  it('emits under the catalog id and runs the wake-up and after-commit steps only after the commit', async () => {
    const orderId = randomUUID();
    const seen: string[] = [];
    const outbox = { notify: () => void seen.push('notify') };
    const id = await transaction(
      orm.em,
      async ({ emit, afterCommit }) => {
        const emitted = await emit('order.stock.commit', { orderId });
        afterCommit(async () => seen.push(`after:${await outboxRow(emitted)}`));
        // Not visible outside the transaction yet, and nothing ran.
        seen.push(`inside:${await outboxRow(emitted)}`);
        return emitted;
      },
      { outbox, log },
    );
    expect(id).toBe(eventIdFor('order.stock.commit', { orderId }));
    expect(seen).toEqual(['inside:false', 'notify', 'after:true']);
  });

  it('emits nothing and runs nothing when the transaction rolls back', async () => {
    const orderId = randomUUID();
    const seen: string[] = [];
    await expect(
      transaction(
        orm.em,
        async ({ emit, afterCommit }) => {
          await emit('order.stock.commit', { orderId });
          afterCommit(() => seen.push('after'));
          throw new Error('refused');
        },
        { outbox: { notify: () => void seen.push('notify') }, log },
      ),
    ).rejects.toThrow('refused');
    expect(await outboxRow(eventIdFor('order.stock.commit', { orderId }))).toBe(false);
    expect(seen).toEqual([]);
  });

  it('wakes the outbox only after a transaction that emitted, and a failing after-commit step does not undo the commit', async () => {
    const seen: string[] = [];
    const outbox = { notify: () => void seen.push('notify') };
    expect(await transaction(orm.em, async ({ em }) => (await em.execute<Array<{ n: number }>>('select 1 as n'))[0]!.n, { outbox, log })).toBe(1);
    expect(seen).toEqual([]);
    const orderId = randomUUID();
    await transaction(
      orm.em,
      async ({ emit, afterCommit }) => {
        await emit('order.stock.commit', { orderId });
        afterCommit(() => Promise.reject(new Error('cache down')));
        afterCommit(() => seen.push('second step'));
      },
      { outbox, log },
    );
    expect(seen).toEqual(['notify', 'second step']);
    expect(await outboxRow(eventIdFor('order.stock.commit', { orderId }))).toBe(true);
  });

  it('writes its events together when the work is done, in emit order, each id once, and hands over only rows new to the table', async () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    await transaction(orm.em, ({ emit }) => emit('order.stock.commit', { orderId: a }), { log });
    const handed: string[] = [];
    const outbox = {
      notify: (rows?: readonly OutboxRow[]) => void handed.push(...(rows ?? []).map((r) => (r.payload.data as { orderId: string }).orderId)),
    };
    const seenInside = await transaction(
      orm.em,
      async ({ em, emit }) => {
        await emit('order.stock.commit', { orderId: a });
        await emit('order.stock.commit', { orderId: b });
        await emit('order.stock.commit', { orderId: c });
        await emit('order.stock.release', { orderId: b, reason: 'first' });
        await emit('order.stock.release', { orderId: b, reason: 'second' });
        const ids = [b, c].map((orderId) => eventIdFor('order.stock.commit', { orderId }));
        return (await em.execute<unknown[]>('select 1 from outbox_event where id in (?)', [ids])).length;
      },
      { outbox, log },
    );
    // Nothing written before the work returned; afterwards the rows are there, in emit order.
    expect(seenInside).toBe(0);
    expect(handed).toEqual([b, c, b]);
    const rows = await orm.em
      .fork()
      .execute<Array<{ subject: string; payload: { data: { orderId: string; reason?: string } } }>>(
        "select subject, payload from outbox_event where payload->'data'->>'orderId' in (?) order by seq",
        [[a, b, c]],
      );
    expect(rows.map((r) => [r.subject, r.payload.data.orderId, r.payload.data.reason])).toEqual([
      ['order.stock.commit', a, undefined],
      ['order.stock.commit', b, undefined],
      ['order.stock.commit', c, undefined],
      ['order.stock.release', b, 'first'],
    ]);
  });
});

describe('typed consumer', () => {
  it('terminates an invalid message once and dispatches a valid one to its handler', async () => {
    const durable = `uow_refunded_${tag}`;
    const orderId = randomUUID();
    const handled: Array<Payload<'payment.refunded'>> = [];
    const consumer = await startConsumer({
      em: orm.em,
      nc,
      log,
      stream: 'PAYMENT',
      durable,
      filterSubject: 'payment.refunded',
      ackWaitMs: 1_000,
      handlers: {
        'payment.refunded': async (event) => {
          if (event.data.orderId === orderId) handled.push(event.data);
        },
      },
    });
    try {
      const js = jetstream(nc);
      const send = (data: unknown) => {
        const envelope = { id: randomUUID(), subject: 'payment.refunded', occurredAt: new Date().toISOString(), data };
        return js.publish('payment.refunded', JSON.stringify(envelope), { msgID: envelope.id }).then(() => envelope.id);
      };
      const valid = { orderId, paymentId: randomUUID(), refundId: randomUUID(), amount: 500, currency: 'USD' };
      const invalidId = await send({ ...valid, amount: 'five hundred' });
      await send(valid);
      // One at a time in arrival order: once the valid one is handled, the invalid one was settled.
      await waitFor('the valid message is handled', () => handled.length === 1);
      expect(handled).toEqual([valid]);
      const jsm = await jetstreamManager(nc);
      await waitFor('nothing is pending', async () => (await jsm.consumers.info('PAYMENT', durable)).num_ack_pending === 0);
      const info = await jsm.consumers.info('PAYMENT', durable);
      expect(info.num_redelivered).toBe(0);
      const logged = lines.filter((l) => l.eventId === invalidId);
      expect(logged).toMatchObject([{ level: 50, msg: 'invalid event terminated', subject: 'payment.refunded' }]);
    } finally {
      await consumer.stop();
    }
  });
});
