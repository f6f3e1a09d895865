import { inject } from 'vitest';
import {
  connectNats,
  connectOrm,
  CreateOutboxAndInbox,
  ensureStreams,
  InboxProcessedAtIndex,
  OutboxTraceparent,
  migrate,
  ormOptions,
  STREAMS,
  type MikroORM,
  type NatsConnection,
} from '@shop/platform';
import { createTestDatabase } from './databases.ts';

type OrmOptions = Parameters<typeof connectOrm>[0];
type Logger = Parameters<typeof connectOrm>[1];

/** A database holding only the outbox and inbox tables: for testing the event plumbing on its own. */
export const outboxOnlyOrmOptions = (url: string): OrmOptions =>
  ormOptions({
    clientUrl: url,
    entities: [],
    discovery: { warnWhenNoEntities: false },
    migrations: {
      migrationsList: [
        { name: 'outbox-inbox', class: CreateOutboxAndInbox },
        { name: 'outbox-traceparent', class: OutboxTraceparent },
        { name: 'inbox-processed-at-brin', class: InboxProcessedAtIndex },
      ],
    },
  });

/**
 * What an integration test of the event plumbing needs: a fresh migrated database with an ORM on it,
 * and a NATS connection with the given streams declared (the catalog's by default).
 */
export async function connectTestPlatform(options: {
  name: string;
  log: Logger;
  orm: (url: string) => OrmOptions;
  streams?: Parameters<typeof ensureStreams>[1];
}): Promise<{ orm: MikroORM; nc: NatsConnection }> {
  const url = await createTestDatabase(options.name);
  const orm = await connectOrm(options.orm(url), options.log);
  await migrate(orm);
  const nc = await connectNats(inject('natsUrl'), `${options.name}-test`, options.log);
  await ensureStreams(nc, options.streams ?? STREAMS.map((s) => ({ ...s })));
  return { orm, nc };
}

/** Closes what connectTestPlatform opened (either may be missing if setup failed). */
export async function closeTestPlatform(platform: { orm?: MikroORM; nc?: NatsConnection }): Promise<void> {
  await platform.nc?.drain();
  await platform.orm?.close();
}
