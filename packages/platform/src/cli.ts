import type { Options } from '@mikro-orm/postgresql';
import type { Logger } from './logger.ts';
import { connectOrm, migrate, type MikroORM } from './orm.ts';

/** `node src/migrate.ts`: apply pending migrations, report, exit non-zero on failure. */
export async function runMigrations(options: Options, log: Logger): Promise<void> {
  await withOrm(options, log, async (orm) => {
    const applied = await migrate(orm);
    log.info({ applied }, applied.length ? `applied ${applied.length} migration(s)` : 'database up to date');
  });
}

/** Open an ORM for a one-off command (migrate, seed), always closing it. */
export async function withOrm(options: Options, log: Logger, work: (orm: MikroORM) => Promise<void>): Promise<void> {
  const orm = await connectOrm(options, log);
  try {
    await work(orm);
  } finally {
    await orm.close();
  }
}
