import type { EntityManager } from '@mikro-orm/postgresql';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../logger.ts';
import { countDelivery } from '../business-metrics.ts';
import { requestIdFrom, withRequestId } from '../request-context.ts';
import { consumeSpan } from '../tracing/context.ts';
import { isSubject, orderingKeyOf, parseEvent, type Payload, type Subject } from './catalog.ts';
import { keyedLanes } from './keyed-lanes.ts';
import { sql } from '../sql.ts';
import type { EventEnvelope } from './streams.ts';
import { transaction, type UnitOfWork } from './unit-of-work.ts';

/** Short, so a message held by a consumer that died is redelivered within seconds. */
export const DEFAULT_ACK_WAIT_MS = 5_000;
/**
 * Messages a consumer handles at once (of different ordering keys). Each holds a database connection
 * for its transaction; the pool (10) queues the rest, so this is about overlapping round trips.
 */
export const DEFAULT_CONSUMER_CONCURRENCY = 8;

interface BaseConsumerOptions {
  em: EntityManager;
  nc: NatsConnection;
  log: Logger;
  stream: string;
  /** Durable consumer name; also the inbox's key, so each consumer processes a message once. */
  durable: string;
  /** One subject or wildcard (NATS 2.9 supports a single filter per consumer). */
  filterSubject: string;
  /** Woken after a handler's transaction that emitted events. */
  outbox?: { notify(): void };
  /**
   * How long JetStream waits for an ack before redelivering (default 5 s): the delay after a
   * consumer died mid-message. Messages this process holds are kept alive with `working()` while
   * they wait or run, so a long step is never redelivered under its own feet.
   */
  ackWaitMs?: number;
  maxDeliver?: number;
  /** Messages handled at once, never two of one ordering key (default DEFAULT_CONSUMER_CONCURRENCY). */
  concurrency?: number;
}

/** An event of one of the subjects `S`, its data checked against the catalog's schema. */
export type CatalogEnvelope<S extends Subject> = S extends Subject ? EventEnvelope<Payload<S>> & { subject: S } : never;

/**
 * Typed consumer: one handler per catalog subject it takes. Each handler runs inside the unit of
 * work that records the message in the inbox (`emit`, `afterCommit` included). A message whose
 * subject the catalog does not know or whose payload fails its schema is terminated and logged
 * once; a catalog subject without a handler here is acknowledged and skipped (not this consumer's).
 */
export interface CatalogConsumerOptions<S extends Subject> extends BaseConsumerOptions {
  handlers: { [K in S]: (event: CatalogEnvelope<K>, uow: UnitOfWork) => Promise<void> };
  /** Other catalog subjects the filter lets through that this consumer does not act on. */
  ignore?: readonly Subject[];
  /**
   * Runs, outside any transaction, for a message the inbox already holds: a redelivery whose first
   * delivery may have died after its commit, before its after-commit work finished. A failure is
   * retried like a handler failure. Default: the duplicate is only acknowledged.
   */
  onDuplicate?: (event: CatalogEnvelope<S>) => Promise<void>;
  /**
   * A read-only check, in the message's turn but before (and outside) its transaction: true when
   * handling it would change nothing now, so it is acknowledged with no transaction and no inbox
   * row. Only for handlers that bring state to what the event says (a redelivery checks again).
   */
  changesNothing?: (event: CatalogEnvelope<S>) => Promise<boolean>;
}

/** Untyped consumer (tests' observers): any payload, no validation. */
export interface ConsumerOptions<T> extends BaseConsumerOptions {
  /** Runs inside the same transaction that records the message in the inbox; `afterCommit` registers work for after the transaction committed (cache refresh, notifications). */
  handle: (tx: EntityManager, event: EventEnvelope<T>, afterCommit: (work: () => Promise<unknown>) => void) => Promise<void>;
  onDuplicate?: (event: EventEnvelope<T>) => Promise<void>;
  /** What must stay in order (see the catalog's `orderingKey`). Default: one key, so messages are handled one by one. */
  orderingKey?: (event: EventEnvelope<T>) => string;
}

export interface EventConsumer {
  stop(): Promise<void>;
}

type Decoded =
  | {
      event: EventEnvelope;
      key: string;
      handle: (event: EventEnvelope, uow: UnitOfWork) => Promise<void>;
      changesNothing?: (event: EventEnvelope) => Promise<boolean>;
    }
  | { skip: true }
  | { invalid: unknown; eventId?: unknown }
  /** The decoder threw (an untyped consumer's JSON or key): handled like a handler failure. */
  | { error: unknown };

/**
 * Durable JetStream consumer with explicit ack and an inbox table: the handler's changes and the
 * inbox row commit together, so a redelivered message (same event id) has no second effect.
 * Messages of one ordering key (the catalog's: an order, a cart, a customer) are processed one at a
 * time in arrival order, up to `concurrency` keys side by side; each is acknowledged after its
 * after-commit work. Failures are nak'ed with backoff (the key's next message goes ahead, as it
 * always did); after `maxDeliver` attempts the message is terminated and logged.
 */
export function startConsumer<S extends Subject>(options: CatalogConsumerOptions<S>): Promise<EventConsumer>;
export function startConsumer<T>(options: ConsumerOptions<T>): Promise<EventConsumer>;
export function startConsumer(options: CatalogConsumerOptions<Subject> | ConsumerOptions<unknown>): Promise<EventConsumer> {
  if ('handle' in options) {
    const { handle, orderingKey = () => '' } = options;
    return run(options, options.onDuplicate as ((event: EventEnvelope) => Promise<void>) | undefined, (msg) => {
      const event = msg.json<EventEnvelope>();
      return { event, key: orderingKey(event), handle: (e, uow) => handle(uow.em, e, uow.afterCommit) };
    });
  }
  const { handlers, ignore = [] } = options;
  const changesNothing = options.changesNothing as ((event: EventEnvelope) => Promise<boolean>) | undefined;
  const byType = handlers as Partial<Record<Subject, (event: EventEnvelope, uow: UnitOfWork) => Promise<void>>>;
  return run(options, options.onDuplicate as ((event: EventEnvelope) => Promise<void>) | undefined, (msg): Decoded => {
    let event: EventEnvelope;
    try {
      event = msg.json<EventEnvelope>();
    } catch (error) {
      return { invalid: `not JSON: ${(error as Error).message}` };
    }
    const eventId = event?.id;
    if (!isSubject(msg.subject)) return { invalid: 'unknown subject', eventId };
    const handle = byType[msg.subject];
    if (!handle) return ignore.includes(msg.subject) ? { skip: true } : { invalid: 'no handler for this subject', eventId };
    const parsed = parseEvent(msg.subject, event?.data);
    if (!parsed.ok) return { invalid: parsed.issues, eventId };
    return { event: { ...event, subject: msg.subject, data: parsed.data }, key: orderingKeyOf(msg.subject, parsed.data), handle, changesNothing };
  });
}

async function run(
  options: BaseConsumerOptions,
  onDuplicate: ((event: EventEnvelope) => Promise<void>) | undefined,
  decode: (msg: JsMsg) => Decoded,
): Promise<EventConsumer> {
  const { em, nc, log, stream, durable, filterSubject, outbox, ackWaitMs = DEFAULT_ACK_WAIT_MS, maxDeliver = 10 } = options;
  const lanes = keyedLanes(options.concurrency ?? DEFAULT_CONSUMER_CONCURRENCY);
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
  const heartbeat = setInterval(
    () => {
      for (const msg of held) {
        try {
          msg.working();
        } catch (error) {
          // Connection closing: the message is redelivered after the ack wait, which the inbox absorbs.
          log.debug({ err: error, subject: msg.subject }, 'progress heartbeat not sent');
        }
      }
    },
    Math.max(100, Math.floor(ackWaitMs / 3)),
  );
  heartbeat.unref();

  /** Handled (or a duplicate) → ack; skipped → ack; invalid → terminated, logged once: it would fail every time. */
  async function process(msg: JsMsg, decoded: Decoded): Promise<'ack' | 'term'> {
    if ('skip' in decoded) return 'ack';
    if ('error' in decoded) throw decoded.error;
    if ('invalid' in decoded) {
      log.error({ subject: msg.subject, eventId: decoded.eventId, problem: decoded.invalid }, 'invalid event terminated');
      return 'term';
    }
    const { event, handle } = decoded;
    if (await decoded.changesNothing?.(event)) return 'ack';
    const duplicate = await transaction(
      em,
      async (uow) => {
        const inserted = await sql(uow.em, 'insert into inbox_message (consumer, message_id, subject) values ($1, $2, $3) on conflict do nothing', [
          durable,
          event.id,
          msg.subject,
        ]);
        if (inserted.affected === 0) return true;
        await handle(event, uow);
        return false;
      },
      // Already committed: a failing after-commit step must not redeliver the event (its effect would repeat).
      { log, outbox, logContext: { subject: msg.subject } },
    );
    if (duplicate) {
      log.debug({ eventId: event.id, subject: msg.subject }, 'duplicate event');
      await onDuplicate?.(event);
    }
    return 'ack';
  }

  async function settle(msg: JsMsg, decoded: Decoded): Promise<void> {
    const requestId = requestIdFrom(msg.headers?.get('x-request-id'));
    await withRequestId(requestId, async () => {
      try {
        // `term()` without a reason: NATS 2.9 ignores `+TERM <reason>` and would redeliver the message.
        // Handled in a consumer span, child of the publishing span in the headers (tracing/context.ts).
        if ((await consumeSpan(msg.subject, durable, msg.headers, () => process(msg, decoded))) === 'term') msg.term();
        else msg.ack();
      } catch (error) {
        const attempt = msg.info.deliveryCount;
        if (attempt >= maxDeliver) {
          log.error({ err: error, subject: msg.subject, attempt }, 'event failed permanently; terminated');
          msg.term();
        } else {
          log.warn({ err: error, subject: msg.subject, attempt }, 'event handler failed; will be redelivered');
          msg.nak(Math.min(250 * 2 ** attempt, 10_000));
        }
      } finally {
        held.delete(msg);
      }
    });
  }

  // The reader takes messages as they arrive (so they are heartbeated) and queues each in its key's
  // lane. Decoding is a pure function of the message; skipped and invalid ones take a lane too.
  let stopping = false;
  const done = (async () => {
    for await (const msg of messages) {
      held.add(msg);
      countDelivery(stream, durable, msg.info);
      let decoded: Decoded;
      try {
        decoded = decode(msg);
      } catch (error) {
        decoded = { error };
      }
      const key = 'key' in decoded ? decoded.key : msg.subject;
      // Handler failures become naks inside settle(); what is left is an ack on a closing connection.
      lanes
        .run(key, () => (stopping ? Promise.resolve() : settle(msg, decoded)))
        .catch((error: unknown) => log.warn({ err: error, subject: msg.subject }, 'message not settled; JetStream redelivers it'));
    }
  })();

  return {
    stop: async () => {
      stopping = true;
      await messages.close();
      await done;
      await lanes.idle();
      // Received but never started: back to JetStream now rather than after the ack wait.
      for (const msg of held) msg.nak();
      held.clear();
      clearInterval(heartbeat);
    },
  };
}
