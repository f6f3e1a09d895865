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

export async function startHarness(prefix: string): Promise<Harness> {
  const url = await createTestDatabase(prefix);
  await runMigrations(paymentOrmOptions(url), log);
  const orm = await connectOrm(paymentOrmOptions(url), log);
  const nc = await connectNats(inject('natsUrl'), `${prefix}-test`, log);
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
