import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import {
  createLogger,
  enqueueEvent,
  startConsumer,
  startOutboxRelay,
  transaction,
  type EventEnvelope,
  type MikroORM,
  type NatsConnection,
} from '../src/index.ts';
import { closeTestPlatform, connectTestPlatform, outboxOnlyOrmOptions } from '../../../test/support/platform.ts';
import { waitFor } from '../../../test/support/wait.ts';

const log = createLogger('outbox-relay-test', 'silent');
const tag = randomBytes(3).toString('hex');
const stream = `RELAY_${tag}`;
const subjects = [`relay${tag}.>`];

let orm: MikroORM;
let nc: NatsConnection;

beforeAll(async () => {
  ({ orm, nc } = await connectTestPlatform({ name: 'outbox_relay', log, orm: outboxOnlyOrmOptions, streams: [{ name: stream, subjects }] }));
});
afterAll(() => closeTestPlatform({ orm, nc }));

const publishedAt = async (id: string) =>
  (await orm.em.fork().execute<Array<{ published_at: Date | null }>>('select published_at from outbox_event where id = ?', [id]))[0]?.published_at ??
  null;

/** An untyped consumer of one test subject that records what it handled, in order. */
async function record(subject: string, durable: string) {
  const handled: Array<EventEnvelope<{ n: number }>> = [];
  const consumer = await startConsumer<{ n: number }>({
    em: orm.em,
    nc,
    log,
    stream,
    durable,
    filterSubject: subject,
    handle: async (_tx, event) => void handled.push(event),
  });
  return { handled, stop: () => consumer.stop() };
}

describe('outbox relay', () => {
  it('publishes what a unit of work hands over at once, and sweeps rows written outside one only when told or due', async () => {
    const subject = `relay${tag}.fast`;
    // No periodic sweep within the test: only the hand-over (or an explicit notify) can publish.
    const relay = startOutboxRelay({ em: orm.em, nc, log, idleDelayMs: 600_000 });
    const seen = await record(subject, `fast_${tag}`);
    try {
      const first = await transaction(orm.em, ({ em }) => enqueueEvent(em, subject, { n: 1 }), { outbox: relay, log });
      await waitFor('the handed-over event handled', () => seen.handled.length === 1);
      // Written without a unit of work and nobody told: it waits in the table…
      const plain = await orm.em.fork().transactional((tx) => enqueueEvent(tx, subject, { n: 2 }));
      const [a, b] = await transaction(
        orm.em,
        async ({ em }) => [await enqueueEvent(em, subject, { n: 3 }), await enqueueEvent(em, subject, { n: 4 })],
        { outbox: relay, log },
      );
      await waitFor('the second hand-over handled', () => seen.handled.length === 3);
      expect(seen.handled.map((e) => e.id)).toEqual([first, a, b]);
      // Marked together with what else was handed over within a moment.
      await waitFor('the handed-over rows marked published', async () => (await publishedAt(a)) !== null && (await publishedAt(b)) !== null);
      expect(await publishedAt(plain)).toBeNull();
      // …until a bare notify sweeps the table.
      relay.notify();
      await waitFor('the swept event handled', () => seen.handled.length === 4);
      expect(seen.handled[3]!.id).toBe(plain);
      expect(await publishedAt(plain)).not.toBeNull();
    } finally {
      await seen.stop();
      await relay.stop();
    }
  });

  it('after a failed publish, sends every unpublished row from the table in order before handing over again', async () => {
    const subject = `relay${tag}.outage`;
    const relay = startOutboxRelay({ em: orm.em, nc, log, idleDelayMs: 600_000 });
    const seen = await record(subject, `outage_${tag}`);
    const jsm = await jetstreamManager(nc);
    try {
      // The stream is gone: every publish fails, the relay falls back to the table.
      await jsm.streams.delete(stream);
      const ids: string[] = [];
      for (let n = 1; n <= 3; n++) ids.push(await transaction(orm.em, ({ em }) => enqueueEvent(em, subject, { n }), { outbox: relay, log }));
      await jsm.streams.add({ name: stream, subjects });
      const recorded = await record(subject, `outage_after_${tag}`);
      try {
        ids.push(await transaction(orm.em, ({ em }) => enqueueEvent(em, subject, { n: 4 }), { outbox: relay, log }));
        await waitFor('all four handled', () => recorded.handled.length === 4, { timeoutMs: 60_000 });
        expect(recorded.handled.map((e) => e.id)).toEqual(ids);
        await waitFor('every row marked published', async () => (await Promise.all(ids.map(publishedAt))).every((at) => at !== null));
      } finally {
        await recorded.stop();
      }
    } finally {
      await seen.stop();
      await relay.stop();
    }
  });
});
