import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  connectNats,
  connectOrm,
  createLogger,
  CreateOutboxAndInbox,
  enqueueEvent,
  ensureStreams,
  migrate,
  ormOptions,
  startConsumer,
  startOutboxRelay,
  type EventEnvelope,
  type MikroORM,
  type NatsConnection,
} from '../src/index.ts';
import { createTestDatabase } from '../../../test/support/databases.ts';

const log = createLogger('outbox-test', 'silent');
const tag = randomBytes(3).toString('hex');
const stream = `TEST_${tag}`;
const subject = `test${tag}.happened`;

let orm: MikroORM;
let nc: NatsConnection;
const handled: Array<EventEnvelope<{ n: number }>> = [];

async function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not reached in time');
    await sleep(20);
  }
}

beforeAll(async () => {
  const url = await createTestDatabase('outbox');
  orm = await connectOrm(
    ormOptions({ clientUrl: url, entities: [], discovery: { warnWhenNoEntities: false }, migrations: { migrationsList: [{ name: 'outbox-inbox', class: CreateOutboxAndInbox }] } }),
    log,
  );
  await migrate(orm);
  nc = await connectNats(inject('natsUrl'), 'outbox-test', log);
  await ensureStreams(nc, [{ name: stream, subjects: [`test${tag}.>`] }]);
});

afterAll(async () => {
  await nc?.drain();
  await orm?.close();
});

describe('transactional outbox → JetStream → inbox', () => {
  it('publishes committed events once, never rolled-back ones, and ignores redelivery', async () => {
    const relay = startOutboxRelay({ em: orm.em, nc, log, idleDelayMs: 20 });
    const consumer = await startConsumer<{ n: number }>({
      em: orm.em,
      nc,
      log,
      stream,
      durable: `test_${tag}`,
      filterSubject: subject,
      handle: async (tx: EntityManager, event) => {
        await tx.execute('select 1');
        handled.push(event);
      },
    });

    const committedId = await orm.em.fork().transactional((tx) => enqueueEvent(tx, subject, { n: 1 }));
    await expect(
      orm.em.fork().transactional(async (tx) => {
        await enqueueEvent(tx, subject, { n: 2 });
        throw new Error('state change failed');
      }),
    ).rejects.toThrow('state change failed');

    await until(() => handled.length >= 1);
    // A duplicate delivery of the same event (new JetStream message, same event id) has no effect.
    const [row] = await orm.em.fork().execute<Array<{ payload: EventEnvelope }>>('select payload from outbox_event where id = ?', [committedId]);
    await jetstream(nc).publish(subject, JSON.stringify(row!.payload), { msgID: randomUUID() });
    await sleep(300);

    expect(handled.map((e) => e.data.n)).toEqual([1]);
    expect(handled[0]!.id).toBe(committedId);
    const published = await orm.em.fork().execute<Array<{ n: number }>>('select count(*)::int as n from outbox_event where published_at is not null');
    expect(published[0]!.n).toBe(1);
    const inbox = await orm.em.fork().execute<Array<{ n: number }>>('select count(*)::int as n from inbox_message');
    expect(inbox[0]!.n).toBe(1);

    await consumer.stop();
    await relay.stop();
  });

  it('lets JetStream drop a second publish of the same event id (relay crash before marking)', async () => {
    const js = jetstream(nc);
    const id = randomUUID();
    const first = await js.publish(subject, '{}', { msgID: id });
    const second = await js.publish(subject, '{}', { msgID: id });
    expect(first.duplicate).toBe(false);
    expect(second.duplicate).toBe(true);
  });
});
