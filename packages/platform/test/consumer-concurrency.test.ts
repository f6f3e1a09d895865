import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import { createLogger, startConsumer, type EventEnvelope, type MikroORM, type NatsConnection } from '../src/index.ts';
import { closeTestPlatform, connectTestPlatform, outboxOnlyOrmOptions } from '../../../test/support/platform.ts';
import { waitFor } from '../../../test/support/wait.ts';

const log = createLogger('consumer-concurrency-test', 'silent');
const tag = randomBytes(3).toString('hex');
const stream = `TESTCC_${tag}`;

let orm: MikroORM;
let nc: NatsConnection;

beforeAll(async () => {
  ({ orm, nc } = await connectTestPlatform({
    name: 'consumer-concurrency',
    log,
    orm: outboxOnlyOrmOptions,
    streams: [{ name: stream, subjects: [`cc${tag}.>`] }],
  }));
});
afterAll(() => closeTestPlatform({ orm, nc }));

interface Step {
  key: string;
  n: number;
}

async function publish(subject: string, data: Step, id: string = randomUUID()) {
  const envelope: EventEnvelope<Step> = { id, subject, occurredAt: new Date().toISOString(), data };
  await jetstream(nc).publish(subject, JSON.stringify(envelope), { msgID: randomUUID() });
  return id;
}

/** A promise the test opens when it chooses. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('a consumer handling several messages at once', () => {
  it('runs one key’s messages one at a time in stream order, and other keys’ meanwhile', async () => {
    const subject = `cc${tag}.order`;
    const handled: Step[] = [];
    const running = new Map<string, number>();
    let mostOfOneKey = 0;
    const bStarted = gate();
    const consumer = await startConsumer<Step>({
      em: orm.em,
      nc,
      log,
      stream,
      durable: `order_${tag}`,
      filterSubject: subject,
      concurrency: 4,
      orderingKey: (event) => event.data.key,
      handle: async (tx, { data }) => {
        running.set(data.key, (running.get(data.key) ?? 0) + 1);
        mostOfOneKey = Math.max(mostOfOneKey, running.get(data.key)!);
        await tx.execute('select 1');
        if (data.key === 'b') bStarted.open();
        // a's first message stays in its transaction until b's has started: only possible side by side.
        if (data.key === 'a' && data.n === 1) await bStarted.opened;
        handled.push(data);
        running.set(data.key, running.get(data.key)! - 1);
      },
    });
    try {
      for (const n of [1, 2, 3]) await publish(subject, { key: 'a', n });
      for (const n of [1, 2, 3]) await publish(subject, { key: 'b', n });
      await waitFor('all six handled', () => handled.length === 6);
      expect(handled.filter((s) => s.key === 'a').map((s) => s.n)).toEqual([1, 2, 3]);
      expect(handled.filter((s) => s.key === 'b').map((s) => s.n)).toEqual([1, 2, 3]);
      // b's first was handled before a's first finished: a's did not hold b's back.
      expect(handled.findIndex((s) => s.key === 'b')).toBeLessThan(handled.findIndex((s) => s.key === 'a'));
      expect(mostOfOneKey).toBe(1);
    } finally {
      await consumer.stop();
    }
  });

  it('holds back only its own key while one message is stuck and then fails; the failed one is redelivered and handled once', async () => {
    const subject = `cc${tag}.fail`;
    const handled: string[] = [];
    let attempts = 0;
    const othersDone = gate();
    const consumer = await startConsumer<Step>({
      em: orm.em,
      nc,
      log,
      stream,
      durable: `fail_${tag}`,
      filterSubject: subject,
      concurrency: 4,
      orderingKey: (event) => event.data.key,
      handle: async (tx, { data }, afterCommit) => {
        await tx.execute('select 1');
        if (data.key === 'stuck' && attempts++ === 0) {
          // Stuck until every other key's messages are through, then it fails (rolled back, nak'ed).
          await othersDone.opened;
          throw new Error('first attempt fails');
        }
        // Counted once its inbox row is committed: what the test reads below is then in the table.
        afterCommit(async () => {
          handled.push(`${data.key}${data.n}`);
          if (['x1', 'x2', 'y1', 'y2'].every((name) => handled.includes(name))) othersDone.open();
        });
      },
    });
    try {
      await publish(subject, { key: 'stuck', n: 1 });
      for (const n of [1, 2]) {
        await publish(subject, { key: 'x', n });
        await publish(subject, { key: 'y', n });
      }
      await waitFor('the stuck message redelivered and handled', () => handled.includes('stuck1'), { timeoutMs: 20_000 });
      expect(handled.slice(0, 4).sort()).toEqual(['x1', 'x2', 'y1', 'y2']);
      expect(handled.filter((name) => name === 'stuck1')).toHaveLength(1);
      expect(attempts).toBe(2);
      const inbox = await orm.em
        .fork()
        .execute<Array<{ n: number }>>('select count(*)::int as n from inbox_message where consumer = ?', [`fail_${tag}`]);
      expect(inbox[0]!.n).toBe(5);
    } finally {
      await consumer.stop();
    }
  });

  it('still has no second effect for a redelivered event among others handled at once', async () => {
    const subject = `cc${tag}.dup`;
    const handled: string[] = [];
    const duplicates: string[] = [];
    const consumer = await startConsumer<Step>({
      em: orm.em,
      nc,
      log,
      stream,
      durable: `dup_${tag}`,
      filterSubject: subject,
      concurrency: 8,
      orderingKey: (event) => event.data.key,
      handle: async (tx, event) => {
        await tx.execute('select 1');
        handled.push(event.id);
      },
      onDuplicate: async (event) => void duplicates.push(event.id),
    });
    try {
      const repeated = randomUUID();
      const others: string[] = [];
      // The same event (same id, new JetStream message each time) three times, between other keys' events.
      for (let i = 0; i < 3; i++) {
        await publish(subject, { key: 'k', n: 1 }, repeated);
        for (let j = 0; j < 3; j++) others.push(await publish(subject, { key: `other${i}${j}`, n: 1 }));
      }
      await waitFor('every delivery settled', () => handled.length + duplicates.length === 12);
      expect(handled.filter((id) => id === repeated)).toHaveLength(1);
      expect(duplicates).toEqual([repeated, repeated]);
      expect(handled.filter((id) => id !== repeated).sort()).toEqual(others.sort());
    } finally {
      await consumer.stop();
    }
  });
});
