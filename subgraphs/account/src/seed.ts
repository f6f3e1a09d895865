import { createLogger, withOrm } from '@shop/platform';
import { loadConfig } from './config.ts';
import { accountOrmOptions } from './data/orm.config.ts';
import { upsertAccount } from './domain/account-admin.ts';
import { PasswordHasher } from './domain/passwords.ts';
import { DEV_ACCOUNTS } from './data/seed-data.ts';

/** `node src/seed.ts`: the demo customer and the dev admin, once (never in production). */
const config = loadConfig();
const log = createLogger('account-seed', config.LOG_LEVEL);
if (config.NODE_ENV === 'production') {
  log.info('production: no dev accounts seeded (create admins with pnpm run admin:create)');
} else {
  const hasher = new PasswordHasher({ memoryKib: config.ARGON2_MEMORY_KIB, iterations: config.ARGON2_ITERATIONS });
  await withOrm(accountOrmOptions(config.ACCOUNT_DATABASE_URL), log, async (orm) => {
    for (const account of DEV_ACCOUNTS) {
      const { created } = await upsertAccount(orm.em, hasher, account);
      log.info({ email: account.email }, created ? 'dev account seeded' : 'dev account present');
    }
  });
}
