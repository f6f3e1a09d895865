import pg from 'pg';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { getFreePort, type ManagedProcess } from '@shop/platform/stack';
import type { TestSupergraph } from './stack.ts';

/**
 * Replica tests: which process handled each inbox row and published each outbox row, read from the
 * subgraphs' own databases. Every process connects with its own Postgres application_name
 * (PGAPPNAME, which node-postgres reads), and the test's instrumentation stamps it on the rows.
 */

export const FIRST = 'replica-1';
export const SECOND = 'replica-2';

/** Subgraphs with JetStream consumers or an outbox (all of them). */
export const REPLICATED = ['catalog', 'cart', 'order', 'payment', 'account'] as const;
export type Replicated = (typeof REPLICATED)[number];

/**
 * Each saga consumer: its subgraph, stream, durable name, messages per confirmed order, and which
 * step's messages it also takes when that step went by event: a reservation the catalog did not
 * answer in time (e.g. a catalog process killed while asked: `order.stock.reserve` to the catalog,
 * `inventory.reserved` back to the order), a payment the order asked for by event (no outcome by
 * request, or the reservation itself went by event), a capture answered by event (the payment's
 * answer to such a request, or a reply that came later than the order waits).
 */
export type ByEvent = 'reservation' | 'payment' | 'capture';
export const SAGA_CONSUMERS: ReadonlyArray<{ subgraph: Replicated; stream: string; durable: string; perOrder: number; byEvent?: ByEvent }> = [
  { subgraph: 'order', stream: 'CHECKOUT', durable: 'order-checkouts', perOrder: 1 }, // checkout.requested
  { subgraph: 'catalog', stream: 'ORDER', durable: 'catalog-inventory', perOrder: 1, byEvent: 'reservation' }, // .commit (+ .reserve)
  { subgraph: 'order', stream: 'INVENTORY', durable: 'order-inventory', perOrder: 0, byEvent: 'reservation' }, // inventory.reserved
  { subgraph: 'payment', stream: 'ORDER', durable: 'payment-saga', perOrder: 0, byEvent: 'payment' }, // order.payment.requested
  { subgraph: 'order', stream: 'PAYMENT', durable: 'order-payments', perOrder: 0, byEvent: 'capture' }, // payment.captured
  { subgraph: 'cart', stream: 'ORDER', durable: 'cart-order-status', perOrder: 1 }, // order.status.confirmed
  // order.status.confirmed (pending and awaiting_payment are acked without a transaction: no inbox row)
  { subgraph: 'account', stream: 'ORDER', durable: 'notifications-order', perOrder: 1 },
];

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'replica-test' });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Inbox rows of one consumer and subject since `since` (all processes). */
export const handledOf = (stack: TestSupergraph, subgraph: Replicated, durable: string, subject: string, since: Date): Promise<number> =>
  withClient(
    stack.databaseUrls[subgraph]!,
    async (c) =>
      (
        await c.query<{ n: number }>('select count(*)::int as n from inbox_message where consumer = $1 and subject = $2 and processed_at >= $3', [
          durable,
          subject,
          since,
        ])
      ).rows[0]!.n,
  );

/**
 * Test-only columns on the shared tables: `inbox_message.handled_by` (the inserting connection's
 * application_name) and `outbox_event.published_by` (set by a trigger when a relay marks the row).
 */
export async function recordWhoDidWhat(stack: TestSupergraph): Promise<void> {
  for (const name of REPLICATED) {
    await withClient(stack.databaseUrls[name]!, async (client) => {
      await client.query(`alter table inbox_message add column handled_by text not null default current_setting('application_name')`);
      await client.query('alter table outbox_event add column published_by text');
      await client.query(`create function replica_test_published_by() returns trigger language plpgsql as $$
        begin
          if new.published_at is not null and old.published_at is null then new.published_by := current_setting('application_name'); end if;
          return new;
        end $$`);
      await client.query(
        'create trigger replica_test_published_by before update on outbox_event for each row execute function replica_test_published_by()',
      );
    });
  }
  // A capture asked by request leaves no inbox row: the payment row says which process recorded it.
  await withClient(stack.databaseUrls.payment!, (client) =>
    client.query(`alter table payment add column recorded_by text not null default current_setting('application_name')`),
  );
}

/** The database server's clock (rows are stamped with it). */
export const databaseNow = (stack: TestSupergraph): Promise<Date> =>
  withClient(stack.databaseUrls.order!, async (c) => (await c.query<{ now: Date }>('select now()')).rows[0]!.now);

/** Per process, a count: { 'replica-1': n, 'replica-2': m }. */
export type Split = Record<string, number>;

/**
 * Inbox rows since `since`, by subgraph and durable consumer, split by the process that handled them;
 * and the payment rows recorded since (`payment/payment rows`), by the process that recorded them.
 */
export async function handledSince(stack: TestSupergraph, since: Date): Promise<Record<string, Split>> {
  const handled: Record<string, Split> = {};
  for (const name of REPLICATED) {
    const rows = await withClient(
      stack.databaseUrls[name]!,
      async (c) =>
        (
          await c.query<{ consumer: string; handled_by: string; n: number }>(
            'select consumer, handled_by, count(*)::int as n from inbox_message where processed_at >= $1 group by 1, 2',
            [since],
          )
        ).rows,
    );
    for (const r of rows) (handled[`${name}/${r.consumer}`] ??= {})[r.handled_by] = r.n;
  }
  const payments = await withClient(
    stack.databaseUrls.payment!,
    async (c) =>
      (
        await c.query<{ recorded_by: string; n: number }>('select recorded_by, count(*)::int as n from payment where created_at >= $1 group by 1', [
          since,
        ])
      ).rows,
  );
  for (const r of payments) (handled['payment/payment rows'] ??= {})[r.recorded_by] = r.n;
  return handled;
}

/** Outbox rows written since `since` and published, by subgraph, split by the process whose relay published them. */
export async function publishedSince(stack: TestSupergraph, since: Date): Promise<Record<string, Split>> {
  const published: Record<string, Split> = {};
  for (const name of REPLICATED) {
    const rows = await withClient(
      stack.databaseUrls[name]!,
      async (c) =>
        (
          await c.query<{ published_by: string; n: number }>(
            'select published_by, count(*)::int as n from outbox_event where created_at >= $1 and published_at is not null group by 1',
            [since],
          )
        ).rows,
    );
    published[name] = Object.fromEntries(rows.map((r) => [r.published_by, r.n]));
  }
  return published;
}

/** Outbox rows of one subject written since `since` and published (all processes). */
export const publishedOf = (stack: TestSupergraph, subgraph: Replicated, subject: string, since: Date): Promise<number> =>
  withClient(
    stack.databaseUrls[subgraph]!,
    async (c) =>
      (
        await c.query<{ n: number }>(
          'select count(*)::int as n from outbox_event where subject = $1 and created_at >= $2 and published_at is not null',
          [subject, since],
        )
      ).rows[0]!.n,
  );

export const total = (split: Split | undefined): number => Object.values(split ?? {}).reduce((a, b) => a + b, 0);

/** Orders whose CONFIRMED status was written since `since`. */
export const confirmedSince = (stack: TestSupergraph, since: Date): Promise<number> =>
  withClient(
    stack.databaseUrls.order!,
    async (c) =>
      (await c.query<{ n: number }>(`select count(*)::int as n from order_status_change where status = 'CONFIRMED' and at >= $1`, [since])).rows[0]!
        .n,
  );

/**
 * Transactions the second processes have open right now (Postgres sees every database's backends):
 * a consumer's inbox transaction (its message not acked yet) or a relay's claim on outbox rows.
 */
export const secondAtWork = (stack: TestSupergraph): Promise<string[]> =>
  withClient(stack.databaseUrls.order!, async (c) => {
    const rows = await c.query<{ datname: string; query: string }>(
      "select datname, regexp_replace(left(query, 60), '\\s+', ' ', 'g') as query from pg_stat_activity where application_name = $1 and xact_start is not null",
      [SECOND],
    );
    return rows.rows.map((r) => `${r.datname}: ${r.query}`);
  });

/** Each order's status changes in the order they happened, by order id. */
export const statusHistories = (stack: TestSupergraph, orderIds: string[]): Promise<Record<string, string[]>> =>
  withClient(stack.databaseUrls.order!, async (c) => {
    const rows = await c.query<{ order_id: string; statuses: string[] }>(
      'select order_id::text, array_agg(status order by at, status) as statuses from order_status_change where order_id::text = any($1) group by order_id',
      [orderIds],
    );
    return Object.fromEntries(rows.rows.map((r) => [r.order_id, r.statuses]));
  });

/** Every saga consumer has delivered and had acknowledged all its messages (none pending, none held). */
export async function sagaConsumersDrained(stack: TestSupergraph): Promise<string[]> {
  const nc = await connect({ servers: stack.natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    const busy: string[] = [];
    for (const { stream, durable } of SAGA_CONSUMERS) {
      const info = await jsm.consumers.info(stream, durable);
      if (info.num_pending > 0 || info.num_ack_pending > 0) busy.push(`${durable}: ${info.num_pending} pending, ${info.num_ack_pending} unacked`);
    }
    return busy;
  } finally {
    await nc.close();
  }
}

/**
 * JetStream redeliveries the first processes have seen (shop_event_redeliveries_total, summed over
 * their consumers), by subgraph: after a kill, the messages the killed process held.
 */
export async function redeliveriesSeen(stack: TestSupergraph): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  for (const name of REPLICATED) {
    const text = await (await fetch(`http://127.0.0.1:${stack.ports[name]}/metrics`)).text();
    const values = [...text.matchAll(/^shop_event_redeliveries_total\{[^}]*\} (\S+)$/gm)].map((m) => Number(m[1]));
    seen[name] = values.reduce((a, b) => a + b, 0);
  }
  return seen;
}

/** A second process of each subgraph (own port and application_name), started side by side. */
export async function startSecondReplicas(stack: TestSupergraph): Promise<Record<Replicated, ManagedProcess>> {
  // Ports picked one by one and checked against each other: nothing binds them before all are picked.
  const ports = new Map<Replicated, number>();
  for (const name of REPLICATED) {
    let port: number;
    do port = await getFreePort();
    while ([...ports.values()].includes(port));
    ports.set(name, port);
  }
  const started = await Promise.all(
    REPLICATED.map(async (name) => [
      name,
      await stack.startReplica(name, { port: ports.get(name)!, label: `${name}-2`, env: { PGAPPNAME: SECOND } }),
    ]),
  );
  return Object.fromEntries(started) as Record<Replicated, ManagedProcess>;
}

/** SIGKILL to the process group (no shutdown of its own: held messages and locked rows are left as they are). */
export async function killHard(proc: ManagedProcess): Promise<void> {
  try {
    process.kill(-proc.child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
  await proc.exited;
}
