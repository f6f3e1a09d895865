import { LockMode } from '@mikro-orm/core';
import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { Logger } from './logger.ts';
import { retryStartup } from './retry.ts';
import { preparePoolStatements } from './prepared-statements.ts';

export { MikroORM };
export type OrmOptions = Options;

/**
 * Base MikroORM options shared by every subgraph: Postgres, the Migrator with an explicit list of
 * committed migrations (never schema sync at run time), no global identity map (every request
 * works on its own fork), and prepared statements.
 */
export function ormOptions(options: Options & { clientUrl: string }): Options {
  const socketDir = unixSocketDirOf(options.clientUrl);
  return {
    extensions: [Migrator],
    allowGlobalContext: false,
    forceUtcTimezone: true,
    debug: false,
    // A new connection costs ~27 ms of CPU here (fork, SCRAM on both ends) and its first statements
    // fill cold caches: kept for a minute after a burst instead of pg-pool's 10 s, two always, so a
    // pause between bursts does not make the next one open every connection again.
    pool: { min: 2, max: 10, idleTimeoutMillis: 60_000 },
    // Parameterized statements (sql.ts) are prepared once per connection and run on their generic
    // plan: planned once, not at every call (prepared-statements.ts). MikroORM's own statements carry
    // their values in the text, so they are planned for those values as before.
    driverOptions: {
      onPoolCreated: preparePoolStatements,
      options: '-c plan_cache_mode=force_generic_plan',
      ...(socketDir ? { host: socketDir } : {}),
    },
    ...options,
    migrations: { transactional: true, allOrNothing: true, snapshot: false, ...options.migrations },
  };
}

/**
 * `?host=/dir` (libpq's form for a Unix socket directory): MikroORM reads only the URL's host name,
 * so the socket reaches pg through the driver options. Any other host value is not a socket.
 */
function unixSocketDirOf(clientUrl: string): string | undefined {
  const host = new URL(clientUrl).searchParams.get('host');
  return host?.startsWith('/') ? host : undefined;
}

/**
 * Find option: read past the identity map — the row as committed (or as written in the caller's
 * transaction), as an unmanaged copy, never an older copy this EntityManager already holds.
 */
export const FRESH = { disableIdentityMap: true } as const;

/**
 * Find option: `for update` on the row(s) read, held until the transaction ends. The copy is
 * unmanaged (FRESH): a managed entity would be flushed again at commit.
 */
export const FOR_UPDATE = { lockMode: LockMode.PESSIMISTIC_WRITE, ...FRESH } as const;

/** Connect with retries (the database may still be starting). */
export async function connectOrm(options: Options, log: Logger): Promise<MikroORM> {
  // MikroORM's own messages (migrator progress, warnings) go through pino, not the console.
  const orm = await MikroORM.init({ colors: false, logger: (message) => log.debug({ component: 'orm' }, message), ...options });
  await retryStartup(
    'postgres',
    async () => {
      await orm.connect();
      const status = await orm.checkConnection();
      if (!status.ok) throw new Error(status.reason ?? 'connection failed');
    },
    log,
  );
  return orm;
}

/** Apply every pending migration; returns the names applied. */
export async function migrate(orm: MikroORM): Promise<string[]> {
  const applied = await orm.migrator.up();
  return applied.map((m) => m.name);
}
