import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EntityManager } from '@mikro-orm/postgresql';
import { jetstream } from '@nats-io/jetstream';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../logger.ts';
import { currentRequestId } from '../request-context.ts';
import { startPeriodic } from '../periodic.ts';
import { purgePublishedOutbox } from './retention.ts';
import { sql } from '../sql.ts';
import { currentTraceparent, injectTraceHeaders, publishSpan } from '../tracing/context.ts';
import type { EventEnvelope } from './streams.ts';

/**
 * One event id per (subject, key): an outcome published again (redelivery, a retried step) gets the
 * same id, so the outbox ignores it, JetStream de-duplicates it and consumers' inboxes skip it.
 * A UUID (version 5 layout) from SHA-256.
 */
export function deterministicEventId(subject: string, key: string): string {
  const h = createHash('sha256').update(`${subject}\u0000${key.toLowerCase()}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A committed outbox row, as the relay publishes it. */
export interface OutboxRow {
  id: string;
  subject: string;
  payload: EventEnvelope;
  traceparent: string | null;
}

/** Rows each transaction wrote, handed to the relay after its commit (unit-of-work.ts). */
const written = new WeakMap<EntityManager, OutboxRow[]>();

/** The rows `em`'s transaction enqueued (and forgets them): what to publish once it committed. */
export function takeWrittenEvents(em: EntityManager): OutboxRow[] {
  const rows = written.get(em) ?? [];
  written.delete(em);
  return rows;
}

/**
 * Transactions whose events wait in memory and are written together, one multi-row insert just
 * before the commit (`flushEvents`, called by the unit of work): one statement per transaction
 * instead of one per event. Their ids are known before the insert (derived or random).
 */
const buffered = new WeakMap<EntityManager, OutboxRow[]>();

/** From now on, `enqueueEvent(em, …)` holds its rows until `flushEvents(em)`. */
export function bufferEvents(em: EntityManager): void {
  buffered.set(em, []);
}

/** Writes what `em`'s transaction buffered (inside it, before its commit); a no-op when nothing is. */
export async function flushEvents(em: EntityManager): Promise<void> {
  const rows = buffered.get(em);
  if (!rows?.length) return;
  buffered.set(em, []);
  await insertRows(em, rows);
}

/**
 * Transactional outbox: call `enqueueEvent` with the EntityManager of the transaction that
 * changes state, so the event row commits (or rolls back) together with the change. In a unit of
 * work the row is written at its commit with the others; elsewhere at once.
 */
export async function enqueueEvent<T>(em: EntityManager, subject: string, data: T, id: string = randomUUID()): Promise<string> {
  const envelope: EventEnvelope<T> = { id, subject, occurredAt: new Date().toISOString(), requestId: currentRequestId(), data };
  // The writing request's trace continues where the event is handled (null when nothing is traced).
  const row: OutboxRow = { id, subject, payload: envelope, traceparent: currentTraceparent() ?? null };
  const pending = buffered.get(em);
  // The same id twice in one transaction: the first is kept, as the row already in the table would be.
  if (pending) {
    if (!pending.some((r) => r.id === id)) pending.push(row);
  } else await insertRows(em, [row]);
  return id;
}

async function insertRows(em: EntityManager, rows: readonly OutboxRow[]): Promise<void> {
  // One text for any number of rows (prepared once); rows go in in emit order, which is `seq` order.
  const { rows: inserted } = await sql<{ id: string }>(
    em,
    `insert into outbox_event (id, subject, payload, traceparent)
     select id, subject, payload, traceparent
       from unnest($1::uuid[], $2::text[], $3::jsonb[], $4::text[]) with ordinality as r(id, subject, payload, traceparent, n)
      order by n
     on conflict (id) do nothing returning id`,
    [rows.map((r) => r.id), rows.map((r) => r.subject), rows.map((r) => JSON.stringify(r.payload)), rows.map((r) => r.traceparent)],
  );
  // An id already in the table was enqueued (and maybe published) before: nothing new to send.
  const fresh = new Set(inserted.map((r) => r.id));
  const news = rows.filter((r) => fresh.has(r.id));
  if (news.length) written.set(em, [...(written.get(em) ?? []), ...news]);
}

/** How long rows published from memory wait to be marked with others (well under the sweep's age). */
const MARK_DELAY_MS = 100;

export interface OutboxRelayOptions {
  em: EntityManager;
  nc: NatsConnection;
  log: Logger;
  batchSize?: number;
  /**
   * How often the table is swept for rows no process published (default 1 s): a process that died
   * between its commit and its publish, a publish that failed. Committed rows handed over by
   * `notify(rows)` leave at once; a bare `notify()` sweeps at once.
   */
  idleDelayMs?: number;
  /** A sweep leaves rows younger than this to the process that wrote them (default 1 s). */
  sweepAgeMs?: number;
  /**
   * Published rows are deleted after this long (default 1 h): the table stays small, and what an
   * event carried (a payment token on its way to the payment subgraph) does not outlive its use.
   * A late repeat of a deleted event is still dropped by JetStream or the consumers' inboxes.
   */
  retentionMs?: number;
}

/**
 * Publishes committed outbox rows to JetStream with `Nats-Msg-Id` = event id, so a row published
 * twice (crash between publish and mark, two relays on one row) is de-duplicated by the stream.
 *
 * The fast path: a unit of work hands its committed rows over (`notify(rows)`); they are published
 * in commit order straight from memory, and what several commits handed over within
 * `MARK_DELAY_MS` is marked with one update — no claim transaction, no polling. The table is the
 * safety net: swept with `FOR UPDATE SKIP LOCKED` (several processes side by side) at start, every
 * `idleDelayMs` for rows older than `sweepAgeMs`, and after any failure, when every unpublished row
 * goes out from the table in `seq` order before the fast path resumes, so one key's events never
 * overtake each other.
 */
export function startOutboxRelay({
  em,
  nc,
  log,
  batchSize = 100,
  idleDelayMs = 1000,
  sweepAgeMs = 1000,
  retentionMs = 3_600_000,
}: OutboxRelayOptions) {
  const js = jetstream(nc);
  let running = true;
  let wake: (() => void) | undefined;
  /** Committed rows handed over, in commit order. */
  const queue: OutboxRow[] = [];
  /** Unpublished rows may be in the table that the queue does not hold: sweep them all first. */
  let backlog = true;
  /** `notify()` without rows: someone committed rows outside a unit of work. */
  let sweepNow = false;
  let lastSweep = 0;
  /** Published from memory, not yet marked: marked together, at most `MARK_DELAY_MS` later. */
  let unmarked: string[] = [];
  let unmarkedSince = 0;

  // All sent at once, in order (each publish writes to the connection before it returns), and the
  // acks awaited together: one round trip per batch, not per row.
  function publish(rows: OutboxRow[]): Promise<unknown> {
    return Promise.all(
      rows.map((row) => {
        const h = natsHeaders();
        if (row.payload.requestId) h.set('x-request-id', row.payload.requestId);
        return publishSpan(row.subject, row.traceparent, row.id, (traced) => {
          if (traced) injectTraceHeaders(h, traced);
          return js.publish(row.subject, JSON.stringify(row.payload), { msgID: row.id, headers: h });
        });
      }),
    );
  }

  async function publishQueued(): Promise<void> {
    const rows = queue.splice(0, batchSize);
    await publish(rows);
    if (!unmarked.length) unmarkedSince = Date.now();
    unmarked.push(...rows.map((r) => r.id));
  }

  /**
   * One update for what several commits handed over. Unmarked rows are younger than the sweep's
   * age, so no sweep sends them again meanwhile; after a crash a sweep does (JetStream drops it).
   */
  async function markPublished(): Promise<void> {
    const ids = unmarked;
    unmarked = [];
    await sql(em.fork(), 'update outbox_event set published_at = now() where id = any($1::uuid[]) and published_at is null', [ids]);
  }

  /** Claims and publishes a batch from the table; `all` includes rows written moments ago. */
  async function sweep(all: boolean): Promise<number> {
    return em.fork().transactional(async (tx) => {
      const rows = await tx.execute<OutboxRow[]>(
        `select id, subject, payload, traceparent from outbox_event where published_at is null ${all ? '' : 'and created_at < now() - make_interval(secs => ?)'} order by seq limit ? for update skip locked`,
        all ? [batchSize] : [sweepAgeMs / 1000, batchSize],
      );
      // A failed ack rolls the batch back; its republish is de-duplicated by JetStream (same msgID).
      await publish(rows);
      if (rows.length > 0) await tx.execute('update outbox_event set published_at = now() where id in (?)', [rows.map((r) => r.id)], 'run');
      return rows.length;
    });
  }

  async function step(): Promise<'more' | 'idle'> {
    if (backlog || sweepNow) {
      sweepNow = false;
      // Rows handed over before this sweep committed before it reads: the sweep sends them in order.
      if (backlog) queue.length = 0;
      lastSweep = Date.now();
      if ((await sweep(true)) === batchSize) return 'more';
      backlog = false;
      return queue.length ? 'more' : 'idle';
    }
    if (queue.length) {
      await publishQueued();
      return 'more';
    }
    if (unmarked.length && (Date.now() - unmarkedSince >= MARK_DELAY_MS || unmarked.length >= batchSize)) {
      await markPublished();
      return 'more';
    }
    if (Date.now() - lastSweep >= idleDelayMs) {
      lastSweep = Date.now();
      if ((await sweep(false)) === batchSize) return 'more';
    }
    return 'idle';
  }

  const done = (async () => {
    let failures = 0;
    while (running) {
      try {
        if ((await step()) === 'more') {
          failures = 0;
          continue;
        }
        failures = 0;
      } catch (error) {
        failures++;
        // What was handed over is in the table: send it from there, in order, once NATS and Postgres answer.
        backlog = true;
        log.warn({ err: error, failures }, 'outbox relay: publish failed, will retry');
      }
      if (!failures && (queue.length || sweepNow)) continue;
      const untilSweep = idleDelayMs - (Date.now() - lastSweep);
      const untilMark = unmarked.length ? MARK_DELAY_MS - (Date.now() - unmarkedSince) : Infinity;
      // Retried at least every second during an outage: the first try after it ends sends the backlog.
      const delay = failures ? Math.min(100 * 2 ** failures, 1000) : Math.max(0, Math.min(untilSweep, untilMark));
      await Promise.race([sleep(delay), new Promise<void>((resolve) => (wake = resolve))]);
      wake = undefined;
    }
    // Stopping: what was sent is marked now (else the next start's sweep sends it again).
    if (unmarked.length) await markPublished().catch((error: unknown) => log.warn({ err: error }, 'outbox relay: marks not written'));
  })();

  const stopPurge = startPeriodic('outbox purge', Math.min(60_000, retentionMs), () => purgePublishedOutbox(em, retentionMs), log);

  return {
    /**
     * After a commit: `rows` (what the transaction wrote) leave at once; without rows, the table is
     * swept at once (rows committed outside a unit of work).
     */
    notify: (rows?: readonly OutboxRow[]) => {
      if (rows) queue.push(...rows);
      else sweepNow = true;
      wake?.();
    },
    stop: async () => {
      running = false;
      wake?.();
      await Promise.all([done, stopPurge()]);
    },
  };
}

export type OutboxRelay = ReturnType<typeof startOutboxRelay>;
