import { createLogger, runMigrations } from '@shop/platform';
import { loadConfig } from './config.ts';
import { accountOrmOptions } from './data/orm.config.ts';

const config = loadConfig();
await runMigrations(accountOrmOptions(config.ACCOUNT_DATABASE_URL), createLogger('account-migrate', config.LOG_LEVEL));
