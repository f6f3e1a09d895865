import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EntityManager } from '@mikro-orm/postgresql';
import { jetstream } from '@nats-io/jetstream';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../logger.ts';
import { currentRequestId } from '../request-context.ts';
import { startPeriodic } from '../periodic.ts';
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

/**
 * Transactional outbox: call `enqueueEvent` with the EntityManager of the transaction that
 * changes state, so the event row commits (or rolls back) together with the change.
 */
export async function enqueueEvent<T>(em: EntityManager, subject: string, data: T, id: string = randomUUID()): Promise<string> {
  const envelope: EventEnvelope<T> = { id, subject, occurredAt: new Date().toISOString(), requestId: currentRequestId(), data };
  // The writing request's trace continues where the event is handled (null when nothing is traced).
  await em.execute('insert into outbox_event (id, subject, payload, traceparent) values (?, ?, ?, ?) on conflict (id) do nothing', [
    id,
    subject,
    JSON.stringify(envelope),
    currentTraceparent(),
  ]);
  return id;
}

export interface OutboxRelayOptions {
  em: EntityManager;
  nc: NatsConnection;
  log: Logger;
  batchSize?: number;
  idleDelayMs?: number;
  /**
   * Published rows are deleted after this long (default 1 h): the table stays small, and what an
   * event carried (a payment token on its way to the payment subgraph) does not outlive its use.
   * A late repeat of a deleted event is still dropped by JetStream or the consumers' inboxes.
   */
  retentionMs?: number;
}

/**
 * Publishes committed outbox rows to JetStream with `Nats-Msg-Id` = event id, so a row published
 * twice (crash between publish and mark) is de-duplicated by the stream. Rows are claimed with
 * `FOR UPDATE SKIP LOCKED`, so several relays (processes) can run side by side.
 */
export function startOutboxRelay({ em, nc, log, batchSize = 100, idleDelayMs = 100, retentionMs = 3_600_000 }: OutboxRelayOptions) {
  const js = jetstream(nc);
  let running = true;
  let wake: (() => void) | undefined;
  // A nudge that arrives while a batch is being published must not be lost.
  let nudged = false;

  async function publishBatch(): Promise<number> {
    return em.fork().transactional(async (tx) => {
      const rows = await tx.execute<Array<{ id: string; subject: string; payload: EventEnvelope; traceparent: string | null }>>(
        'select id, subject, payload, traceparent from outbox_event where published_at is null order by seq limit ? for update skip locked',
        [batchSize],
      );
      // All sent at once, in seq order (each publish writes to the connection before it returns),
      // and the acks awaited together: one round trip per batch, not per row. A failed ack rolls
      // the batch back; its republish is de-duplicated by JetStream (same msgID).
      const acks = rows.map((row) => {
        const h = natsHeaders();
        if (row.payload.requestId) h.set('x-request-id', row.payload.requestId);
        return publishSpan(row.subject, row.traceparent, row.id, (traced) => {
          if (traced) injectTraceHeaders(h, traced);
          return js.publish(row.subject, JSON.stringify(row.payload), { msgID: row.id, headers: h });
        });
      });
      await Promise.all(acks);
      if (rows.length > 0) {
        await tx.execute('update outbox_event set published_at = now() where id in (?)', [rows.map((r) => r.id)], 'run');
      }
      return rows.length;
    });
  }

  const done = (async () => {
    let failures = 0;
    while (running) {
      try {
        const published = await publishBatch();
        failures = 0;
        if (published === batchSize) continue;
      } catch (error) {
        failures++;
        log.warn({ err: error, failures }, 'outbox relay: publish failed, will retry');
      }
      if (nudged && !failures) {
        nudged = false;
        continue;
      }
      const delay = failures ? Math.min(idleDelayMs * 2 ** failures, 5000) : idleDelayMs;
      await Promise.race([sleep(delay), new Promise<void>((resolve) => (wake = resolve))]);
      nudged = false;
    }
  })();

  const stopPurge = startPeriodic(
    'outbox purge',
    Math.min(60_000, retentionMs),
    () =>
      em
        .fork()
        .execute(
          `delete from outbox_event where id in (select id from outbox_event where published_at < now() - make_interval(secs => ?) limit 1000)`,
          [retentionMs / 1000],
          'run',
        ),
    log,
  );

  return {
    /** Nudge the relay after a commit so events leave without waiting for the next poll. */
    notify: () => {
      nudged = true;
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
