import type { EntityManager } from '@mikro-orm/postgresql';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../logger.ts';
import { requestIdFrom, withRequestId } from '../request-context.ts';
import type { EventEnvelope } from './streams.ts';

/** Short, so a message held by a consumer that died is redelivered within seconds. */
export const DEFAULT_ACK_WAIT_MS = 5_000;

export interface ConsumerOptions<T> {
  em: EntityManager;
  nc: NatsConnection;
  log: Logger;
  stream: string;
  /** Durable consumer name; also the inbox's key, so each consumer processes a message once. */
  durable: string;
  /** One subject or wildcard (NATS 2.9 supports a single filter per consumer). */
  filterSubject: string;
  /** Runs inside the same transaction that records the message in the inbox. */
  /** `afterCommit` registers work for after the transaction committed (cache refresh, notifications). */
  handle: (tx: EntityManager, event: EventEnvelope<T>, afterCommit: (work: () => Promise<unknown>) => void) => Promise<void>;
  /**
   * Runs, outside any transaction, for a message the inbox already holds: a redelivery whose first
   * delivery may have died after its commit, before its after-commit work finished. A failure is
   * retried like a handler failure. Default: the duplicate is only acknowledged.
   */
  onDuplicate?: (event: EventEnvelope<T>) => Promise<void>;
  /**
   * How long JetStream waits for an ack before redelivering (default 5 s): the delay after a
   * consumer died mid-message. Messages this process holds are kept alive with `working()` while
   * they wait or run, so a long step is never redelivered under its own feet.
   */
  ackWaitMs?: number;
  maxDeliver?: number;
}

/**
 * Durable JetStream consumer with explicit ack and an inbox table: the handler's changes and the
 * inbox row commit together, so a redelivered message (same event id) has no second effect.
 * Messages are processed one at a time in arrival order and acknowledged after their after-commit
 * work. Failures are nak'ed with backoff; after `maxDeliver` attempts the message is terminated and logged.
 */
export async function startConsumer<T>(options: ConsumerOptions<T>) {
  const { em, nc, log, stream, durable, filterSubject, handle, onDuplicate, ackWaitMs = DEFAULT_ACK_WAIT_MS, maxDeliver = 10 } = options;
  const jsm = await jetstreamManager(nc);
  const config = {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: filterSubject,
    ack_wait: ackWaitMs * 1_000_000, // ns
    max_deliver: maxDeliver,
  };
  try {
    await jsm.consumers.info(stream, durable);
    await jsm.consumers.update(stream, durable, config);
  } catch (error) {
    if (!/not found/i.test((error as Error).message)) throw error;
    await jsm.consumers.add(stream, config);
  }
  const consumer = await jetstream(nc).consumers.get(stream, durable);
  const messages = await consumer.consume({ max_messages: 64 });

  // Every message received and not yet acked/nak'ed, the one running and the ones queued behind it:
  // their ack timers run from delivery, so all of them get a progress heartbeat well inside the ack wait.
  const held = new Set<JsMsg>();
  const heartbeat = setInterval(() => {
    for (const msg of held) {
      try {
        msg.working();
      } catch (error) {
        // Connection closing: the message is redelivered after the ack wait, which the inbox absorbs.
        log.debug({ err: error, subject: msg.subject }, 'progress heartbeat not sent');
      }
    }
  }, Math.max(100, Math.floor(ackWaitMs / 3)));
  heartbeat.unref();

  async function process(msg: JsMsg): Promise<void> {
    const event = msg.json<EventEnvelope<T>>();
    const committedWork: Array<() => Promise<unknown>> = [];
    let duplicate = false;
    await em.fork().transactional(async (tx) => {
      const inserted = await tx.execute<{ affectedRows: number }>(
        'insert into inbox_message (consumer, message_id, subject) values (?, ?, ?) on conflict do nothing',
        [durable, event.id, msg.subject],
        'run',
      );
      if (inserted.affectedRows === 0) {
        duplicate = true;
        return;
      }
      await handle(tx, event, (work) => void committedWork.push(work));
    });
    if (duplicate) {
      log.debug({ eventId: event.id, subject: msg.subject }, 'duplicate event');
      await onDuplicate?.(event);
      return;
    }
    for (const work of committedWork) {
      // Already committed: a failure here must not redeliver the event (its effect would repeat).
      await work().catch((error: unknown) => log.warn({ err: error, subject: msg.subject }, 'after-commit work failed'));
    }
  }

  async function settle(msg: JsMsg): Promise<void> {
    const requestId = requestIdFrom(msg.headers?.get('x-request-id'));
    await withRequestId(requestId, async () => {
      try {
        await process(msg);
        msg.ack();
      } catch (error) {
        const attempt = msg.info.deliveryCount;
        if (attempt >= maxDeliver) {
          log.error({ err: error, subject: msg.subject, attempt }, 'event failed permanently; terminated');
          msg.term('handler failed');
        } else {
          log.warn({ err: error, subject: msg.subject, attempt }, 'event handler failed; will be redelivered');
          msg.nak(Math.min(250 * 2 ** attempt, 10_000));
        }
      } finally {
        held.delete(msg);
      }
    });
  }

  // The reader takes messages as they arrive (so they are heartbeated); `processed` runs them one by one.
  let stopping = false;
  let processed: Promise<void> = Promise.resolve();
  const done = (async () => {
    for await (const msg of messages) {
      held.add(msg);
      processed = processed.then(() => (stopping ? undefined : settle(msg)));
    }
  })();

  return {
    stop: async () => {
      stopping = true;
      await messages.close();
      await done;
      await processed;
      // Received but never started: back to JetStream now rather than after the ack wait.
      for (const msg of held) msg.nak();
      held.clear();
      clearInterval(heartbeat);
    },
  };
}

export type EventConsumer = Awaited<ReturnType<typeof startConsumer>>;
