import type { EntityManager } from '@mikro-orm/postgresql';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../logger.ts';
import { requestIdFrom, withRequestId } from '../request-context.ts';
import type { EventEnvelope } from './streams.ts';

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
  maxDeliver?: number;
}

/**
 * Durable JetStream consumer with explicit ack and an inbox table: the handler's changes and the
 * inbox row commit together, so a redelivered message (same event id) has no second effect.
 * Failures are nak'ed with backoff; after `maxDeliver` attempts the message is terminated and logged.
 */
export async function startConsumer<T>(options: ConsumerOptions<T>) {
  const { em, nc, log, stream, durable, filterSubject, handle, maxDeliver = 10 } = options;
  const jsm = await jetstreamManager(nc);
  const config = {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: filterSubject,
    ack_wait: 30_000_000_000, // ns
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

  async function process(msg: JsMsg): Promise<void> {
    const event = msg.json<EventEnvelope<T>>();
    const committedWork: Array<() => Promise<unknown>> = [];
    await em.fork().transactional(async (tx) => {
      const inserted = await tx.execute<{ affectedRows: number }>(
        'insert into inbox_message (consumer, message_id, subject) values (?, ?, ?) on conflict do nothing',
        [durable, event.id, msg.subject],
        'run',
      );
      if (inserted.affectedRows === 0) {
        log.debug({ eventId: event.id, subject: msg.subject }, 'duplicate event ignored');
        return;
      }
      await handle(tx, event, (work) => void committedWork.push(work));
    });
    for (const work of committedWork) {
      // Already committed: a failure here must not redeliver the event (its effect would repeat).
      await work().catch((error: unknown) => log.warn({ err: error, subject: msg.subject }, 'after-commit work failed'));
    }
  }

  const done = (async () => {
    for await (const msg of messages) {
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
        }
      });
    }
  })();

  return {
    stop: async () => {
      await messages.close();
      await done;
    },
  };
}

export type EventConsumer = Awaited<ReturnType<typeof startConsumer>>;
