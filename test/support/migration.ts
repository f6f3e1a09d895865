import { connectOrm, createLogger, runMigrations, type MikroORM, type OrmOptions } from '@shop/platform';
import { createTestDatabase } from './databases.ts';

const log = createLogger('migration-test', 'silent');

/**
 * A fresh database migrated up to (not including) the migration `name`, with rows written as the
 * previous schema stored them (`writeOld`), then migrated to the latest schema: the situation a
 * deployment meets. Returns an ORM on the migrated database.
 */
export async function migratedFromOldRows(
  prefix: string,
  optionsFor: (url: string) => OrmOptions,
  name: string,
  writeOld: (em: MikroORM['em']) => Promise<void>,
): Promise<MikroORM> {
  const url = await createTestDatabase(prefix);
  const options = optionsFor(url);
  const all = (options.migrations?.migrationsList ?? []) as Array<{ name: string }>;
  const at = all.findIndex((m) => m.name === name);
  if (at < 0) throw new Error(`no migration named ${name}`);
  await runMigrations({ ...options, migrations: { ...options.migrations, migrationsList: all.slice(0, at) as never } }, log);
  const old = await connectOrm(options, log);
  try {
    await writeOld(old.em.fork());
  } finally {
    await old.close();
  }
  await runMigrations(options, log);
  return connectOrm(options, log);
}
