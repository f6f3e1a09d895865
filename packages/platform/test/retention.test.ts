import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLogger,
  INBOX_RETENTION_MS,
  purgeInbox,
  purgePublishedOutbox,
  STREAM_MAX_AGE_MS,
  type MikroORM,
  type NatsConnection,
} from '../src/index.ts';
import { closeTestPlatform, connectTestPlatform, outboxOnlyOrmOptions } from '../../../test/support/platform.ts';

const log = createLogger('retention-test', 'silent');
const tag = randomBytes(3).toString('hex');
let orm: MikroORM;
let nc: NatsConnection;

beforeAll(async () => {
  ({ orm, nc } = await connectTestPlatform({ name: 'retention', log, orm: outboxOnlyOrmOptions, streams: [] }));
});
afterAll(() => closeTestPlatform({ orm, nc }));

const count = async (sql: string) => (await orm.em.fork().execute<Array<{ n: number }>>(sql))[0]!.n;

describe('outbox and inbox retention', () => {
  it('deletes every published outbox row past its retention in one run, however many batches that takes, and nothing else', async () => {
    const insert = (n: number, published: string, subject: string) =>
      orm.em.fork().execute(
        `insert into outbox_event (id, subject, payload, created_at, published_at)
         select gen_random_uuid(), '${subject}', '{}'::jsonb, now() - interval '3 hours', ${published} from generate_series(1, ${n})`,
      );
    await insert(2500, `now() - interval '2 hours'`, `old.${tag}`); // two and a half batches
    await insert(3, `now() - interval '10 minutes'`, `recent.${tag}`);
    await insert(2, 'null', `unpublished.${tag}`);

    expect(await purgePublishedOutbox(orm.em, 3_600_000)).toBe(2500);
    expect(await count(`select count(*)::int as n from outbox_event where subject = 'old.${tag}'`)).toBe(0);
    expect(await count(`select count(*)::int as n from outbox_event where subject in ('recent.${tag}', 'unpublished.${tag}')`)).toBe(5);
  });

  it('keeps an inbox row until no stream can deliver its message again, then deletes it', async () => {
    expect(INBOX_RETENTION_MS).toBeGreaterThan(STREAM_MAX_AGE_MS);
    const insert = (n: number, age: string, consumer: string) =>
      orm.em.fork().execute(
        `insert into inbox_message (consumer, message_id, subject, processed_at)
         select '${consumer}', gen_random_uuid()::text, 'test', now() - interval '${age}' from generate_series(1, ${n})`,
      );
    const streamDays = STREAM_MAX_AGE_MS / 86_400_000;
    await insert(1200, `${streamDays + 2} days`, `expired-${tag}`);
    await insert(4, `${streamDays} days`, `replayable-${tag}`); // the stream may still hold these messages
    await insert(4, '1 minute', `fresh-${tag}`);

    expect(await purgeInbox(orm.em)).toBe(1200);
    const kept = await orm.em
      .fork()
      .execute<Array<{ consumer: string; n: number }>>('select consumer, count(*)::int as n from inbox_message group by consumer order by consumer');
    expect(kept).toEqual([
      { consumer: `fresh-${tag}`, n: 4 },
      { consumer: `replayable-${tag}`, n: 4 },
    ]);
  });
});
