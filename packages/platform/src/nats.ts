import { connect, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, RetentionPolicy, StorageType, type StreamConfig } from '@nats-io/jetstream';
import type { Logger } from './logger.ts';
import { retryStartup } from './retry.ts';
import { STREAM_MAX_AGE_MS } from './events/streams.ts';

export type { Msg, NatsConnection };

/**
 * Connect with start-up retries; afterwards the client reconnects forever on its own. Without async
 * traces: the client would otherwise build an Error (a stack trace) for every request, publish
 * acknowledgement and timer, in case one fails — measurable CPU on the checkout path.
 */
export async function connectNats(url: string, name: string, log: Logger): Promise<NatsConnection> {
  const options = { servers: url, name, maxReconnectAttempts: -1, reconnectTimeWait: 500, noAsyncTraces: true };
  const nc = await retryStartup('nats', () => connect(options), log);
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnect') log.warn({ status: status.type }, 'nats connection status');
    }
  })();
  return nc;
}

/** Declares (or updates) streams so every environment gets the same durable topology from code. */
export async function ensureStreams(
  nc: NatsConnection,
  streams: Array<Pick<StreamConfig, 'name' | 'subjects'> & Partial<StreamConfig>>,
): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const stream of streams) {
    const config = {
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      duplicate_window: 2 * 60 * 1_000_000_000, // ns: redelivery from the outbox relay within 2 min is de-duplicated
      max_age: STREAM_MAX_AGE_MS * 1_000_000, // ns
      ...stream,
    };
    try {
      await jsm.streams.info(stream.name);
      await jsm.streams.update(stream.name, config);
    } catch (error) {
      if (!/not found/i.test((error as Error).message)) throw error;
      await jsm.streams.add(config);
    }
  }
}

/** Readiness: the connection is open and the server answers a round trip. */
export async function natsReady(nc: NatsConnection): Promise<void> {
  if (nc.isClosed()) throw new Error('connection closed');
  await nc.flush();
}
