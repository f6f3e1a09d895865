import { randomBytes, randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  connectNats,
  connectOrm,
  createLogger,
  ensureStreams,
  runMigrations,
  startOutboxRelay,
  STREAMS,
  type MikroORM,
  type NatsConnection,
  type OutboxRelay,
  type PaymentRequested,
} from '@shop/platform';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getFreePort, startNats } from '@shop/platform/stack';
import { createTestDatabase } from '../../../test/support/databases.ts';
import { paymentOrmOptions } from '../src/data/orm.config.ts';

export const log = createLogger('payment-test', 'silent');
/** Unique per test process: durable names on the shared NATS server. */
export const tag = randomBytes(3).toString('hex');

export interface Harness {
  orm: MikroORM;
  nc: NatsConnection;
  relay: OutboxRelay;
  rows: <T>(sql: string, params?: unknown[]) => Promise<T[]>;
  tx: <T>(work: (em: EntityManager) => Promise<T>) => Promise<T>;
  close: () => Promise<void>;
}

/**
 * A payment database with its outbox relay. `ownNats`: on a NATS server of its own instead of the
 * shared one — for a file whose payment workers must not answer another file's requests (every
 * durable on `order.payment.>` gets every request of the shared stream).
 */
export async function startHarness(prefix: string, { ownNats = false } = {}): Promise<Harness> {
  const url = await createTestDatabase(prefix);
  await runMigrations(paymentOrmOptions(url), log);
  const orm = await connectOrm(paymentOrmOptions(url), log);
  const natsDir = ownNats ? mkdtempSync(join(tmpdir(), `${prefix}-nats-`)) : undefined;
  const privateNats = natsDir
    ? await startNats({ dataDir: join(natsDir, 'data'), port: await getFreePort(), logFile: join(natsDir, 'nats.log') })
    : undefined;
  const nc = await connectNats(privateNats?.url ?? inject('natsUrl'), `${prefix}-test`, log);
  await ensureStreams(
    nc,
    STREAMS.map((s) => ({ ...s })),
  );
  const relay = startOutboxRelay({ em: orm.em, nc, log, idleDelayMs: 50 });
  return {
    orm,
    nc,
    relay,
    rows: <T>(sql: string, params: unknown[] = []) => orm.em.fork().execute<T[]>(sql, params),
    tx: (work) => orm.em.fork().transactional(work),
    close: async () => {
      await relay.stop();
      await nc.drain();
      await orm.close();
      await privateNats?.stop();
      if (natsDir) rmSync(natsDir, { recursive: true, force: true });
    },
  };
}

export const request = (token: string, amount = 10_000, customerId: string | null = null): PaymentRequested => ({
  orderId: randomUUID(),
  customerId,
  amount,
  currency: 'USD',
  paymentToken: token,
});
