import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { EntityManager } from '@mikro-orm/postgresql';
import { createLogger, enqueueEvent, startConsumer, startOutboxRelay, type EventEnvelope, type MikroORM, type NatsConnection } from '../src/index.ts';
import { closeTestPlatform, connectTestPlatform, outboxOnlyOrmOptions } from '../../../test/support/platform.ts';
import { waitFor } from '../../../test/support/wait.ts';

const log = createLogger('outbox-test', 'silent');
const tag = randomBytes(3).toString('hex');
const stream = `TEST_${tag}`;
const subject = `test${tag}.happened`;

let orm: MikroORM;
let nc: NatsConnection;
const handled: Array<EventEnvelope<{ n: number }>> = [];

beforeAll(async () => {
  ({ orm, nc } = await connectTestPlatform({
    name: 'outbox',
    log,
    orm: outboxOnlyOrmOptions,
    streams: [{ name: stream, subjects: [`test${tag}.>`] }],
  }));
});
afterAll(() => closeTestPlatform({ orm, nc }));

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
      handle: async (tx: EntityManager, event, afterCommit) => {
        await tx.execute('select 1');
        // Counted once its inbox row is committed: the inbox read below then sees it.
        afterCommit(async () => void handled.push(event));
      },
    });

    const committedId = await orm.em.fork().transactional((tx) => enqueueEvent(tx, subject, { n: 1 }));
    await expect(
      orm.em.fork().transactional(async (tx) => {
        await enqueueEvent(tx, subject, { n: 2 });
        throw new Error('state change failed');
      }),
    ).rejects.toThrow('state change failed');

    await waitFor('the committed event handled', () => handled.length >= 1);
    // A duplicate delivery of the same event (new JetStream message, same event id) has no effect.
    const [row] = await orm.em.fork().execute<Array<{ payload: EventEnvelope }>>('select payload from outbox_event where id = ?', [committedId]);
    await jetstream(nc).publish(subject, JSON.stringify(row!.payload), { msgID: randomUUID() });
    // A marker published after it: the consumer takes messages one by one, so once the marker is
    // handled the duplicate has been too (the absence below follows a positive signal, not a sleep).
    const marker = { id: randomUUID(), subject, occurredAt: new Date().toISOString(), data: { n: 0 } };
    await jetstream(nc).publish(subject, JSON.stringify(marker), { msgID: marker.id });
    await waitFor('the marker handled', () => handled.some((e) => e.id === marker.id));

    expect(handled.map((e) => e.data.n)).toEqual([1, 0]);
    expect(handled[0]!.id).toBe(committedId);
    // The relay marks an event published after JetStream's ack, which can land after the consumer
    // has handled it: poll for the mark.
    const published = async () =>
      (await orm.em.fork().execute<Array<{ n: number }>>('select count(*)::int as n from outbox_event where published_at is not null'))[0]!.n;
    await waitFor('the committed event marked published', async () => (await published()) === 1);
    const inbox = await orm.em.fork().execute<Array<{ message_id: string }>>('select message_id from inbox_message');
    expect(inbox.map((r) => r.message_id).sort()).toEqual([committedId, marker.id].sort());

    await consumer.stop();
    await relay.stop();
  });

  it('deletes published rows once their retention has passed, and never unpublished ones', async () => {
    const purgeSubject = `test${tag}.purge`;
    // No relay yet: this row stays unpublished while the purge runs.
    const waiting = await orm.em.fork().transactional((tx) => enqueueEvent(tx, purgeSubject, { n: 3 }));
    const published = await orm.em.fork().transactional((tx) => enqueueEvent(tx, purgeSubject, { n: 4 }));
    await orm.em.fork().execute(`update outbox_event set published_at = now() - interval '2 seconds' where id = ?`, [published]);
    const relay = startOutboxRelay({ em: orm.em, nc, log, idleDelayMs: 20_000, retentionMs: 1000 });
    const rows = async () =>
      (await orm.em.fork().execute<Array<{ id: string }>>('select id from outbox_event where id in (?, ?)', [waiting, published])).map((r) => r.id);
    try {
      await waitFor('the published row purged', async () => !(await rows()).includes(published));
      // The waiting row was published by the relay's first round (or is still waiting), never purged unpublished.
      const [row] = await orm.em
        .fork()
        .execute<Array<{ published_at: Date | null }>>('select published_at from outbox_event where id = ?', [waiting]);
      expect(row).toBeDefined();
    } finally {
      await relay.stop();
    }
  });

  it('lets JetStream drop a second publish of the same event id (relay crash before marking)', async () => {
    const js = jetstream(nc);
    const id = randomUUID();
    const first = await js.publish(subject, '{}', { msgID: id });
    const second = await js.publish(subject, '{}', { msgID: id });
    expect(first.duplicate).toBe(false);
    expect(second.duplicate).toBe(true);
  });

  it('runs onDuplicate, outside the transaction and retried on failure, for an event the inbox already holds', async () => {
    const dupSubject = `test${tag}.dup`;
    const handledIds: string[] = [];
    const duplicates: string[] = [];
    const consumer = await startConsumer<{ n: number }>({
      em: orm.em,
      nc,
      log,
      stream,
      durable: `dup_${tag}`,
      filterSubject: dupSubject,
      handle: async (_tx, event) => void handledIds.push(event.id),
      onDuplicate: async (event) => {
        // Outside the inbox transaction: its row is committed and visible to another connection.
        const seen = await orm.em
          .fork()
          .execute<unknown[]>('select 1 from inbox_message where consumer = ? and message_id = ?', [`dup_${tag}`, event.id]);
        duplicates.push(`${event.id}:${seen.length}`);
        if (duplicates.length === 1) throw new Error('first resume fails');
      },
    });
    try {
      const envelope = { id: randomUUID(), subject: dupSubject, occurredAt: new Date().toISOString(), data: { n: 1 } };
      await jetstream(nc).publish(dupSubject, JSON.stringify(envelope), { msgID: randomUUID() });
      await jetstream(nc).publish(dupSubject, JSON.stringify(envelope), { msgID: randomUUID() });
      await waitFor('both deliveries resumed', () => duplicates.length === 2);
      expect(handledIds).toEqual([envelope.id]);
      expect(duplicates).toEqual([`${envelope.id}:1`, `${envelope.id}:1`]);
    } finally {
      await consumer.stop();
    }
  });

  it('keeps a step longer than the ack wait, and the message queued behind it, from being redelivered', async () => {
    const slowSubject = `test${tag}.slow`;
    const durable = `slow_${tag}`;
    const handledNs: number[] = [];
    let duplicates = 0;
    const consumer = await startConsumer<{ n: number }>({
      em: orm.em,
      nc,
      log,
      stream,
      durable,
      filterSubject: slowSubject,
      ackWaitMs: 1_500,
      handle: async (_tx, event, afterCommit) => {
        handledNs.push(event.data.n);
        afterCommit(() => sleep(3_000)); // twice the ack wait, before the ack
      },
      onDuplicate: async () => void duplicates++,
    });
    try {
      const jsm = await jetstreamManager(nc);
      expect((await jsm.consumers.info(stream, durable)).config.ack_wait).toBe(1_500_000_000);
      for (const n of [1, 2]) {
        const envelope = { id: randomUUID(), subject: slowSubject, occurredAt: new Date().toISOString(), data: { n } };
        await jetstream(nc).publish(slowSubject, JSON.stringify(envelope), { msgID: envelope.id });
      }
      const info = await waitFor(
        'both messages acked',
        async () => {
          const now = await jsm.consumers.info(stream, durable);
          return now.num_pending === 0 && now.num_ack_pending === 0 ? now : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 200 },
      );
      expect(info.delivered.consumer_seq).toBe(2);
      expect(info.num_ack_pending).toBe(0);
      expect(info.num_redelivered).toBe(0);
      expect(handledNs).toEqual([1, 2]);
      expect(duplicates).toBe(0);
    } finally {
      await consumer.stop();
    }
  });
});
