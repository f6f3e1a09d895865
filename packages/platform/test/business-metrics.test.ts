import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { afterCommitOf, createLogger, registerEventMetrics, transaction, type MikroORM, type NatsConnection } from '../src/index.ts';
import { closeTestPlatform, connectTestPlatform, outboxOnlyOrmOptions } from '../../../test/support/platform.ts';

const log = createLogger('business-metrics-test', 'silent');
let orm: MikroORM;
let nc: NatsConnection;

beforeAll(async () => {
  ({ orm, nc } = await connectTestPlatform({ name: 'business_metrics', log, orm: outboxOnlyOrmOptions }));
});
afterAll(() => closeTestPlatform({ orm, nc }));

async function gauge(registry: Registry, name: string): Promise<number | undefined> {
  return (await registry.getSingleMetric(name)?.get())?.values[0]?.value;
}

describe('outbox lag', () => {
  it("is the age of the oldest unpublished event and the backlog's size, read from Postgres at each scrape", async () => {
    const registry = new Registry();
    registerEventMetrics(registry, orm.em);
    const em = orm.em.fork();
    await em.execute('delete from outbox_event');
    expect(await gauge(registry, 'shop_outbox_oldest_unpublished_seconds')).toBe(0);
    expect(await gauge(registry, 'shop_outbox_unpublished_events')).toBe(0);

    // Two waiting events, the older committed 90 s ago; one published event older still, which does not count.
    const insert = `insert into outbox_event (id, subject, payload, created_at, published_at) values (?, 'test.lag', '{}', now() - make_interval(secs => ?), ?)`;
    await em.execute(insert, [randomUUID(), 300, new Date()]);
    const oldest = randomUUID();
    await em.execute(insert, [oldest, 90, null]);
    await em.execute(insert, [randomUUID(), 5, null]);
    const age = (await gauge(registry, 'shop_outbox_oldest_unpublished_seconds'))!;
    expect(age).toBeGreaterThanOrEqual(90);
    expect(age).toBeLessThan(300);
    expect(await gauge(registry, 'shop_outbox_unpublished_events')).toBe(2);

    await em.execute('update outbox_event set published_at = now() where published_at is null');
    expect(await gauge(registry, 'shop_outbox_oldest_unpublished_seconds')).toBe(0);
    expect(await gauge(registry, 'shop_outbox_unpublished_events')).toBe(0);
  });
});

describe('afterCommitOf', () => {
  it("runs a step registered with only the transaction's EntityManager after the commit, never after a rollback", async () => {
    const seen: string[] = [];
    await transaction(orm.em, async ({ em }) => {
      afterCommitOf(em, () => seen.push('committed'));
      seen.push('inside');
    });
    await expect(
      transaction(orm.em, async ({ em }) => {
        afterCommitOf(em, () => seen.push('rolled back'));
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    // Outside a unit of work there is no commit to wait for: the step is dropped.
    await orm.em.fork().transactional(async (em) => afterCommitOf(em, () => seen.push('plain transaction')));
    expect(seen).toEqual(['inside', 'committed']);
  });
});
